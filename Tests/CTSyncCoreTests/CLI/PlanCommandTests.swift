import Foundation
import Testing

@testable import CTSyncPlan

/// `ctsync plan`, the built binary end to end.
@Suite("ctsync plan (binary)")
struct PlanCommandTests {
    static let env = PlannerTests.environment

    @Test func jsonCountsAndRecordsFile() async throws {
        let dir = TemporaryDirectory()
        dir.write("contacts.csv", PlannerTests.contacts)
        let job = dir.write("job.yaml", PlannerTests.profilesJob)
        let result = try await ctsync(
            "plan", job, "--format", "json", "--records", dir.path + "/records.jsonl", "--state", dir.path + "/s.sqlite",
            environment: Self.env)
        // 4 of 7 rows are invalid and the job keeps the default max_rejected (0): exit 1, as run would.
        #expect(result.status == 1, "\(result.stderr)")
        let plan = try OutputContract.decode(PlanDocument.self, result.stdout, schema: "plan")
        #expect(plan.formatVersion == 2)
        let counts = plan.counts
        #expect(
            [counts.sourceRows, counts.invalid, counts.unchanged, counts.planned, counts.added, counts.changed]
                == [7, 4, 0, 3, 3, 0] as [Int], "\(counts)")
        #expect(plan.batches == 1)
        #expect(plan.mappingChanged == false)
        #expect(Set(plan.rejected.keys) == ["timestamp_in_milliseconds", "invalid_phone", "duplicate_primary_key", "invalid_row"])
        let sample = try #require(plan.rejected["invalid_phone"]?.samples.first)
        #expect(sample.row == 5)
        #expect(sample.field == "Phone")
        #expect(sample.key == "***")  // redacted by default
        let lines = dir.read("records.jsonl").split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[0].hasPrefix(#"{"type":"profile","identity":"jack@example.com","ts":1468308340,"#))
        // plan writes no state
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/s.sqlite"))
    }

    @Test func detailedExitCode() async throws {
        let dir = TemporaryDirectory()
        dir.write("contacts.csv", PlannerTests.contacts)
        let job = dir.write("job.yaml", PlannerTests.profilesJob)
        // Invalid rows over max_rejected outrank changes: 1.
        #expect(try await ctsync("plan", job, "--detailed-exitcode", environment: Self.env).status == 1)
        dir.write("contacts.csv", "id,email,name,phone,seen_ms\n1,jack@example.com,Jack,+14155551234,1468308340\n")
        #expect(try await ctsync("plan", job, "--detailed-exitcode", environment: Self.env).status == 2)
        dir.write("contacts.csv", "id,email,name,phone,seen_ms\n")
        let empty = try await ctsync("plan", job, "--detailed-exitcode", environment: Self.env)
        #expect(empty.status == 0, "\(empty.stderr)")
        #expect(empty.stdout.contains("Plan: 0 to add, 0 to change, 0 rejected, 0 unchanged."))
    }

    @Test func invalidSpecExitsTwoWithoutReadingTheSource() async throws {
        let dir = TemporaryDirectory()
        let job = dir.write("job.yaml", PlannerTests.profilesJob.replacing("mode: upsert", with: "mode: mirror"))
        let result = try await ctsync("plan", job, environment: Self.env)
        #expect(result.status == 2)
        #expect(result.stderr.contains("\(job):6:7: error: mode \"mirror\" is not supported"))
    }

    @Test func unsetVariableIsAnErrorForPlan() async throws {
        let dir = TemporaryDirectory()
        dir.write("contacts.csv", PlannerTests.contacts)
        let job = dir.write("job.yaml", PlannerTests.profilesJob)
        let result = try await ctsync("plan", job)
        #expect(result.status == 2)
        #expect(result.stderr.contains("environment variable CLEVERTAP_ACCOUNT_ID is not set [unset-variable]"))
    }

    @Test func failingSourceCommandIsAnError() async throws {
        let dir = TemporaryDirectory()
        let job = dir.write(
            "job.yaml",
            PlannerTests.profilesJob.replacing(
                "source: { file: contacts.csv }", with: "source: { command: \"echo boom >&2; exit 3\", format: csv }"))
        let result = try await ctsync("plan", job, environment: Self.env)
        #expect(result.status == 1)
        #expect(result.stderr.contains("boom"))
    }

    @Test func schemasMatchCommittedFiles() async throws {
        for kind in ["plan", "report", "check", "rejects"] {
            let result = try await ctsync("schema", kind)
            #expect(result.status == 0)
            #expect(result.stdout == SchemaDriftTests.committed(kind), "schemas/\(kind).schema.json drifted")
        }
    }
}
