import Foundation
import Testing

@testable import ClevertapSandbox

@Suite("Per-record validation codes")
struct RecordValidationTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let record: String
        let code: Int
        /// The start of the `error` text, before `Skipped record number : 2`.
        let reason: String?

        init(_ name: String, _ record: String, _ code: Int, _ reason: String? = nil) {
            self.name = name
            self.record = record
            self.code = code
            self.reason = reason
        }

        var testDescription: String { "\(code) \(name)" }
    }

    static let long121 = String(repeating: "k", count: 121)
    /// 257 bytes of "é" (2 bytes each) is 514 bytes: over the 512-byte limit in UTF-8, not in characters.
    static let long514Bytes = String(repeating: "é", count: 257)
    static let manyKeys = (0..<257).map { "\"k\($0)\":1" }.joined(separator: ",")

    static let cases: [Case] = [
        // 509, 513: event names
        Case(
            "evtName missing",
            #"{"type":"event","identity":"u","evtData":{"a":1}}"#,
            509,
            "Event Name is incorrect. ErrorCode: 509 - Event name is mandatory. "
        ),
        Case("evtName empty", #"{"type":"event","identity":"u","evtName":""}"#, 509),
        Case("evtName not a string", #"{"type":"event","identity":"u","evtName":12}"#, 509),
        Case(
            "restricted App Launched",
            Records.event("u", "App Launched"),
            513,
            "Event Name is incorrect. ErrorCode: 513 - Trying to raise a restricted system event. "
        ),
        Case("restricted, other case", Records.event("u", "notification CLICKED"), 513),
        Case("restricted wzrk_d", Records.event("u", "wzrk_d"), 513),
        Case("restricted signed call", Records.event("u", "SCOutgoing"), 513),
        // 512: event structure
        Case("evtData not an object", #"{"type":"event","identity":"u","evtName":"E","evtData":[1]}"#, 512),
        Case("nested object in evtData", Records.event("u", "E", #"{"a":{"b":1}}"#), 512),
        Case("array in evtData", Records.event("u", "E", #"{"a":[1]}"#), 512),
        Case("Items outside Charged", Records.event("u", "Order", #"{"Items":[{"a":1}]}"#), 512),
        Case("nested Items entry", Records.event("u", "Charged", #"{"Items":[{"a":{"b":1}}]}"#), 512),
        Case(
            "51 Charged items",
            Records.event(
                "u",
                "Charged",
                "{\"Items\":[" + Array(repeating: "{\"a\":1}", count: 51).joined(separator: ",") + "]}"
            ),
            512
        ),
        Case("event key over 120 bytes", Records.event("u", "E", "{\"\(long121)\":1}"), 512),
        Case("event value over 512 bytes", Records.event("u", "E", "{\"a\":\"\(long514Bytes)\"}"), 512),
        Case("bad event date", Records.event("u", "E", #"{"When":"$D_soon"}"#), 512),
        // 522
        Case(
            "257 event properties",
            Records.event("u", "E", "{\(manyKeys)}"),
            522,
            "Event data is incorrect. ErrorCode: 522 - Event properties limit exceeded. "
        ),
        Case("257 custom profile properties", Records.profile("u", "{\(manyKeys)}"), 522),
        // 514...520: profile fields
        Case(
            "Gender",
            Records.profile("u", #"{"Gender":"Male"}"#),
            514,
            "Profile data is incorrect. Gender is not valid."
        ),
        Case("Gender lowercase", Records.profile("u", #"{"Gender":"m"}"#), 514),
        Case(
            "Email",
            Records.profile("u", #"{"Email":"jack.gmail.com"}"#),
            515,
            "Profile data is incorrect. Email is not valid."
        ),
        Case("Email with space", Records.profile("u", #"{"Email":"ja ck@gmail.com"}"#), 515),
        Case("Email without TLD", Records.profile("u", #"{"Email":"jack@gmail"}"#), 515),
        Case(
            "Phone without plus",
            Records.profile("u", #"{"Phone":"14155551234"}"#),
            516,
            "Profile data is incorrect. Phone number is not valid."
        ),
        Case("Phone as number", Records.profile("u", #"{"Phone":14155551234}"#), 516),
        Case("Phone with spaces", Records.profile("u", #"{"Phone":"+1 415 555 1234"}"#), 516),
        Case("Phone too long", Records.profile("u", #"{"Phone":"+1234567890123456"}"#), 516),
        Case(
            "Employed",
            Records.profile("u", #"{"Employed":"yes"}"#),
            517,
            "Profile data is incorrect. Employed is not valid."
        ),
        Case(
            "Education",
            Records.profile("u", #"{"Education":"PhD"}"#),
            518,
            "Profile data is incorrect. Education is not valid."
        ),
        Case(
            "Married",
            Records.profile("u", #"{"Married":true}"#),
            519,
            "Profile data is incorrect. Married is not valid."
        ),
        Case(
            "Age as string",
            Records.profile("u", #"{"Age":"31"}"#),
            520,
            "Profile data is incorrect. Age is not valid."
        ),
        // 512: profile structure
        Case("MSG-sms not boolean", Records.profile("u", #"{"MSG-sms":"yes"}"#), 512),
        Case("DOB not a date", Records.profile("u", #"{"DOB":"1990-01-01"}"#), 512),
        Case("nested profile object", Records.profile("u", #"{"Address":{"City":"Pune"}}"#), 512),
        Case("unknown operator", Records.profile("u", #"{"Tags":{"$set":["a"]}}"#), 512),
        Case("$incr by a string", Records.profile("u", #"{"Visits":{"$incr":"1"}}"#), 512),
        Case("multi-value of numbers", Records.profile("u", #"{"Tags":[1,2]}"#), 512),
        Case(
            "101 multi-values",
            Records.profile(
                "u",
                "{\"Tags\":{\"$add\":[" + (0...100).map { "\"t\($0)\"" }.joined(separator: ",") + "]}}"
            ),
            512
        ),
        Case("profile key over 120 bytes", Records.profile("u", "{\"\(long121)\":1}"), 512),
        Case("profile value over 512 bytes", Records.profile("u", "{\"Bio\":\"\(long514Bytes)\"}"), 512),
        Case("profileData not an object", #"{"type":"profile","identity":"u","profileData":"x"}"#, 512),
        // 523, 524, 526
        Case(
            "no identity",
            #"{"type":"profile","profileData":{"Name":"x"}}"#,
            523,
            "Identity is missing. ErrorCode: 523 - One of identity, objectId, FBID or GPID is mandatory. "
        ),
        Case("empty identity", Records.profile("", #"{"Name":"x"}"#), 523),
        Case("blank identity", Records.profile("  ", #"{"Name":"x"}"#), 523),
        Case("event without identity", #"{"type":"event","evtName":"E"}"#, 523),
        Case(
            "type missing",
            #"{"identity":"u","profileData":{}}"#,
            524,
            "Record type is incorrect. ErrorCode: 524 - Data is neither event nor profile. "
        ),
        Case("type other", #"{"type":"user","identity":"u"}"#, 524),
        Case("type capitalised", #"{"type":"Profile","identity":"u"}"#, 524),
        Case("record not an object", #""just text""#, 524),
        Case("objectId not a string", #"{"type":"profile","objectId":true}"#, 526),
        // 525
        Case(
            "ts zero",
            Records.profile("u", ts: "0"),
            525,
            "Timestamp is incorrect. ErrorCode: 525 - Timestamp should be in seconds and in Unix Epoch format. "
        ),
        Case("ts negative", Records.profile("u", ts: "-5"), 525),
        Case("ts fractional", Records.profile("u", ts: "1468308340.5"), 525),
        Case("ts as string", Records.profile("u", ts: "\"1468308340\""), 525),
        Case("ts in milliseconds", Records.profile("u", ts: "1468308340000"), 525),
        Case("ts null", Records.profile("u", ts: "null"), 525),
    ]

    @Test(arguments: cases)
    func refusesRecord(_ testCase: Case) async throws {
        try await SandboxHarness.with { sandbox in
            let body = Records.batch([Records.profile("good"), testCase.record])
            let answer = try await sandbox.upload(body)
            #expect(answer.status == 200)
            let json = try answer.json
            #expect(json["status"] == "partial")
            #expect(json["processed"] == 1)
            let items = try #require(json["unprocessed"]?.arrayValue)
            try #require(items.count == 1)
            #expect(items[0]["status"] == "fail")
            #expect(items[0]["code"] == .int(testCase.code))
            let error = try #require(items[0]["error"]?.stringValue)
            #expect(error.hasSuffix("Skipped record number : 2"))
            if let reason = testCase.reason {
                #expect(error == reason + "Skipped record number : 2")
            }
            #expect(items[0]["record"] != nil)
            #expect(sandbox.server.stats().recordsUnprocessed == 1)
        }
    }

    static let accepted: [Case] = [
        Case("documented profile", UploadProtocolTests.documentedProfile, 0),
        Case(
            "Charged with Items",
            Records.event("u", "Charged", #"{"Amount":10,"Items":[{"Name":"Book","Price":5}]}"#),
            0
        ),
        Case("numeric identity", #"{"type":"profile","identity":1189549,"profileData":{}}"#, 0),
        Case("objectId", #"{"type":"profile","objectId":"obj-1","profileData":{"Name":"x"}}"#, 0),
        Case("FBID", #"{"type":"event","FBID":"34322423","evtName":"E"}"#, 0),
        Case("no profileData", #"{"type":"profile","identity":"u"}"#, 0),
        Case("no ts", Records.event("u", "E"), 0),
        Case(
            "standard values",
            Records.profile(
                "u",
                #"{"Gender":"F","Employed":"N","Married":"Y","Education":"Graduate","Age":31.5,"MSG-push":true,"MSG-whatsapp":false}"#
            ),
            0
        ),
        Case("operators", Records.profile("u", #"{"Tags":{"$add":"a"},"Old":{"$remove":["b"]},"N":{"$decr":2.5}}"#), 0),
        Case("negative DOB", Records.profile("u", #"{"DOB":"$D_-315619200"}"#), 0),
        Case("exactly 512 bytes", Records.profile("u", "{\"Bio\":\"\(String(repeating: "é", count: 256))\"}"), 0),
        Case("exactly 120-byte key", Records.profile("u", "{\"\(String(repeating: "k", count: 120))\":1}"), 0),
        Case("Score is not a signed-call event", Records.event("u", "Score Updated"), 0),
        Case("null value", Records.profile("u", #"{"Nickname":null}"#), 0),
    ]

    @Test(arguments: accepted)
    func acceptsRecord(_ testCase: Case) async throws {
        try await SandboxHarness.with { sandbox in
            let answer = try await sandbox.upload(Records.batch([testCase.record]))
            #expect(answer.body == #"{"status":"success","processed":1,"unprocessed":[]}"#)
        }
    }

    @Test func reportsEveryRefusedRecordInOrder() async throws {
        try await SandboxHarness.with { sandbox in
            let body = Records.batch([
                Records.profile("a", #"{"Email":"x"}"#),
                Records.profile("b"),
                Records.event("c", "App Launched"),
                Records.profile("d", ts: "0"),
                Records.event("e", "Bought"),
            ])
            let json = try await sandbox.upload(body).json
            #expect(json["status"] == "partial")
            #expect(json["processed"] == 2)
            let items = try #require(json["unprocessed"]?.arrayValue)
            #expect(items.map { $0["code"] } == [515, 513, 525])
            #expect(
                items.compactMap { $0["error"]?.stringValue?.components(separatedBy: ": ").last } == ["1", "3", "4"]
            )
        }
    }

    @Test func checksStandardFieldsInAFixedOrder() {
        let validator = RecordValidator(limits: ValidationLimits())
        let record: SandboxValue = [
            "type": "profile", "identity": "u",
            "profileData": ["Gender": "x", "Phone": "1", "Email": "x", "Age": "x"],
        ]
        guard case .failure(let rejection) = validator.validate(record) else {
            Issue.record("expected a rejection")
            return
        }
        #expect(rejection.code == 515)
    }
}
