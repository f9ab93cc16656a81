import Testing

@testable import CTSyncSupport
@testable import CleverTapContract
@testable import CTSyncSpec
@testable import CTSyncSource
@testable import CTSyncMapping
@testable import CTSyncPlan
@testable import CTSyncState
@testable import CTSyncReport
@testable import CTSyncUpload
@testable import CTSyncSession

/// Parsing CleverTap's answers and mapping `unprocessed` items back to records.
@Suite("upload responses")
struct UploadResponseTests {
    static func parse(_ text: String) -> UploadResponse { UploadResponse(body: Array(text.utf8)) }

    static func record(_ identity: String, line: Int) -> PlannedRecord {
        PlannedRecord(
            json: Array("{}".utf8), key: identity, hash: RecordHash(bytes: Array(identity.utf8)), identity: identity,
            line: line, change: .added)
    }

    @Test func documentedAnswers() {
        #expect(Self.parse(#"{ "status" : "success" , "processed" : 2 , "unprocessed" : [ ]}"#) == .records(status: "success", processed: 2, unprocessed: []))
        let partial = Self.parse(
            #"{ "status" : "partial" , "processed" : 1 , "unprocessed" : [ { "status" : "fail" , "code" : 515 , "error" : "Profile data is incorrect. Email is not valid.Skipped record number : 2" , "record" : {} } ]}"#
        )
        guard case .records("partial", 1, let items) = partial else {
            Issue.record("\(partial)")
            return
        }
        #expect(items == [UnprocessedItem(code: 515, error: "Profile data is incorrect. Email is not valid.Skipped record number : 2", recordNumber: 2, identity: nil)])
        #expect(items[0].reason == "Profile data is incorrect. Email is not valid.")
        #expect(Self.parse(#"{ "status" : "fail" , "error" : "Account ID is not valid" , "code" : 401}"#) == .request(code: 401, message: "Account ID is not valid"))
    }

    @Test func recordNumberSpellingsSeenInRealTraffic() {
        #expect(UnprocessedItem.recordNumber(in: "…Unix Epoch format. Skipped record number : 1") == 1)
        #expect(UnprocessedItem.recordNumber(in: "Event Name is incorrect. ErrorCode: 509 - Event name is mandatory. Skipped record number : 2") == 2)
        #expect(UnprocessedItem.recordNumber(in: "Email is not valid.Skipped record number:17") == 17)
        #expect(UnprocessedItem.recordNumber(in: "no number here") == nil)
    }

    @Test func bodiesCleverTapDoesNotSendAreNotSuccess() {
        for body in ["", "<html>502 Bad Gateway</html>", "{}", #"{"status":"ok"}"#, "[1,2]", #"{"status":"partial"}"#] {
            guard case .unrecognized = Self.parse(body) else {
                Issue.record("accepted \(body)")
                continue
            }
        }
    }

    @Test func itemsArePlacedByNumberThenIdentity() {
        let records = [Self.record("a", line: 2), Self.record("b", line: 3), Self.record("c", line: 4)]
        let items = [
            UnprocessedItem(code: 516, error: "Phone. Skipped record number : 3", recordNumber: 3, identity: nil),
            UnprocessedItem(code: 515, error: "Email", recordNumber: nil, identity: "a"),
            UnprocessedItem(code: 555, error: "Misc. Skipped record number : 2", recordNumber: 2, identity: nil),
        ]
        let placement = BatchSender.place(items, in: records)
        #expect(placement?[0]?.code == 515)
        #expect(placement?[1]?.code == 555)
        #expect(placement?[2]?.code == 516)
    }

    @Test func anItemThatCannotBePlacedPlacesNothing() {
        let records = [Self.record("a", line: 2), Self.record("b", line: 3)]
        let items = [UnprocessedItem(code: 515, error: "Email", recordNumber: nil, identity: "zzz")]
        #expect(BatchSender.place(items, in: records) == nil)
    }
}
