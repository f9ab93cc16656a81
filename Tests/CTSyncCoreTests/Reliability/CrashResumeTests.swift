import ClevertapSandbox
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

extension ReliabilityTests {
    /// `ctsync run` killed with SIGKILL at a random moment, then run again to
    /// completion: nothing is lost, state agrees with the sandbox, and what is sent
    /// twice is bounded by what was in progress at the kill. Trials alternate between
    /// the profiles job and the events job; the kill moments come from the seed.
    @Suite("crash and resume")
    struct CrashResume {
        static let options = ReliabilityWorkload.Options(
            batchSize: 500, concurrency: 10, maxAttempts: 6, requestTimeout: "10s")
        /// Latency keeps requests in flight long enough that a kill lands mid-request.
        static let faults = FaultConfiguration(latencyMilliseconds: 20, jitterMilliseconds: 30)

        /// Over each state backend: a SQLite file, and a PostgreSQL database (a fresh one
        /// a trial) when CTSYNC_TEST_POSTGRES_URL names a server.
        @Test(arguments: StateBackend.configured)
        func sigkillAtRandomMomentsThenRerun(_ backend: StateBackend) async throws {
            let rows = ReliabilitySettings.records
            let trials = ReliabilitySettings.crashTrials
            let seed = ReliabilitySettings.seed &+ 100
            try await ReliabilityFixture.with(rows: rows, faults: Self.faults, seed: seed) { fixture in
                var random = SeededGenerator(seed: seed)
                let jobs = fixture.writeJobs(Self.options)
                let inProgress = 2 * Self.options.concurrency * Self.options.batchSize

                for trial in 1...trials {
                    let events = trial % 2 == 0
                    let job = events ? ReliabilityWorkload.eventsJob : ReliabilityWorkload.profilesJob
                    let key = events ? ReliabilityWorkload.orderKey : ReliabilityWorkload.contactKey
                    let trialState: TestState? = backend == .postgres ? try await TestState(.postgres) : nil
                    let state = trialState?.argument ?? fixture.statePath("trial-\(trial)")
                    fixture.server.reset()

                    // The kill moment: mostly once a random share of the rows reached the sandbox,
                    // sometimes a random time after launch (while planning or starting to send).
                    let early = Int.random(in: 0..<5, using: &random) == 0
                    let share = Double.random(in: 0..<0.95, using: &random)
                    let delay = Int.random(in: 0..<(early ? 400 : 60), using: &random)
                    let moment = early ? "\(delay) ms after launch" : "\(Int(share * 100))% delivered + \(delay) ms"
                    let process = try fixture.base.start(
                        events ? jobs.events : jobs.profiles, state: state, report: fixture.dir.path + "/killed.json")
                    if !early {
                        let threshold = Int(share * Double(rows))
                        try await eventually(.seconds(300), "\(threshold) records at the sandbox", every: .milliseconds(2)) {
                            fixture.server.stats().recordsProcessed >= threshold || !process.isRunning
                        }
                    }
                    // Not a wait for an event: the delay is the trial's chosen kill moment.
                    try await Task.sleep(for: .milliseconds(delay))
                    let finishedFirst = !process.isRunning
                    process.send(SIGKILL)
                    try await process.exitStatus()
                    // Requests the dead process left in flight still land; wait for them.
                    try await fixture.waitUntilIdle()

                    let heldAtKill =
                        events
                        ? Holdings.events(in: fixture.server, checkContent: false)
                        : Holdings.profiles(in: fixture.server, checkContent: false)
                    let recordedAtKill = try await runDetached {
                        try Holdings.state(at: state, job: job, rows: rows, key: key)
                    }
                    let unrecorded = heldAtKill.keys.subtracting(recordedAtKill.keys)
                    let context = """
                        [\(backend) trial \(trial)/\(trials), seed \(seed), \(job) job of \(rows) rows, killed at \(moment)\
                        \(finishedFirst ? " (had already finished)" : "")]
                          at the kill: sandbox held \(heldAtKill.keys.count) keys (\(heldAtKill.copies) copies), \
                        state \(recordedAtKill.keys.count), held but unrecorded \(unrecorded.count)
                        """

                    // State never claims a key the sandbox lacks; what it lacks is bounded by the batches in progress.
                    let phantom = recordedAtKill.keys.subtracting(heldAtKill.keys)
                    #expect(phantom.isEmpty, "state acknowledges keys the sandbox lacks: \(sample(phantom))\n\(context)")
                    #expect(recordedAtKill.foreign == 0, "state holds keys of no source row\n\(context)")
                    #expect(
                        unrecorded.count <= inProgress,
                        "\(unrecorded.count) records reached the sandbox but not state (bound \(inProgress))\n\(context)")
                    #expect(heldAtKill.duplicates == 0, "duplicates before any retry\n\(context)")

                    let (result, reports) = try await fixture.run([events ? jobs.events : jobs.profiles], state: state)
                    try await fixture.waitUntilIdle()
                    let report = try #require(reports[job], "no report from the rerun\n\(context)\n\(result.stderr)")
                    let held =
                        events
                        ? Holdings.events(in: fixture.server, checkContent: true)
                        : Holdings.profiles(in: fixture.server, checkContent: true)
                    let recorded = try await runDetached { try Holdings.state(at: state, job: job, rows: rows, key: key) }
                    let rerun =
                        "\(context)\n  rerun: exit \(result.status), \(report.summary)\n  \(result.stderr.suffix(1000))"

                    #expect(result.status == 0, "rerun failed\n\(rerun)")
                    #expect(report.status == .succeeded, "rerun status\n\(rerun)")
                    // The rerun sends exactly what state lacked, and nothing is missing afterwards.
                    #expect(report.counts.unchanged == recordedAtKill.keys.count, "rerun unchanged\n\(rerun)")
                    #expect(report.counts.planned == rows - recordedAtKill.keys.count, "rerun planned\n\(rerun)")
                    #expect(report.counts.succeeded == report.counts.planned, "rerun succeeded\n\(rerun)")
                    let all = Set((0..<rows).map(key))
                    let missing = all.subtracting(held.keys)
                    #expect(missing.isEmpty, "the sandbox lacks \(sample(missing)) after the rerun\n\(rerun)")
                    #expect(held.foreign == 0 && held.mismatches == 0, "stored \(held.mismatchSamples)\n\(rerun)")
                    #expect(recorded.keys == held.keys, "state and sandbox disagree after the rerun\n\(rerun)")
                    #expect(recorded.foreign == 0, "state holds keys of no source row\n\(rerun)")
                    // Sent twice: exactly the records the sandbox held but state had not recorded.
                    #expect(
                        held.duplicates == unrecorded.count,
                        "\(held.duplicates) records stored twice, \(unrecorded.count) were unrecorded at the kill\n\(rerun)"
                    )

                    print(
                        """
                        reliability: crash trial \(trial)/\(trials) (\(job), \(backend) state): killed at \(moment)\
                        \(finishedFirst ? " after it finished" : ""); sandbox held \(heldAtKill.keys.count), \
                        state \(recordedAtKill.keys.count), re-sent \(unrecorded.count) (bound \(inProgress)); \
                        rerun planned \(report.counts.planned)\
                        \(recordedAtKill.unfinishedState.map { "; state left unfinished, read-only open refused it: \($0)" } ?? "")
                        """)
                    // The trial's database is dropped when its TestState goes: not before here.
                    withExtendedLifetime(trialState) {}
                }
            }
        }
    }
}
