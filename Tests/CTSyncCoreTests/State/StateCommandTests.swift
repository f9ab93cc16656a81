import ClevertapSandbox
import Foundation
import Testing

@testable import CTSyncSupport
@testable import CleverTapContract
@testable import CTSyncSpec
@testable import CTSyncPlan
@testable import CTSyncState
@testable import CTSyncReport
@testable import CTSyncSession

/// `plan` and `run` say where they send; `ctsync state show|forget|rename|export|import`
/// against the built binary, over both backends.
@Suite("state commands", .serialized)
struct StateCommandTests {
    /// The issue's acceptance: a sandbox run, then a plan against production, plans
    /// everything as new and says why.
    @Test(arguments: StateBackend.configured)
    func aSandboxRunThenAProductionPlanPlansEverythingAsNew(_ backend: StateBackend) async throws {
        try await StateCommandFixture.with(backend, rows: 250) { fixture in
            let run = try await fixture.ctsync(["run", fixture.job, "--quiet", "--report", fixture.dir.path + "/r.json"])
            #expect(run.status == 0, "\(run.stderr)")
            let port = fixture.base.server.port
            #expect(
                run.stderr.hasPrefix(
                    "ctsync run: profiles: sending to endpoint override http://127.0.0.1:\(port)/in1 (account 123, region in1; not production CleverTap)\nctsync run: profiles: no earlier run to this destination: every row is new\n"
                ), "\(run.stderr)")
            let report = try JSONDocument.parse(fixture.dir.read("r.json"))
            #expect(DocumentSchemaCheck.violations(of: report, against: try DocumentSchemaCheck.committed("report")) == [])
            #expect(report["destination"]?["host"]?.string == "127.0.0.1:\(port)")

            var production = fixture.base.environment
            production["CTSYNC_ENDPOINT"] = nil
            let plan = try await runProcessDetached(
                Products.ctsync, ["plan", fixture.job, "--state", fixture.state.argument], environment: production,
                directory: fixture.dir.path)
            #expect(plan.status == 0, "\(plan.stderr)")
            #expect(
                plan.stdout.hasPrefix(
                    "Destination: production CleverTap (account 123, region in1, in1.api.clevertap.com)\nPlan for profiles"),
                "\(plan.stdout)")
            #expect(plan.stdout.contains("  no earlier run to this destination: every row is new\n"))
            #expect(
                plan.stdout.contains(
                    "  state holds this job's runs to another destination: endpoint override http://127.0.0.1:\(port)/in1"))
            #expect(plan.stdout.contains("Plan: 250 to add, 0 to change, 0 rejected, 0 unchanged."), "\(plan.stdout)")
            #expect(!plan.stdout.contains("full resync"))

            let json = try await runProcessDetached(
                Products.ctsync, ["plan", fixture.job, "--state", fixture.state.argument, "--format", "json"],
                environment: production, directory: fixture.dir.path)
            let document = try JSONDocument.parse(json.stdout)
            #expect(DocumentSchemaCheck.violations(of: document, against: try DocumentSchemaCheck.committed("plan")) == [])
            #expect(document["destination"]?["production"]?.bool == true)
            #expect(document["destination"]?["endpoint"]?.string == "https://in1.api.clevertap.com")
            #expect(document["state"]?["baseline"]?.string == "no_state")
            #expect(document["state"]?["other_destinations"]?[0]?["endpoint"]?.string == "http://127.0.0.1:\(port)/in1")
            #expect(document["mapping_changed"]?.bool == false)
            #expect(document["counts"]?["added"]?.int == 250)

            // Back at the sandbox nothing is new.
            let again = try await fixture.ctsync(["plan", fixture.job, "--format", "json"])
            #expect(try JSONDocument.parse(again.stdout)["state"]?["baseline"]?.string == "unchanged")
        }
    }

    @Test(arguments: StateBackend.configured)
    func showForgetAndRename(_ backend: StateBackend) async throws {
        try await StateCommandFixture.with(backend, rows: 300) { fixture in
            #expect(try await fixture.run().status == 0)

            let show = try await fixture.ctsync(["state", "show", "profiles", "--key", "5"])
            #expect(show.status == 0, "\(show.stderr)")
            #expect(show.stdout.contains("    keys acknowledged: 300\n"), "\(show.stdout)")
            #expect(show.stdout.contains("      Name ← from \"name\"\n"))
            #expect(show.stdout.contains("    key \"5\": acknowledged at "))
            #expect(show.stdout.contains("with the spec above"))
            let missing = try await fixture.ctsync(["state", "show", "profiles", "--key", "nope"])
            #expect(missing.stdout.contains("    key \"nope\": never acknowledged (the next run sends its row)\n"))
            let typo = try await fixture.ctsync(["state", "show", "profile"])
            #expect(typo.status == 1)
            #expect(typo.stderr.contains("state holds no job named \"profile\"; it holds: profiles"))

            // Without a terminal to ask on, forgetting needs --yes.
            let unconfirmed = try await fixture.ctsync(["state", "forget", "profiles", "--key", "5"])
            #expect(unconfirmed.status == 64)
            #expect(unconfirmed.stderr.contains("pass --yes"))
            #expect(try await fixture.ctsync(["state", "forget", "profiles"]).status == 64)
            let forgotten = try await fixture.ctsync(["state", "forget", "profiles", "--key", "5", "--key", "6", "--key", "x", "--yes"])
            #expect(forgotten.status == 0, "\(forgotten.stderr)")
            #expect(forgotten.stderr.contains("keys forgotten, 2 keys removed"), "\(forgotten.stderr)")
            let plan = try await fixture.ctsync(["plan", fixture.job])
            #expect(plan.stdout.contains("Plan: 2 to add, 0 to change, 0 rejected, 298 unchanged."), "\(plan.stdout)")

            // A renamed job: the plan finds the old name; state rename moves the state.
            let renamed = fixture.dir.write(
                "people.yaml", try String(contentsOfFile: fixture.job, encoding: .utf8).replacing("name: profiles", with: "name: people"))
            let before = try await fixture.ctsync(["plan", renamed])
            #expect(before.stdout.contains("Plan: 300 to add"), "\(before.stdout)")
            #expect(
                before.stdout.contains(
                    "no state for this job: was it renamed? state holds job \"profiles\" with the same source and destination; `ctsync state rename profiles NEW`"
                ))
            let rename = try await fixture.ctsync(["state", "rename", "profiles", "people"])
            #expect(rename.status == 0, "\(rename.stderr)")
            let after = try await fixture.ctsync(["plan", renamed])
            #expect(after.stdout.contains("Plan: 2 to add, 0 to change, 0 rejected, 298 unchanged."), "\(after.stdout)")
            let history = try await fixture.ctsync(["history", "people"])
            #expect(history.stdout.hasPrefix("people: 1 run"), "\(history.stdout)")
            // Onto a name that has state: refused.
            #expect(try await fixture.run().status == 0)
            let onto = try await fixture.ctsync(["state", "rename", "people", "profiles"])
            #expect(onto.status == 1)
            #expect(onto.stderr.contains("state already holds a job named \"profiles\""), "\(onto.stderr)")

            // Forget everything: the next plan is a first run.
            let all = try await fixture.ctsync(["state", "forget", "people", "--all", "--yes"])
            #expect(all.status == 0, "\(all.stderr)")
            #expect(all.stderr.contains("state dropped, 298 keys removed"), "\(all.stderr)")
            let fresh = try await fixture.ctsync(["plan", renamed])
            #expect(fresh.stdout.contains("  no earlier run to this destination: every row is new\n"), "\(fresh.stdout)")
            #expect(try await fixture.ctsync(["history", "people"]).status == 1)
        }
    }

    /// While a run holds the job's lease, state commands refuse (exit 3) and name it.
    @Test(arguments: StateBackend.configured)
    func stateCommandsRefuseWhileTheJobRuns(_ backend: StateBackend) async throws {
        try await StateCommandFixture.with(backend, rows: 3000, faults: FaultConfiguration(latencyMilliseconds: 100)) { fixture in
            let running = try fixture.launch()
            try await fixture.waitForRecords(200, process: running)
            for command in [
                ["state", "show", "profiles"], ["state", "forget", "profiles", "--all", "--yes"],
                ["state", "rename", "profiles", "other"], ["state", "export", "profiles"],
            ] {
                let result = try await fixture.ctsync(command)
                #expect(result.status == 3, "\(command): \(result.stderr)")
                #expect(
                    result.stderr.contains("job \"profiles\" is being run by another ctsync process (pid \(running.processIdentifier)"),
                    "\(command): \(result.stderr)")
            }
            let export = fixture.dir.write(
                "profiles.jsonl",
                #"{"destination":null,"format":"ctsync-state-export","format_version":1,"job":"profiles","source":null,"spec":null,"spec_fingerprint":null,"type":"job"}"#
                    + "\n")
            let importing = try await fixture.ctsync(["state", "import", export])
            #expect(importing.status == 3, "\(importing.stderr)")
            #expect(importing.stderr.contains("job \"profiles\" is being run by another ctsync process"), "\(importing.stderr)")
            kill(running.processIdentifier, SIGKILL)
            try await fixture.waitForExit(running)
            // The run recorded nothing of the refused commands' doing.
            let show = try await fixture.ctsync(["state", "show", "profiles"])
            #expect(show.status == 0, "\(show.stderr)")
        }
    }

    /// export and import move a job between SQLite and PostgreSQL, both ways; the
    /// exports of the three states are identical.
    @Test(.enabled(if: PostgresTestDatabase.isConfigured, PostgresTestDatabase.skipMessage))
    func exportAndImportMoveAJobBetweenBackends() async throws {
        try await StateCommandFixture.with(.sqlite, rows: 12_000) { fixture in
            #expect(try await fixture.run().status == 0)
            fixture.base.writeContacts(12_000) { $0 % 1000 == 0 ? " Jr" : "" }
            #expect(try await fixture.run(["--report-pii"]).status == 0)
            let sqlite = fixture.state.argument
            let postgres = try await TestState(.postgres)
            let copy = fixture.dir.path + "/copy.sqlite"

            func export(_ state: String) async throws -> String {
                let result = try await runProcessDetached(
                    Products.ctsync, ["state", "export", "profiles", "--state", state], directory: fixture.dir.path)
                #expect(result.status == 0, "\(result.stderr)")
                return result.stdout
            }
            let original = try await export(sqlite)
            let lines = original.split(separator: "\n")
            #expect(lines.count == 1 + 2 + 12_000)
            #expect(lines[0].hasPrefix(#"{"destination":{"account":"123","endpoint":"http://127.0.0.1:"#))
            #expect(lines[0].contains(#""format":"ctsync-state-export","format_version":1,"job":"profiles""#))
            #expect(lines[1].contains(#""type":"run""#) && lines[3].contains(#""type":"ack""#))

            // SQLite → PostgreSQL through a file.
            fixture.dir.write("profiles.jsonl", original)
            let into = try await runProcessDetached(
                Products.ctsync, ["state", "import", fixture.dir.path + "/profiles.jsonl", "--state", postgres.argument],
                directory: fixture.dir.path)
            #expect(into.status == 0, "\(into.stderr)")
            #expect(into.stderr.contains("1 job state, 2 runs, 12000 keys"), "\(into.stderr)")
            #expect(try await export(postgres.argument) == original)

            // PostgreSQL → SQLite through a pipe.
            let pipe = try await runProcessDetached(
                "/bin/sh",
                [
                    "-c",
                    "'\(Products.ctsync)' state export profiles --state '\(postgres.argument)' | '\(Products.ctsync)' state import --state '\(copy)'",
                ], directory: fixture.dir.path)
            #expect(pipe.status == 0, "\(pipe.stderr)")
            #expect(try await export(copy) == original)

            // Each imported state plans the job as unchanged and keeps its history.
            for state in [postgres.argument, copy] {
                let plan = try await fixture.ctsync(["plan", fixture.job, "--state", state])
                #expect(plan.stdout.contains("Plan: 0 to add, 0 to change, 0 rejected, 12000 unchanged."), "\(state): \(plan.stdout)")
                let history = try await runProcessDetached(
                    Products.ctsync, ["history", "profiles", "--state", state], directory: fixture.dir.path)
                #expect(history.stdout.hasPrefix("profiles: 2 runs"), "\(history.stdout)")
            }

            // Importing onto a job that holds keys is refused.
            let twice = try await runProcessDetached(
                Products.ctsync, ["state", "import", fixture.dir.path + "/profiles.jsonl", "--state", copy],
                directory: fixture.dir.path)
            #expect(twice.status == 1)
            #expect(twice.stderr.contains("state already holds keys of job profiles"), "\(twice.stderr)")
            // A line that is not an export says where.
            fixture.dir.write("bad.jsonl", "{\"type\":\"ack\"}\n")
            let bad = try await runProcessDetached(
                Products.ctsync, ["state", "import", fixture.dir.path + "/bad.jsonl", "--state", fixture.dir.path + "/x.sqlite"],
                directory: fixture.dir.path)
            #expect(bad.status == 64)
            #expect(bad.stderr.contains("bad.jsonl:1: a key before any job line"), "\(bad.stderr)")
            withExtendedLifetime(postgres) {}
        }
    }
}
