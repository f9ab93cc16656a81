import Foundation
import Testing

@testable import CTSyncPlan
@testable import CTSyncSupport

/// `plan` tells the truth about what `run` will do (issue 12, items 5 to 7): the same
/// max_rejected verdict, records on stdout, several jobs, and plain words for mistakes.
@Suite("plan and run tell the truth (binary)")
struct PlanTruthTests {
    static let env = PlannerTests.environment

    static func job(name: String, extra: String = "") -> String {
        PlannerTests.profilesJob.replacing("name: crm", with: "name: \(name)") + extra
    }

    @Test func maxRejectedDecidesPlansExitStatusAsForRun() async throws {
        let dir = TemporaryDirectory()
        dir.write("contacts.csv", PlannerTests.contacts)
        // 4 invalid rows of 7: 57%.
        let strict = dir.write("strict.yaml", Self.job(name: "strict"))
        let lenient = dir.write("lenient.yaml", Self.job(name: "lenient", extra: "\noptions: { max_rejected: 60% }\n"))
        let over = try await ctsync("plan", strict, environment: Self.env)
        #expect(over.status == 1, "\(over.stderr)")
        #expect(over.stdout.contains("Plan: 3 to add"))
        let within = try await ctsync("plan", lenient, environment: Self.env)
        #expect(within.status == 0, "\(within.stderr)")
    }

    @Test func recordsToStdoutPutTheSummaryOnStderr() async throws {
        let dir = TemporaryDirectory()
        dir.write("contacts.csv", PlannerTests.contacts)
        let job = dir.write("job.yaml", Self.job(name: "crm", extra: "\noptions: { max_rejected: 100% }\n"))
        let result = try await ctsync("plan", job, "--records", "-", environment: Self.env)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines.allSatisfy { $0.hasPrefix(#"{"type":"profile""#) })
        #expect(result.stderr.contains("Plan: 3 to add, 0 to change, 4 rejected, 0 unchanged."))

        let json = try await ctsync("plan", job, "--records", "-", "--format", "json", environment: Self.env)
        #expect(json.status == 64)
        #expect(json.stderr.contains("--records - writes records to stdout"))
    }

    @Test func directoriesPlanEveryJobAsJSONLines() async throws {
        let dir = TemporaryDirectory()
        dir.write("contacts.csv", PlannerTests.contacts)
        dir.write("jobs/a.yaml", Self.job(name: "a", extra: "\noptions: { max_rejected: 100% }\n").replacing("file: contacts.csv", with: "file: ../contacts.csv"))
        dir.write("jobs/b.yaml", Self.job(name: "b", extra: "\noptions: { max_rejected: 100% }\n").replacing("file: contacts.csv", with: "file: ../contacts.csv"))
        let result = try await ctsync("plan", dir.path + "/jobs", "--format", "json", environment: Self.env)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        let plans = try lines.map { try JSONDecoder().decode(PlanDocument.self, from: Data($0.utf8)) }
        #expect(plans.map(\.job.name) == ["a", "b"])
        #expect(plans.allSatisfy { $0.counts.planned == 3 && $0.counts.invalid == 4 })

        let text = try await ctsync("plan", dir.path + "/jobs", environment: Self.env)
        #expect(text.stdout.components(separatedBy: "Plan for ").count == 3)
        let records = try await ctsync("plan", dir.path + "/jobs", "--records", dir.path + "/r.jsonl", environment: Self.env)
        #expect(records.status == 64)
        #expect(records.stderr.contains("names one file, but 2 jobs were given"))
    }

    @Test func eventsAreAppendOnly() async throws {
        let dir = TemporaryDirectory()
        let events = """
            version: 1
            name: orders
            destination: { region: in1, account_id: "1", passcode: "${P}" }
            source: { file: orders.csv }
            object: events
            mode: upsert
            primary_key: id
            mappings:
              - { from: email, to: identity }
              - { value: Charged, to: evtName }
            """
        let job = dir.write("orders.yaml", events)
        let lint = try await ctsync("lint", job)
        #expect(lint.status == 1)
        #expect(lint.stderr.contains("\(job):6:7: error: mode upsert does not apply to events"))
        #expect(lint.stderr.contains("[events-append-only]"))
        // Without a mode, an events job inserts.
        let insert = dir.write("default.yaml", events.replacing("mode: upsert\n", with: ""))
        #expect(try await ctsync("lint", insert).status == 0)
    }

    @Test func runRefusesOneReportFileForSeveralJobsAndHasNoDryRun() async throws {
        let dir = TemporaryDirectory()
        dir.write("contacts.csv", PlannerTests.contacts)
        dir.write("jobs/a.yaml", Self.job(name: "a").replacing("file: contacts.csv", with: "file: ../contacts.csv"))
        dir.write("jobs/b.yaml", Self.job(name: "b").replacing("file: contacts.csv", with: "file: ../contacts.csv"))
        let result = try await ctsync(
            "run", dir.path + "/jobs", "--report", dir.path + "/report.json", "--state", dir.path + "/s.sqlite",
            environment: Self.env)
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains("--report \(dir.path)/report.json names one file, but 2 jobs run"))
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/report.json"))
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/s.sqlite"))

        let dryRun = try await ctsync("run", dir.path + "/jobs/a.yaml", "--dry-run", environment: Self.env)
        #expect(dryRun.status == 64)
        #expect(dryRun.stderr.contains("`ctsync plan`"))
    }

    @Test func missingFilesHaveOnePrefixStyle() async throws {
        for command in ["lint", "plan", "run"] {
            let result = try await ctsync(command, "/nonexistent/job.yaml", environment: Self.env)
            #expect(result.status == 64, "\(command): \(result.stderr)")
            #expect(
                result.stderr.hasPrefix("ctsync \(command): no such file or directory: /nonexistent/job.yaml"),
                "\(command): \(result.stderr)")
        }
    }
}
