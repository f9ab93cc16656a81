import ClevertapSandbox
import Foundation
import Testing

@testable import CTSyncSupport
@testable import CleverTapContract
@testable import CTSyncSpec
@testable import CTSyncPlan
@testable import CTSyncReport
@testable import CTSyncSession

/// `--rejects PATH` (issue 14, item 3): every refused row, one JSON line each.
@Suite("rejects file", .serialized)
struct RejectsFileTests {
    /// The file's lines, each validated against `schemas/rejects.schema.json`, as JSON objects.
    static func lines(_ path: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [[String: JSONValue]] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.isEmpty || text.hasSuffix("\n"), "the last line is complete", sourceLocation: sourceLocation)
        let validator = try SchemaValidator.committed("rejects")
        return try text.split(separator: "\n").map { line in
            for violation in validator.validate(json: String(line)) {
                Issue.record("not a valid rejects line: \(violation)\n\(line)", sourceLocation: sourceLocation)
            }
            guard case .object(let members) = try JSONDecoder().decode(JSONValue.self, from: Data(line.utf8)) else {
                throw RejectsLineIsNotAnObject(line: String(line))
            }
            return members
        }
    }

    struct RejectsLineIsNotAnObject: Error {
        var line: String
    }

    /// Contacts where row 3 has a bad email, row 4 repeats row 2's key, row 5 is ragged,
    /// and row 6's name is longer than the sandbox's 20 bytes (CleverTap refuses it).
    static let contacts = """
        id,email,name,score
        1,ann@example.com,Ann,1
        2,not-an-email,Bob,2
        1,ann@example.com,Ann Again,3
        3,cy@example.com
        4,dee@example.com,Dee with a very long surname,4
        5,eve@example.com,Eve,5

        """

    static let job = """
        version: 1
        name: crm
        destination: { region: in1, account_id: "${CLEVERTAP_ACCOUNT_ID}", passcode: "${CLEVERTAP_PASSCODE}" }
        source: { file: contacts.csv }
        object: profiles
        primary_key: id
        mappings:
          - { from: email, to: identity }
          - { from: email, to: Email }
          - { from: name, to: Name }
          - { from: score, to: Score, transform: [number] }
        options: { batch_size: 2, max_rejected: 100% }
        """

    @Test func runWritesEveryRefusedRowRedactedAndPrivate() async throws {
        try await RunFixture.with(limits: ValidationLimits(maxValueBytes: 20)) { fixture in
            let dir = fixture.dir
            dir.write("contacts.csv", Self.contacts)
            let job = dir.write("crm.yaml", Self.job)
            let rejects = dir.path + "/out/rejects.jsonl"
            let (result, report) = try await fixture.run(job, ["--rejects", rejects])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(report.counts.invalid == 3 && report.counts.rejected == 1 && report.counts.succeeded == 2, "\(report.counts)")
            #expect(report.rejects == RejectsFileSummary(file: rejects, lines: 4))
            #expect(PrivateFilesTests.mode(rejects) == "600")
            #expect(PrivateFilesTests.mode(dir.path + "/out") == "700")

            let lines = try Self.lines(rejects)
            #expect(lines.count == 4)
            let byRow = Dictionary(uniqueKeysWithValues: lines.map { ($0["row"]?.intValue ?? 0, $0) })
            #expect(byRow.keys.sorted() == [3, 4, 5, 6])
            #expect(lines.allSatisfy { $0["job"] == "crm" })
            #expect(byRow[3]?["reason"] == "invalid_email" && byRow[3]?["outcome"] == "invalid")
            #expect(byRow[3]?["record"] == .null, "a row the mapping refused has no record")
            #expect(byRow[3]?["key"] == "***", "a short key is redacted whole")
            #expect(byRow[3]?["field"] == "Email")
            #expect(byRow[4]?["reason"] == "duplicate_primary_key")
            // The duplicate's record as it would have been sent, values redacted, names kept.
            #expect(
                byRow[4]?["record"]
                    == ["identity": "an***", "type": "profile", "profileData": ["Email": "an***", "Name": "An***", "Score": "***"]],
                "\(String(describing: byRow[4]?["record"]))")
            #expect(byRow[5]?["reason"] == "invalid_row")
            #expect(byRow[6]?["outcome"] == "rejected")
            #expect(byRow[6]?["record"]?["identity"] == "de***")
            let text = dir.read("out/rejects.jsonl")
            #expect(!text.contains("ann@example") && !text.contains("dee@example") && !text.contains("very long"))
            #expect(result.stderr.contains("Rejected rows: 4 lines in \(rejects)"), "\(result.stderr)")

            // --report-pii: keys and the record as sent.
            let (_, revealed) = try await fixture.run(job, ["--rejects", rejects, "--report-pii", "--full"])
            #expect(revealed.rejects?.lines == 4)
            let shown = Dictionary(uniqueKeysWithValues: try Self.lines(rejects).map { ($0["row"]?.intValue ?? 0, $0) })
            #expect(shown[4]?["key"] == "1")
            #expect(shown[4]?["record"]?["profileData"]?["Name"] == "Ann Again")
            #expect(shown[6]?["record"]?["profileData"]?["Name"] == "Dee with a very long surname")
            #expect(shown[6]?["record"]?["profileData"]?["Score"] == 4)
        }
    }

    @Test func planWritesEveryInvalidRowOfEveryJob() async throws {
        try await RunFixture.with { fixture in
            let dir = fixture.dir
            dir.write("contacts.csv", Self.contacts)
            dir.write("jobs/contacts.csv", Self.contacts)
            dir.write("jobs/a.yaml", Self.job.replacing("name: crm", with: "name: first"))
            dir.write("jobs/b.yaml", Self.job.replacing("name: crm", with: "name: second"))
            let rejects = dir.path + "/plan-rejects.jsonl"
            let plan = try await runProcessDetached(
                Products.ctsync, ["plan", "jobs", "--state", fixture.statePath, "--rejects", rejects, "--format", "json"],
                environment: fixture.environment, directory: dir.path)
            #expect(plan.status == 0, "\(plan.stderr)")
            let documents = try plan.stdout.split(separator: "\n").map {
                try OutputContract.decode(PlanDocument.self, String($0), schema: "plan")
            }
            #expect(documents.map(\.rejects) == [
                RejectsFileSummary(file: rejects, lines: 3), RejectsFileSummary(file: rejects, lines: 3),
            ])
            // Jobs planned at once (--parallel, default 4) write their lines as they refuse
            // rows: each job's lines are in row order, the jobs' lines may interleave.
            let lines = try Self.lines(rejects)
            for job in ["first", "second"] {
                let rows = lines.filter { $0["job"]?.stringValue == job }.compactMap { line -> Int? in
                    if case .int(let row)? = line["row"] { row } else { nil }
                }
                #expect(rows.count == 3, "\(job): \(lines)")
                #expect(rows == rows.sorted(), "\(job): \(lines)")
            }
            #expect(lines.allSatisfy { $0["outcome"] == "invalid" })

            let text = try await runProcessDetached(
                Products.ctsync, ["plan", "jobs/a.yaml", "--state", fixture.statePath, "--rejects", rejects],
                environment: fixture.environment, directory: dir.path)
            #expect(text.stdout.contains("Rejected rows: 3 lines in \(rejects)"), "\(text.stdout)")

            // A folder is refused with the fix; nothing runs.
            let folder = try await runProcessDetached(
                Products.ctsync, ["run", "jobs", "--state", fixture.statePath, "--rejects", dir.path + "/"],
                environment: fixture.environment, directory: dir.path)
            #expect(folder.status == 64)
            #expect(folder.stderr.contains("names a folder; name a file"), "\(folder.stderr)")
            #expect(fixture.server.stats().requests == 0)
        }
    }

    /// The records a guarded job keeps on disk between planning and sending come back as written.
    @Test func planSpillGivesBackWhatItWasGiven() throws {
        var random = SeededGenerator(seed: 14)
        let spill = try PlanSpill()
        var written: [PlannedRecord] = []
        for chunk in 0..<7 {
            var records: [PlannedRecord] = []
            for i in 0..<1500 {
                let size = Int.random(in: 0...400, using: &random)
                let json = (0..<size).map { _ in UInt8.random(in: 32...126, using: &random) }
                records.append(
                    PlannedRecord(
                        json: json, key: i % 3 == 0 ? "" : "key-\(chunk)-\(i)-é", hash: RecordHash(bytes: json),
                        identity: "id\(i)", line: chunk * 1500 + i + 2, change: i % 2 == 0 ? .added : .changed))
            }
            try spill.append(records)
            written += records
        }
        #expect(spill.count == written.count)
        var read: [PlannedRecord] = []
        while true {
            let batch = try spill.next(limit: 1000)
            if batch.isEmpty { break }
            #expect(batch.count <= 1000)
            read += batch
        }
        #expect(read == written)
        #expect(try spill.next(limit: 10).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: spill.path), "the file has no name while it is used")
    }
}
