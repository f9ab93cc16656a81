import Foundation
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

/// `--job NAME` on run, plan and check: names and globs picking jobs out of the paths.
@Suite("job selection")
struct JobSelectionTests {
    static let env = PlannerTests.environment

    @Test(arguments: [
        ("crm-profiles", "crm-profiles", true), ("crm-*", "crm-profiles", true), ("crm-*", "crm", false),
        ("*-events", "order-events", true), ("?rm", "crm", true), ("?rm", "rm", false), ("c*s", "crm-profiles", true),
        ("a*b*c", "aXbYc", true), ("a*b*c", "aXbY", false), ("**", "x", true), ("*", "anything.goes", true),
        ("exact", "exactly", false), ("*x", "xxxxxxxxxxxxxxxxxxxxxxxxxy", false), ("crm", "CRM", false),
    ])
    func globs(_ pattern: String, _ name: String, _ matches: Bool) {
        #expect(JobSelection.Pattern(pattern).matches(name) == matches, "\(pattern) ~ \(name)")
    }

    /// A folder with jobs a and b (valid), c (YAML that does not parse) and d (invalid spec).
    static func folder() -> TemporaryDirectory {
        let dir = TemporaryDirectory()
        dir.write("contacts.csv", PlannerTests.contacts)
        dir.write("jobs/a.yaml", PlannerTests.profilesJob.replacing("name: crm", with: "name: crm-a"))
        dir.write("jobs/b.yaml", PlannerTests.profilesJob.replacing("name: crm", with: "name: crm-b"))
        dir.write("jobs/c.yaml", "name: [unclosed\n")
        dir.write(
            "jobs/d.yaml",
            PlannerTests.profilesJob.replacing("name: crm", with: "name: orders").replacing("mode: upsert", with: "mode: mirror"))
        for name in ["a", "b", "d"] {
            let path = dir.path + "/jobs/\(name).yaml"
            try! dir.read("jobs/\(name).yaml").replacing("file: contacts.csv", with: "file: ../contacts.csv")
                .write(toFile: path, atomically: true, encoding: .utf8)
        }
        return dir
    }

    @Test func onlySelectedJobsAreValidated() throws {
        let dir = Self.folder()
        let jobs = try JobSet.prepare(
            paths: [dir.path + "/jobs"], environment: Self.env, endpointOverride: nil, selection: JobSelection(["crm-*"]))
        #expect(jobs.map(\.name) == ["crm-a", "crm-b"])
        // Without a selection, d's invalid spec stops everything.
        #expect(throws: SessionError.self) {
            _ = try JobSet.prepare(paths: [dir.path + "/jobs"], environment: Self.env, endpointOverride: nil)
        }
        // Selecting d validates it.
        do {
            _ = try JobSet.prepare(
                paths: [dir.path + "/jobs"], environment: Self.env, endpointOverride: nil,
                selection: JobSelection(["orders"]))
            Issue.record("an invalid selected job must fail")
        } catch {
            #expect(error.exitStatus == .invalidSpec)
        }
    }

    @Test func aNameThatMatchesNothingListsTheNames() throws {
        let dir = Self.folder()
        do {
            _ = try JobSet.prepare(
                paths: [dir.path + "/jobs"], environment: Self.env, endpointOverride: nil,
                selection: JobSelection(["crm-a", "nope*"]))
            Issue.record("expected a usage error")
        } catch {
            #expect(error.exitStatus == .usage)
            #expect(
                error.message
                    == "--job nope* matches no job in \(dir.path)/jobs; jobs: crm-a, crm-b, orders (the name of \(dir.path)/jobs/c.yaml cannot be read: run ctsync lint on it)"
            )
        }
    }

    @Test func planAndRunTakeJob() async throws {
        let dir = Self.folder()
        let jobs = dir.path + "/jobs"
        let state = dir.path + "/state.sqlite"
        let plan = try await ctsync("plan", jobs, "--job", "crm-b", "--format", "json", "--state", state, environment: Self.env)
        // The fixture's bad rows are over max_rejected 0: plan exits 1, as run would.
        #expect(plan.status == 1, "\(plan.stderr)")
        let document = try OutputContract.decode(PlanDocument.self, plan.stdout, schema: "plan")
        #expect(document.job.name == "crm-b")

        // Several selected jobs: one JSON document a line.
        let many = try await ctsync("plan", jobs, "--job", "crm-*", "--format", "json", "--state", state, environment: Self.env)
        #expect(many.status == 1, "\(many.stderr)")
        let names = try many.stdout.split(separator: "\n").map { line in
            try OutputContract.decode(PlanDocument.self, String(line), schema: "plan").job.name
        }
        #expect(names == ["crm-a", "crm-b"])

        let none = try await ctsync("run", jobs, "--job", "missing", "--state", state, environment: Self.env)
        #expect(none.status == 64)
        #expect(none.stderr.contains("ctsync run: --job missing matches no job in \(jobs); jobs: crm-a, crm-b, orders"))
        #expect(!FileManager.default.fileExists(atPath: state))

        let check = try await ctsync("check", jobs, "--job", "missing", "--state", state, environment: Self.env)
        #expect(check.status == 64)
        #expect(check.stderr.contains("ctsync check: --job missing matches no job"))

        // A single job file still plans as before.
        let single = try await ctsync("plan", jobs + "/a.yaml", "--state", state, environment: Self.env)
        #expect(single.status == 1, "\(single.stderr)")
        #expect(single.stdout.contains("Plan: 3 to add"), "\(single.stdout)")
    }
}
