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

/// The reliability suites (issue 6): `ctsync run`, the built binary, against the
/// in-process sandbox with injected faults, and killed mid-run then resumed.
/// Serialized: each test drives two processes hard on a small machine.
@Suite("reliability", .serialized)
struct ReliabilityTests {}

extension ReliabilityTests {
    /// One test a fault. Each runs a profiles job and an events job of
    /// `CTSYNC_RELIABILITY_RECORDS` rows each in one `ctsync run`, then checks that
    /// every planned record ended exactly once in succeeded/rejected/failed, that
    /// the sandbox holds every row exactly as the source has it and state exactly
    /// what the sandbox holds, that duplicates come only from answers the client
    /// never saw and are reported, and that the client kept its concurrency.
    @Suite("fault injection")
    struct FaultScenarios {
        static let options = ReliabilityWorkload.Options(
            batchSize: 500, concurrency: 12, maxAttempts: 12, requestTimeout: "10s")

        /// 30% of requests answered 429 with `Retry-After: 1`: nothing processed twice.
        @Test func storm429() async throws {
            try await run(
                Scenario(
                    name: "429 storm", salt: 1, faults: FaultConfiguration(fault429: 0.3, retryAfterSeconds: 1)))
        }

        /// 500/502/503 in bursts: half the requests fail for 25 requests, then 6% for 25, and so on.
        @Test func bursts5xx() async throws {
            let burst = FaultConfiguration(fault500: 0.2, fault502: 0.15, fault503: 0.15)
            let calm = FaultConfiguration(fault500: 0.02, fault502: 0.02, fault503: 0.02)
            try await run(Scenario(name: "5xx bursts", salt: 2, faults: burst, calm: calm))
        }

        /// 20% of connections closed before processing: re-sent, never duplicated.
        @Test func droppedConnections() async throws {
            try await run(Scenario(name: "dropped connections", salt: 3, faults: FaultConfiguration(faultDrop: 0.2)))
        }

        /// 20% of batches stored, then the connection closed without an answer: the retry
        /// duplicates events, and the report counts them as possibly duplicated.
        @Test func responsesLostAfterProcessing() async throws {
            try await run(
                Scenario(
                    name: "lost responses", salt: 4, faults: FaultConfiguration(faultLost: 0.2), mayDuplicate: true))
        }

        /// 10% of batches stored, then answered after 1.5 s, past the 1 s request_timeout.
        /// ctsync keeps a timed-out request's slot for one more timeout (the server may still
        /// hold it), which covers 1.5 s: the sandbox must never see more than `concurrency`.
        @Test func responsesSlowerThanTheTimeout() async throws {
            var options = Self.options
            options.requestTimeout = "1s"
            try await run(
                Scenario(
                    name: "slow responses", salt: 5, faults: FaultConfiguration(faultSlow: 0.1, slowMilliseconds: 1500),
                    options: options, mayDuplicate: true))
        }

        /// Every fault at once, 35% of requests in all.
        @Test func everyFaultMixed() async throws {
            var options = Self.options
            options.requestTimeout = "1s"
            let faults = FaultConfiguration(
                fault429: 0.1, fault500: 0.03, fault502: 0.03, fault503: 0.04, faultDrop: 0.05,
                faultLost: 0.05, faultSlow: 0.05, slowMilliseconds: 1500)
            try await run(Scenario(name: "mixed", salt: 6, faults: faults, options: options, mayDuplicate: true))
        }

        /// 40% transient faults of every kind CleverTap answers (429, 500, 502, 503,
        /// dropped connections, lost responses) with every job option at its default,
        /// over several seeds: every row acknowledged, exit 0, the sandbox holds the
        /// source, and every record it stored more than once is counted as possibly
        /// duplicated. 429s are back-pressure (retried within retry_timeout, never using
        /// up max_attempts), so a batch gives up only after 10 other failures.
        @Test(arguments: [11, 12, 13] as [UInt64])
        func fortyPercentTransientFaultsWithDefaultOptions(salt: UInt64) async throws {
            let faults = FaultConfiguration(
                fault429: 0.16, fault500: 0.06, fault502: 0.03, fault503: 0.05, faultDrop: 0.05, faultLost: 0.05)
            try await run(
                Scenario(
                    name: "40% transient faults, default options", salt: salt, faults: faults,
                    options: ReliabilityWorkload.Options.jobDefaults, defaultOptions: true, mayDuplicate: true))
        }

        /// A 50% storm of 429s with `Retry-After: 1` and `--retry-timeout 2s`: a batch
        /// answered 429 twice in a row runs out of time and gives up. Its records end
        /// `failed` (grouped under http_429), are in neither the sandbox nor state (a 429
        /// is never processed), the run exits 1, and a rerun without faults sends exactly them.
        @Test func storm429ExhaustingRetryTimeout() async throws {
            let rows = ReliabilitySettings.records
            let seed = ReliabilitySettings.seed &+ 7
            let options = Self.options
            let faults = FaultConfiguration(
                latencyMilliseconds: 20, jitterMilliseconds: 20, fault429: 0.5, retryAfterSeconds: 1)
            try await ReliabilityFixture.with(rows: rows, faults: faults, seed: seed) { fixture in
                fixture.writeJobs(options)
                let state = fixture.statePath()
                let (result, reports) = try await fixture.run(
                    [fixture.jobsDirectory], state: state, extra: ["--retry-timeout", "2s"])
                try await fixture.waitUntilIdle()
                let stats = fixture.server.stats()
                let context = """
                    [429 storm exhausting --retry-timeout 2s, seed \(seed), \(rows) rows a job]
                      profiles report: \(reports[ReliabilityWorkload.profilesJob]?.summary ?? "none")
                      events report:   \(reports[ReliabilityWorkload.eventsJob]?.summary ?? "none")
                      sandbox: \(stats.summary)
                      stderr: \(result.stderr.suffix(1500))
                    """
                var failed: [String: Int] = [:]
                for job in [ReliabilityWorkload.profilesJob, ReliabilityWorkload.eventsJob] {
                    let report = try #require(reports[job], "no \(job) report\n\(context)")
                    let (stored, recorded) = try holdings(job, fixture: fixture, rows: rows, state: state)
                    failed[job] = report.counts.failed
                    #expect(report.counts.planned == rows, "\(job): planned\n\(context)")
                    #expect(
                        report.counts.planned == report.counts.succeeded + report.counts.failed
                            && report.counts.rejected == 0,
                        "\(job): planned ≠ succeeded + failed\n\(context)")
                    #expect(
                        report.status == (report.counts.failed > 0 ? .failed : .succeeded),
                        "\(job): status\n\(context)")
                    #expect(report.errors["http_429"] != nil || report.counts.failed == 0, "\(job): errors\n\(context)")
                    #expect(
                        report.errors["http_429"]?.samples.allSatisfy { $0.message.contains("retry_timeout") } ?? true,
                        "\(job): the message names retry_timeout\n\(context)")
                    // What failed is exactly what the sandbox lacks, and state records exactly what it holds.
                    #expect(stored.keys.count == report.counts.succeeded, "\(job): stored ≠ succeeded\n\(context)")
                    #expect(recorded.keys == stored.keys, "\(job): state ≠ sandbox\n\(context)")
                    #expect(
                        stored.duplicates == 0 && stored.mismatches == 0, "\(job): duplicates or mismatches\n\(context)")
                }
                let anyFailed = failed.values.contains { $0 > 0 }
                #expect(result.status == (anyFailed ? 1 : 0), "exit status\n\(context)")
                #expect(stats.maxInFlight <= options.concurrency, "max in flight\n\(context)")

                // Without faults, a rerun sends exactly the records that failed.
                try fixture.server.setFaults(FaultConfiguration(latencyMilliseconds: 20))
                let (rerun, again) = try await fixture.run([fixture.jobsDirectory], state: state)
                try await fixture.waitUntilIdle()
                #expect(rerun.status == 0, "rerun exit \(rerun.status): \(rerun.stderr.suffix(1500))\n\(context)")
                for job in [ReliabilityWorkload.profilesJob, ReliabilityWorkload.eventsJob] {
                    let report = try #require(again[job], "no \(job) report from the rerun\n\(context)")
                    let (stored, recorded) = try holdings(job, fixture: fixture, rows: rows, state: state)
                    #expect(report.counts.planned == failed[job], "\(job): rerun planned\n\(report.summary)\n\(context)")
                    #expect(report.counts.succeeded == failed[job], "\(job): rerun succeeded\n\(context)")
                    #expect(
                        stored.keys.count == rows && recorded.keys == stored.keys, "\(job): after the rerun\n\(context)")
                    #expect(
                        stored.duplicates == 0 && stored.mismatches == 0, "\(job): duplicates or mismatches\n\(context)")
                }
                print(
                    """
                    reliability: 429 storm exhausting --retry-timeout 2s (seed \(seed)): \(rows) rows a job; \
                    failed \(failed[ReliabilityWorkload.profilesJob] ?? -1)+\(failed[ReliabilityWorkload.eventsJob] ?? -1), \
                    all re-sent by the rerun; max in flight \(stats.maxInFlight)/\(options.concurrency); sandbox \(stats.summary)
                    """)
            }
        }

        /// What the sandbox and state hold for `job`, contents checked.
        func holdings(_ job: String, fixture: ReliabilityFixture, rows: Int, state: String) throws -> (
            Holdings, Holdings
        ) {
            if job == ReliabilityWorkload.eventsJob {
                return (
                    Holdings.events(in: fixture.server, checkContent: true),
                    try Holdings.state(at: state, job: job, rows: rows, key: ReliabilityWorkload.orderKey)
                )
            }
            return (
                Holdings.profiles(in: fixture.server, checkContent: true),
                try Holdings.state(at: state, job: job, rows: rows, key: ReliabilityWorkload.contactKey)
            )
        }

        // MARK: - One scenario

        struct Scenario: Sendable {
            var name: String
            /// Makes the sandbox's fault seed differ from scenario to scenario.
            var salt: UInt64
            var faults: FaultConfiguration
            /// When set, the sandbox alternates between `faults` and this every `burstRequests` requests.
            var calm: FaultConfiguration? = nil
            var burstRequests = 25
            var options = FaultScenarios.options
            /// Write jobs without options (every option at its default; `options` must say what those are).
            var defaultOptions = false
            /// Whether the sandbox may process a request whose answer the client never sees.
            var mayDuplicate = false
        }

        func run(_ scenario: Scenario) async throws {
            let rows = ReliabilitySettings.records
            let seed = ReliabilitySettings.seed &+ scenario.salt
            var faults = scenario.faults
            // Latency keeps the client's window full, so a request too many would show.
            faults.latencyMilliseconds = 20
            faults.jitterMilliseconds = 20
            try await ReliabilityFixture.with(rows: rows, faults: faults, seed: seed) { fixture in
                fixture.writeJobs(scenario.defaultOptions ? nil : scenario.options)
                let calm = scenario.calm.map { calm in
                    var quiet = calm
                    quiet.latencyMilliseconds = faults.latencyMilliseconds
                    quiet.jitterMilliseconds = faults.jitterMilliseconds
                    return quiet
                }
                let started = ContinuousClock.now
                let (result, reports) = try await alternatingFaults(
                    fixture.server, faults, calm, every: scenario.burstRequests
                ) {
                    try await fixture.run([fixture.jobsDirectory], state: fixture.statePath())
                }
                try await fixture.waitUntilIdle()
                let elapsed = ContinuousClock.now - started
                let stats = fixture.server.stats()

                let profilesReport = try #require(
                    reports[ReliabilityWorkload.profilesJob], "no profiles report; stderr: \(result.stderr)")
                let eventsReport = try #require(
                    reports[ReliabilityWorkload.eventsJob], "no events report; stderr: \(result.stderr)")
                let state = fixture.statePath()
                let (profiles, profilesState) = try holdings(
                    ReliabilityWorkload.profilesJob, fixture: fixture, rows: rows, state: state)
                let (events, eventsState) = try holdings(
                    ReliabilityWorkload.eventsJob, fixture: fixture, rows: rows, state: state)

                let context = """
                    [\(scenario.name), seed \(seed), \(rows) rows a job, batch_size \(scenario.options.batchSize), \
                    concurrency \(scenario.options.concurrency)]
                      profiles report: \(profilesReport.summary)
                      events report:   \(eventsReport.summary)
                      sandbox: \(stats.summary)
                      stderr: \(result.stderr.suffix(1500))
                    """
                #expect(result.status == 0, "ctsync exited \(result.status)\n\(context)")

                let sourceKeys: [String: Set<String>] = [
                    ReliabilityWorkload.profilesJob: Set((0..<rows).map(ReliabilityWorkload.contactKey)),
                    ReliabilityWorkload.eventsJob: Set((0..<rows).map(ReliabilityWorkload.orderKey)),
                ]
                for (job, report, stored, recorded) in [
                    (ReliabilityWorkload.profilesJob, profilesReport, profiles, profilesState),
                    (ReliabilityWorkload.eventsJob, eventsReport, events, eventsState),
                ] {
                    let all = sourceKeys[job]!
                    // Every planned record ends in exactly one of succeeded, rejected, failed.
                    #expect(report.status == .succeeded, "\(job): status \(report.status)\n\(context)")
                    #expect(report.counts.sourceRows == rows, "\(job): source rows\n\(context)")
                    #expect(report.counts.planned == rows, "\(job): planned\n\(context)")
                    #expect(
                        report.counts.planned
                            == report.counts.succeeded + report.counts.rejected + report.counts.failed,
                        "\(job): planned ≠ succeeded + rejected + failed\n\(context)")
                    #expect(report.counts.failed == 0, "\(job): failed records\n\(context)")
                    #expect(report.counts.rejected == 0, "\(job): rejected records\n\(context)")

                    // The sandbox holds every row, exactly as the source has it, and nothing else.
                    let missing = all.subtracting(stored.keys)
                    #expect(missing.isEmpty, "\(job): the sandbox lacks \(sample(missing))\n\(context)")
                    #expect(stored.foreign == 0, "\(job): \(stored.foreign) stored items are no row of the source")
                    #expect(
                        stored.mismatches == 0,
                        "\(job): \(stored.mismatches) stored records differ from their row: \(stored.mismatchSamples)\n\(context)"
                    )

                    // State holds exactly what the sandbox acknowledged: never a key the sandbox lacks,
                    // and every succeeded record.
                    let unstored = recorded.keys.subtracting(stored.keys)
                    #expect(unstored.isEmpty, "\(job): state acknowledges keys the sandbox lacks: \(sample(unstored))")
                    #expect(recorded.foreign == 0, "\(job): state holds \(recorded.foreign) keys of no source row")
                    #expect(
                        recorded.keys.count == report.counts.succeeded,
                        "\(job): state holds \(recorded.keys.count) keys, the report says \(report.counts.succeeded) succeeded\n\(context)"
                    )

                    // Duplicates come only from answers the client never saw, and the report counts
                    // every record stored more than once (once, however many copies it has).
                    let duplicates = stored.duplicates
                    #expect(
                        stored.repeated <= report.counts.possiblyDuplicated,
                        "\(job): \(stored.repeated) records stored more than once, the report says \(report.counts.possiblyDuplicated) possibly duplicated\n\(context)"
                    )
                    #expect(
                        report.counts.possiblyDuplicated <= report.counts.sent,
                        "\(job): possibly_duplicated > sent\n\(context)")
                    #expect(report.counts.sent <= report.counts.planned, "\(job): sent > planned\n\(context)")
                    let unanswered = (stats.lostResponses + stats.slowResponses) * scenario.options.batchSize
                    #expect(
                        duplicates <= unanswered,
                        "\(job): \(duplicates) duplicates but only \(unanswered) records went unanswered\n\(context)")
                    if !scenario.mayDuplicate {
                        #expect(duplicates == 0, "\(job): \(duplicates) duplicates without a lost answer\n\(context)")
                    }
                }
                if !scenario.mayDuplicate {
                    #expect(stats.recordsProcessed == 2 * rows, "records processed more than once\n\(context)")
                }
                // The client never had more requests in flight than its concurrency.
                #expect(
                    stats.maxInFlight <= scenario.options.concurrency,
                    "the sandbox saw \(stats.maxInFlight) requests in flight, concurrency is \(scenario.options.concurrency)\n\(context)"
                )

                print(
                    """
                    reliability: \(scenario.name) (seed \(seed)): \(rows) rows a job in \(elapsed); \
                    requests \(profilesReport.http.requests)+\(eventsReport.http.requests), \
                    retries \(profilesReport.http.retries)+\(eventsReport.http.retries), \
                    throttled \(profilesReport.http.throttled)+\(eventsReport.http.throttled), \
                    possibly duplicated \(profilesReport.counts.possiblyDuplicated)+\(eventsReport.counts.possiblyDuplicated), \
                    duplicate events \(events.duplicates), profiles upserted twice \(profiles.duplicates), \
                    max in flight \(stats.maxInFlight)/\(scenario.options.concurrency); sandbox \(stats.summary)
                    """)
            }
        }

        /// Runs `body` while switching the sandbox between `burst` and `calm` (when there is
        /// a calm) every `every` upload requests; the switching ends with `body`, and is
        /// awaited, whether `body` returns or throws.
        func alternatingFaults<Result>(
            _ server: SandboxServer, _ burst: FaultConfiguration, _ calm: FaultConfiguration?, every: Int,
            _ body: () async throws -> Result
        ) async throws -> Result {
            guard let calm else { return try await body() }
            return try await withThrowingTaskGroup(of: Void.self, returning: Result.self) { group in
                group.addTask {
                    var bursting = true
                    var next = every
                    // The sandbox announces no request count: it is looked at every 5 ms.
                    while !Task.isCancelled {
                        if server.stats().requests >= next {
                            bursting.toggle()
                            try? server.setFaults(bursting ? burst : calm)
                            next += every
                        }
                        try? await Task.sleep(for: .milliseconds(5))
                    }
                }
                defer { group.cancelAll() }
                return try await body()
            }
        }
    }
}
