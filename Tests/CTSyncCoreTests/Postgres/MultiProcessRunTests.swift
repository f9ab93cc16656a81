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

/// Several `ctsync run` processes against one in-process sandbox and one state
/// (a SQLite file with its lock files, or a PostgreSQL database).
@Suite("ctsync processes sharing state", .serialized)
struct MultiProcessRunTests {
    /// The sandbox's own limit is lifted so that `maxInFlight` measures how many
    /// requests the processes really had in flight, instead of 429-ing the excess.
    static func withFixture<Result>(latency: Int, _ body: (RunFixture) async throws -> Result) async throws -> Result {
        try await RunFixture.with(
            faults: FaultConfiguration(latencyMilliseconds: latency),
            limits: ValidationLimits(maxConcurrentRequests: 1000), body)
    }

    /// Writes `rows` profiles whose ids and identities start with `prefix`, and a job named `name` over them.
    @discardableResult
    static func writeJob(
        in dir: TemporaryDirectory, name: String, prefix: String, rows: Int, batchSize: Int = 50, concurrency: Int = 15,
        suffix: String = ""
    ) -> String {
        var csv = "id,email,name\n"
        for i in 0..<rows { csv += "\(prefix)\(i),\(prefix)\(i)@example.com,User \(i)\(suffix)\n" }
        dir.write("\(name).csv", csv)
        return dir.write(
            "\(name).yaml",
            """
            version: 1
            name: \(name)
            destination: { region: in1, account_id: "${CLEVERTAP_ACCOUNT_ID}", passcode: "${CLEVERTAP_PASSCODE}" }
            source: { file: \(name).csv }
            object: profiles
            mode: upsert
            primary_key: id
            mappings:
              - { from: email, to: identity }
              - { from: name, to: Name }
            options:
              batch_size: \(batchSize)
              concurrency: \(concurrency)
              max_attempts: 8
              request_timeout: 30s
            """)
    }

    /// Three processes, three jobs of one account, each declaring concurrency 15:
    /// together they never have more than 15 requests in flight.
    @Test(arguments: StateBackend.configured)
    func threeProcessesKeepTheAccountWithinFifteen(_ backend: StateBackend) async throws {
        try await Self.withFixture(latency: 100) { fixture in
            let state = try await TestState(backend, directory: fixture.dir)
            let rows = 4500
            let jobs = (0..<3).map { Self.writeJob(in: fixture.dir, name: "job\($0)", prefix: "p\($0)-", rows: rows) }
            async let first = fixture.run(jobs[0], state: state.argument, directory: fixture.dir.path)
            async let second = fixture.run(jobs[1], state: state.argument, directory: fixture.dir.path)
            async let third = fixture.run(jobs[2], state: state.argument, directory: fixture.dir.path)
            let results = try await [first, second, third]
            for (result, report) in results {
                #expect(result.status == 0, "\(result.stderr)")
                #expect(report.counts.succeeded == rows)
            }
            let stats = fixture.server.stats()
            #expect(stats.profiles == 3 * rows)
            #expect(stats.maxInFlight <= 15, "\(stats.maxInFlight) requests in flight at once")
            #expect(stats.maxInFlight >= 10, "the processes did not use the account's slots: \(stats.maxInFlight)")
            for job in 0..<3 { #expect(try state.acknowledged("job\(job)") == rows) }
            print("coordination: 3 processes x concurrency 15, \(backend) state: sandbox max in flight \(stats.maxInFlight)")
        }
    }

    /// The control: three processes with separate state files share nothing, and
    /// the sandbox sees more than 15 requests at once (the test above can fail).
    @Test func withoutSharedStateProcessesExceedFifteen() async throws {
        try await Self.withFixture(latency: 100) { fixture in
            let rows = 4500
            let jobs = (0..<3).map { Self.writeJob(in: fixture.dir, name: "job\($0)", prefix: "p\($0)-", rows: rows) }
            let dir = fixture.dir.path
            async let first = fixture.run(jobs[0], state: dir + "/a.sqlite", directory: dir)
            async let second = fixture.run(jobs[1], state: dir + "/b.sqlite", directory: dir)
            async let third = fixture.run(jobs[2], state: dir + "/c.sqlite", directory: dir)
            for (result, _) in try await [first, second, third] { #expect(result.status == 0, "\(result.stderr)") }
            #expect(fixture.server.stats().maxInFlight > 15)
            print("coordination: 3 processes x concurrency 15, separate states: sandbox max in flight \(fixture.server.stats().maxInFlight)")
        }
    }

    /// The same job started twice at once, from two working directories: the
    /// second exits 3 naming the first, and sends nothing; with --wait-for-lock it
    /// waits, then finds nothing left to send.
    @Test(arguments: StateBackend.configured)
    func sameJobTwiceAtOnceRunsOnce(_ backend: StateBackend) async throws {
        try await Self.withFixture(latency: 100) { fixture in
            let state = try await TestState(backend, directory: fixture.dir)
            let rows = 3000
            let here = TemporaryDirectory()
            let there = TemporaryDirectory()
            let jobHere = Self.writeJob(in: here, name: "crm", prefix: "c", rows: rows, concurrency: 3)
            let jobThere = Self.writeJob(in: there, name: "crm", prefix: "c", rows: rows, concurrency: 3)

            let first = try fixture.start(jobHere, state: state.argument, directory: here.path, report: here.path + "/r.json")
            try await eventually(.seconds(30), "the first run to send") {
                fixture.server.stats().recordsProcessed > 0 || !first.isRunning
            }
            let (second, report) = try await fixture.runWithOptionalReport(
                jobThere, state: state.argument, directory: there.path)
            #expect(second.status == 3, "\(second.stderr)")
            #expect(second.stderr.contains("another ctsync process is running it (pid \(first.pid) on host "))
            #expect(second.stderr.contains("--wait-for-lock"))
            #expect(report == nil)
            #expect(try await first.exitStatus() == 0)
            // Every record was processed once: the second process sent nothing.
            #expect(fixture.server.stats().recordsProcessed == rows)
            #expect(fixture.server.stats().profiles == rows)

            // Changed rows; the second run waits for the first, then has nothing left to send.
            Self.writeJob(in: here, name: "crm", prefix: "c", rows: rows, concurrency: 3, suffix: " Jr")
            Self.writeJob(in: there, name: "crm", prefix: "c", rows: rows, concurrency: 3, suffix: " Jr")
            let again = try fixture.start(jobHere, state: state.argument, directory: here.path, report: here.path + "/r2.json")
            try await eventually(.seconds(30), "the first run to send again") {
                fixture.server.stats().recordsProcessed > rows || !again.isRunning
            }
            let (waited, waitedReport) = try await fixture.run(
                jobThere, ["--wait-for-lock"], state: state.argument, directory: there.path)
            // The first run gave its lease back as it finished: it exits at once, if it has not yet.
            #expect(try await again.exitStatus(within: .seconds(10)) == 0)
            #expect(waited.status == 0, "\(waited.stderr)")
            #expect(waited.stderr.contains("waiting for it to finish"))
            #expect(waitedReport.counts.planned == 0)
            #expect(waitedReport.counts.unchanged == rows)
            #expect(fixture.server.stats().recordsProcessed == 2 * rows)
        }
    }

    /// One database, the same job from two checkouts: the second run sends nothing.
    @Test(.enabled(if: PostgresTestDatabase.isConfigured, PostgresTestDatabase.skipMessage))
    func sameJobFromTwoDirectoriesSharesPostgresState() async throws {
        try await Self.withFixture(latency: 0) { fixture in
            let state = try await TestState(.postgres)
            let here = TemporaryDirectory()
            let there = TemporaryDirectory()
            let jobHere = Self.writeJob(in: here, name: "crm", prefix: "c", rows: 1200)
            let jobThere = Self.writeJob(in: there, name: "crm", prefix: "c", rows: 1200)
            let (first, report) = try await fixture.run(jobHere, state: state.argument, directory: here.path)
            #expect(first.status == 0, "\(first.stderr)")
            #expect(report.counts.succeeded == 1200)
            let requests = fixture.server.stats().requests
            let (second, again) = try await fixture.run(jobThere, state: state.argument, directory: there.path)
            #expect(second.status == 0, "\(second.stderr)")
            #expect(again.counts.planned == 0)
            #expect(again.counts.unchanged == 1200)
            #expect(fixture.server.stats().requests == requests)
        }
    }

    /// SIGKILL mid-run with PostgreSQL state, then an immediate rerun: the dead
    /// process's job lease is reclaimed (its pid is gone), and the rerun delivers
    /// everything, re-sending only what state had not recorded.
    @Test(.enabled(if: PostgresTestDatabase.isConfigured, PostgresTestDatabase.skipMessage))
    func crashMidRunThenRerunDeliversEverythingWithPostgres() async throws {
        var random = TestSeed.generator(2)
        let pause = Int.random(in: 0...300, using: &random)
        try await RunFixture.with(faults: FaultConfiguration(latencyMilliseconds: 40)) { fixture in
            let state = try await TestState(.postgres)
            let rows = 20_000
            let job = Self.writeJob(in: fixture.dir, name: "profiles", prefix: "u", rows: rows, batchSize: 100, concurrency: 5)
            let process = try fixture.start(job, state: state.argument, report: fixture.dir.path + "/killed.json")
            try await eventually(.seconds(120), "2000 records at the sandbox") {
                fixture.server.stats().recordsProcessed >= 2000 || !process.isRunning
            }
            // Not a wait for an event: the pause is the test's choice of kill moment.
            try await Task.sleep(for: .milliseconds(pause))
            process.send(SIGKILL)
            try await process.exitStatus()
            // Requests the dead process left in flight still land; wait for them.
            try await fixture.waitUntilIdle()
            let deliveredAtKill = fixture.server.stats().profiles
            let recordedAtKill = try state.acknowledged("profiles")
            let context = "[killed \(pause) ms after 2000 records: sandbox held \(deliveredAtKill), state \(recordedAtKill); \(TestSeed.note)]"
            #expect(deliveredAtKill > 0, "\(context)")
            #expect(deliveredAtKill < rows, "\(context)")
            #expect(recordedAtKill <= deliveredAtKill, "\(context)")
            #expect(deliveredAtKill - recordedAtKill <= 2 * 5 * 100, "\(context)")

            let (result, report) = try await fixture.run(job, state: state.argument)
            #expect(result.status == 0, "\(result.stderr)\n\(context)")
            #expect(fixture.server.stats().profiles == rows, "\(context)")
            #expect(try state.acknowledged("profiles") == rows, "\(context)")
            #expect(report.counts.unchanged == recordedAtKill, "\(context)")
            #expect(report.counts.planned == rows - recordedAtKill, "\(context)")
            // The dead process's rows are gone, and the rerun left none.
            let database = try #require(state.postgres)
            #expect(try await database.scalar("SELECT count(*) FROM ctsync_job_leases") == "0")
            #expect(try await database.scalar("SELECT count(*) FROM ctsync_slots WHERE holder IS NOT NULL") == "0")
        }
    }

    /// The database goes away mid-run: sending stops at once (no slot can be
    /// had), the run exits 3 (aborted) saying so, and what state recorded before
    /// is kept; a rerun delivers the rest.
    @Test(.enabled(if: PostgresTestDatabase.isConfigured, PostgresTestDatabase.skipMessage))
    func lostDatabaseStopsSendingAndAborts() async throws {
        try await RunFixture.with(faults: FaultConfiguration(latencyMilliseconds: 50)) { fixture in
            let state = try await TestState(.postgres)
            let database = try #require(state.postgres)
            let proxy = try TCPProxy(targetPort: database.location.port)
            var proxied = database.location
            proxied.port = proxy.port
            let rows = 20_000
            let job = Self.writeJob(in: fixture.dir, name: "profiles", prefix: "u", rows: rows, batchSize: 100, concurrency: 5)
            let report = fixture.dir.path + "/lost.json"
            let process = try fixture.start(job, state: proxied.description, report: report)
            try await eventually(.seconds(120), "2000 records at the sandbox") {
                fixture.server.stats().recordsProcessed >= 2000 || !process.isRunning
            }
            proxy.cut()
            let processedAtCut = fixture.server.stats().recordsProcessed
            #expect(try await process.exitStatus(within: .seconds(120)) == 3)
            // Only the requests already in flight (5 of 100 records) got through after the cut.
            #expect(fixture.server.stats().recordsProcessed - processedAtCut <= 5 * 100)
            let parsed = try OutputContract.decode(RunReportDocument.self, file: report, schema: "report")
            #expect(parsed.status == .aborted)
            #expect(parsed.abortReason?.contains("state database") == true, "\(parsed.abortReason ?? "none")")
            let recorded = try state.acknowledged("profiles")
            #expect(recorded > 0)
            #expect(recorded <= fixture.server.stats().profiles)

            let (result, rerun) = try await fixture.run(job, state: state.argument)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(fixture.server.stats().profiles == rows)
            #expect(rerun.counts.unchanged == recorded)
        }
    }
}
