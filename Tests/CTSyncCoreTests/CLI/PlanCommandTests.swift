import Foundation
import Testing

/// `ctsync plan`, the built binary end to end.
@Suite("ctsync plan (binary)")
struct PlanCommandTests {
    static let env = PlannerTests.environment

    @Test func jsonCountsAndRecordsFile() throws {
        let dir = TemporaryDirectory()
        dir.write("contacts.csv", PlannerTests.contacts)
        let job = dir.write("job.yaml", PlannerTests.profilesJob)
        let result = try ctsync(
            "plan", job, "--format", "json", "--records", dir.path + "/records.jsonl", "--state", dir.path + "/s.sqlite",
            environment: Self.env)
        // 4 of 7 rows are invalid and the job keeps the default max_rejected (0): exit 1, as run would.
        #expect(result.status == 1, "\(result.stderr)")
        let plan = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
        #expect(plan["format_version"] as? Int == 1)
        let counts = plan["counts"] as! [String: Int]
        #expect(counts == ["source_rows": 7, "invalid": 4, "unchanged": 0, "planned": 3, "added": 3, "changed": 0])
        #expect(plan["batches"] as? Int == 1)
        #expect(plan["mapping_changed"] as? Bool == false)
        let rejected = plan["rejected"] as! [String: [String: Any]]
        #expect(Set(rejected.keys) == ["timestamp_in_milliseconds", "invalid_phone", "duplicate_primary_key", "invalid_row"])
        let sample = (rejected["invalid_phone"]!["samples"] as! [[String: Any]])[0]
        #expect(sample["row"] as? Int == 5)
        #expect(sample["field"] as? String == "Phone")
        #expect(sample["key"] as? String == "***")  // redacted by default
        let lines = dir.read("records.jsonl").split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[0].hasPrefix(#"{"type":"profile","identity":"jack@example.com","ts":1468308340,"#))
        // plan writes no state
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/s.sqlite"))
    }

    @Test func detailedExitCode() throws {
        let dir = TemporaryDirectory()
        dir.write("contacts.csv", PlannerTests.contacts)
        let job = dir.write("job.yaml", PlannerTests.profilesJob)
        // Invalid rows over max_rejected outrank changes: 1.
        #expect(try ctsync("plan", job, "--detailed-exitcode", environment: Self.env).status == 1)
        dir.write("contacts.csv", "id,email,name,phone,seen_ms\n1,jack@example.com,Jack,+14155551234,1468308340\n")
        #expect(try ctsync("plan", job, "--detailed-exitcode", environment: Self.env).status == 2)
        dir.write("contacts.csv", "id,email,name,phone,seen_ms\n")
        let empty = try ctsync("plan", job, "--detailed-exitcode", environment: Self.env)
        #expect(empty.status == 0, "\(empty.stderr)")
        #expect(empty.stdout.contains("Plan: 0 to add, 0 to change, 0 rejected, 0 unchanged."))
    }

    @Test func invalidSpecExitsTwoWithoutReadingTheSource() throws {
        let dir = TemporaryDirectory()
        let job = dir.write("job.yaml", PlannerTests.profilesJob.replacing("mode: upsert", with: "mode: mirror"))
        let result = try ctsync("plan", job, environment: Self.env)
        #expect(result.status == 2)
        #expect(result.stderr.contains("\(job):6:7: error: mode \"mirror\" is not supported"))
    }

    @Test func unsetVariableIsAnErrorForPlan() throws {
        let dir = TemporaryDirectory()
        dir.write("contacts.csv", PlannerTests.contacts)
        let job = dir.write("job.yaml", PlannerTests.profilesJob)
        let result = try ctsync("plan", job)
        #expect(result.status == 2)
        #expect(result.stderr.contains("environment variable CLEVERTAP_ACCOUNT_ID is not set [unset-variable]"))
    }

    @Test func failingSourceCommandIsAnError() throws {
        let dir = TemporaryDirectory()
        let job = dir.write(
            "job.yaml",
            PlannerTests.profilesJob.replacing(
                "source: { file: contacts.csv }", with: "source: { command: \"echo boom >&2; exit 3\", format: csv }"))
        let result = try ctsync("plan", job, environment: Self.env)
        #expect(result.status == 1)
        #expect(result.stderr.contains("boom"))
    }

    @Test func schemasMatchCommittedFiles() throws {
        for kind in ["plan", "report"] {
            let result = try ctsync("schema", kind)
            #expect(result.status == 0)
            #expect(result.stdout == SchemaDriftTests.committed(kind), "schemas/\(kind).schema.json drifted")
        }
    }
}
