import ClevertapSandbox
import Foundation
import Testing

@testable import CTSyncPlan
@testable import CTSyncReport
@testable import CTSyncState

/// A second SIGINT stops a run at once, cancelling its requests in flight, and still
/// writes the report (`aborted`), records the run's end and prints the summary; the
/// next plan and run say how the previous run ended and what they resend.
@Suite("ctsync run interrupted twice")
struct SecondInterruptTests {
    /// Waits until `file` contains `text` (the process says it on stderr).
    static func waitFor(_ text: String, in file: String, process: ChildProcess) async throws {
        try await eventually(.seconds(60), "\"\(text)\" on stderr") {
            let output = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
            return output.contains(text) || !process.isRunning
        }
    }

    @Test func secondSigintCancelsRequestsInFlightAndStillReports() async throws {
        // 3 s per request: a run that waited for its requests in flight would take that long to stop.
        try await RunFixture.with(faults: FaultConfiguration(latencyMilliseconds: 3000)) { fixture in
            let rows = 5_000
            fixture.writeContacts(rows)
            let job = fixture.profilesJob(batchSize: 100, concurrency: 5, timeout: "60s")
            let report = fixture.dir.path + "/aborted.json"
            let stderr = fixture.dir.path + "/stderr.txt"
            let process = try fixture.start(job, report: report, stderrFile: stderr)
            // Some batches acknowledged, and the next ones in flight at the sandbox.
            try await eventually(.seconds(120), "acknowledged batches and requests in flight") {
                let stats = fixture.server.stats()
                return (stats.profiles >= 500 && stats.inFlight >= 3) || !process.isRunning
            }
            #expect(process.isRunning)
            process.send(SIGINT)
            try await Self.waitFor("interrupt again to stop at once", in: stderr, process: process)
            process.send(SIGINT)
            let status = try await process.exitStatus(within: .seconds(60))
            let output = fixture.dir.read("stderr.txt")
            #expect(status == 3, "\(output)")
            #expect(output.contains("stopping now: cancelling requests in flight"), "\(output)")
            // The summary, on stderr as for any run.
            #expect(output.contains("profiles: aborted."), "\(output)")
            #expect(output.contains("Aborted: interrupted twice"), "\(output)")

            let parsed = try OutputContract.decode(RunReportDocument.self, file: report, schema: "report")
            #expect(parsed.status == .aborted)
            #expect(parsed.abortReason?.hasPrefix("interrupted twice") == true, "\(parsed.abortReason ?? "nil")")
            RunFixture.expectCountsAddUp(parsed)
            let c = parsed.counts
            #expect(c.succeeded + c.rejected + c.failed <= c.planned, "\(c)")
            #expect(c.failed == 0, "cancelled requests are not failures: \(c)")
            #expect(c.possiblyDuplicated <= c.sent && c.sent <= c.planned, "\(c)")
            // The cancelled requests had reached the sandbox: their records count as possibly duplicated.
            #expect(c.possiblyDuplicated > 0, "\(c)")
            #expect(c.sent == c.succeeded + c.rejected + c.possiblyDuplicated, "\(c)")

            // What the sandbox stored beyond the acknowledged records is counted as possibly duplicated.
            try await fixture.waitUntilIdle()
            let stored = fixture.server.stats().profiles
            #expect(stored >= c.succeeded)
            #expect(stored - c.succeeded <= c.possiblyDuplicated, "stored \(stored), \(c)")
            // State recorded the acknowledged records, and the run's end.
            let store = try SQLiteStateStore(path: fixture.statePath, readOnly: true)
            #expect(try store.acknowledgedCount(named: "profiles") == c.succeeded)
            let runs = try store.runs(named: "profiles", limit: 5)
            #expect(runs.count == 1)
            #expect(runs.first?.outcome == .aborted)
            #expect(runs.first?.abortReason?.hasPrefix("interrupted twice") == true)
            let startedAt = try #require(runs.first?.startedAt)
            store.shutdown()

            // The next plan says how the previous run ended and how much a run now resends.
            let resend = rows - c.succeeded
            let plan = try await ctsync(
                "plan", job, "--state", fixture.statePath, environment: fixture.environment,
                directory: fixture.dir.path)
            #expect(plan.status == 0, "\(plan.stderr)")
            let started = ISO8601DateFormatter.string(
                from: startedAt, timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withInternetDateTime])
            #expect(
                plan.stdout.contains(
                    "the previous run of profiles (started \(started)) was aborted after sending \(c.sent) of "
                        + "\(c.planned) planned records (\(c.succeeded) acknowledged); a run now resends the "
                        + "\(resend) records not acknowledged"), "\(plan.stdout)")
            let json = try await ctsync(
                "plan", job, "--state", fixture.statePath, "--format", "json", environment: fixture.environment,
                directory: fixture.dir.path)
            let document = try OutputContract.decode(PlanDocument.self, json.stdout, schema: "plan")
            #expect(document.counts.planned == resend)
            let unfinished = try #require(document.state.unfinishedRun)
            #expect(unfinished.runID == parsed.runID)
            #expect(unfinished.status == "aborted")
            #expect(unfinished.sent == c.sent && unfinished.planned == c.planned)
            #expect(unfinished.acknowledged == c.succeeded)

            // The next run says it too, then sends exactly what was not acknowledged.
            let (rerun, rerunReport) = try await fixture.run(job)
            #expect(rerun.status == 0, "\(rerun.stderr)")
            #expect(
                rerun.stderr.contains(
                    "the previous run of profiles (started \(started)) was aborted after sending \(c.sent) of "
                        + "\(c.planned) planned records (\(c.succeeded) acknowledged); this run resends the records "
                        + "not acknowledged"), "\(rerun.stderr)")
            RunFixture.expectCountsAddUp(rerunReport)
            #expect(rerunReport.counts.planned == resend)
            #expect(rerunReport.counts.succeeded == resend)
            try await fixture.waitUntilIdle()
            #expect(fixture.server.stats().profiles == rows)
            // Finished: the plan after it has nothing to say about an earlier run.
            let after = try await ctsync(
                "plan", job, "--state", fixture.statePath, environment: fixture.environment,
                directory: fixture.dir.path)
            #expect(!after.stdout.contains("the previous run"), "\(after.stdout)")
        }
    }

    @Test func aPlanAfterAKilledRunSaysItNeverFinished() async throws {
        try await RunFixture.with(faults: FaultConfiguration(latencyMilliseconds: 200)) { fixture in
            fixture.writeContacts(5_000)
            let job = fixture.profilesJob(batchSize: 100, concurrency: 2)
            let process = try fixture.start(job, report: fixture.dir.path + "/killed.json")
            try await eventually(.seconds(120), "acknowledged batches") {
                fixture.server.stats().profiles >= 200 || !process.isRunning
            }
            process.send(SIGKILL)
            #expect(try await process.exitStatus() == SIGKILL)
            let plan = try await ctsync(
                "plan", job, "--state", fixture.statePath, environment: fixture.environment,
                directory: fixture.dir.path)
            #expect(plan.stdout.contains("the previous run of profiles (started "), "\(plan.stdout)")
            #expect(
                plan.stdout.contains("never finished (it was killed, or it is still running); a run now resends the"),
                "\(plan.stdout)")
            try await fixture.waitUntilIdle()
        }
    }
}
