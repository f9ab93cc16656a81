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
    static func fixture(latency: Int) async throws -> RunFixture {
        try await RunFixture(
            faults: FaultConfiguration(latencyMilliseconds: latency),
            limits: ValidationLimits(maxConcurrentRequests: 1000))
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

    /// `ctsync run` with this state; the report, parsed, if one was written.
    static func run(
        _ fixture: RunFixture, _ job: String, state: String, directory: String, _ extra: [String] = []
    ) async throws -> (ProcessResult, [String: Any]) {
        let report = directory + "/report-\(UUID().uuidString).json"
        let result = try await runProcessDetached(
            Products.ctsync, ["run", job, "--state", state, "--report", report, "--quiet"] + extra,
            environment: fixture.environment, directory: directory)
        let data = (try? Data(contentsOf: URL(fileURLWithPath: report))) ?? Data()
        return (result, (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:])
    }

    /// Starts `ctsync run` without waiting for it.
    static func start(_ fixture: RunFixture, _ job: String, state: String, directory: String, report: String) throws
        -> Process
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Products.ctsync)
        process.arguments = ["run", job, "--state", state, "--quiet", "--report", report]
        process.environment = ProcessInfo.processInfo.environment.merging(fixture.environment) { _, new in new }
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    static func waitForExit(_ process: Process) async throws {
        while process.isRunning { try await Task.sleep(for: .milliseconds(10)) }
    }

    /// Three processes, three jobs of one account, each declaring concurrency 15:
    /// together they never have more than 15 requests in flight.
    @Test(arguments: StateBackend.configured)
    func threeProcessesKeepTheAccountWithinFifteen(_ backend: StateBackend) async throws {
        let fixture = try await Self.fixture(latency: 100)
        defer { Task { await fixture.stop() } }
        let state = try await TestState(backend, directory: fixture.dir)
        let rows = 4500
        let jobs = (0..<3).map { Self.writeJob(in: fixture.dir, name: "job\($0)", prefix: "p\($0)-", rows: rows) }
        async let first = Self.run(fixture, jobs[0], state: state.argument, directory: fixture.dir.path)
        async let second = Self.run(fixture, jobs[1], state: state.argument, directory: fixture.dir.path)
        async let third = Self.run(fixture, jobs[2], state: state.argument, directory: fixture.dir.path)
        let results = try await [first, second, third]
        for (result, report) in results {
            #expect(result.status == 0, "\(result.stderr)")
            #expect(RunFixture.counts(report)["succeeded"] == rows)
        }
        let stats = fixture.server.stats()
        #expect(stats.profiles == 3 * rows)
        #expect(stats.maxInFlight <= 15, "\(stats.maxInFlight) requests in flight at once")
        #expect(stats.maxInFlight >= 10, "the processes did not use the account's slots: \(stats.maxInFlight)")
        for job in 0..<3 { #expect(try state.acknowledged("job\(job)") == rows) }
        print("coordination: 3 processes x concurrency 15, \(backend) state: sandbox max in flight \(stats.maxInFlight)")
    }

    /// The control: three processes with separate state files share nothing, and
    /// the sandbox sees more than 15 requests at once (the test above can fail).
    @Test func withoutSharedStateProcessesExceedFifteen() async throws {
        let fixture = try await Self.fixture(latency: 100)
        defer { Task { await fixture.stop() } }
        let rows = 4500
        let jobs = (0..<3).map { Self.writeJob(in: fixture.dir, name: "job\($0)", prefix: "p\($0)-", rows: rows) }
        let dir = fixture.dir.path
        async let first = Self.run(fixture, jobs[0], state: dir + "/a.sqlite", directory: dir)
        async let second = Self.run(fixture, jobs[1], state: dir + "/b.sqlite", directory: dir)
        async let third = Self.run(fixture, jobs[2], state: dir + "/c.sqlite", directory: dir)
        for (result, _) in try await [first, second, third] { #expect(result.status == 0, "\(result.stderr)") }
        #expect(fixture.server.stats().maxInFlight > 15)
        print("coordination: 3 processes x concurrency 15, separate states: sandbox max in flight \(fixture.server.stats().maxInFlight)")
    }

    /// The same job started twice at once, from two working directories: the
    /// second exits 3 naming the first, and sends nothing; with --wait-for-lock it
    /// waits, then finds nothing left to send.
    @Test(arguments: StateBackend.configured)
    func sameJobTwiceAtOnceRunsOnce(_ backend: StateBackend) async throws {
        let fixture = try await Self.fixture(latency: 100)
        defer { Task { await fixture.stop() } }
        let state = try await TestState(backend, directory: fixture.dir)
        let rows = 3000
        let here = TemporaryDirectory()
        let there = TemporaryDirectory()
        let jobHere = Self.writeJob(in: here, name: "crm", prefix: "c", rows: rows, concurrency: 3)
        let jobThere = Self.writeJob(in: there, name: "crm", prefix: "c", rows: rows, concurrency: 3)

        let first = try Self.start(fixture, jobHere, state: state.argument, directory: here.path, report: here.path + "/r.json")
        try await eventually(.seconds(30)) { fixture.server.stats().recordsProcessed > 0 || !first.isRunning }
        let (second, report) = try await Self.run(fixture, jobThere, state: state.argument, directory: there.path)
        #expect(second.status == 3, "\(second.stderr)")
        #expect(second.stderr.contains("another ctsync process is running it (pid \(first.processIdentifier) on host "))
        #expect(second.stderr.contains("--wait-for-lock"))
        #expect(report.isEmpty)
        try await Self.waitForExit(first)
        #expect(first.terminationStatus == 0)
        // Every record was processed once: the second process sent nothing.
        #expect(fixture.server.stats().recordsProcessed == rows)
        #expect(fixture.server.stats().profiles == rows)

        // Changed rows; the second run waits for the first, then has nothing left to send.
        Self.writeJob(in: here, name: "crm", prefix: "c", rows: rows, concurrency: 3, suffix: " Jr")
        Self.writeJob(in: there, name: "crm", prefix: "c", rows: rows, concurrency: 3, suffix: " Jr")
        let again = try Self.start(fixture, jobHere, state: state.argument, directory: here.path, report: here.path + "/r2.json")
        try await eventually(.seconds(30)) { fixture.server.stats().recordsProcessed > rows || !again.isRunning }
        let (waited, waitedReport) = try await Self.run(
            fixture, jobThere, state: state.argument, directory: there.path, ["--wait-for-lock"])
        #expect(!again.isRunning)
        #expect(again.terminationStatus == 0)
        #expect(waited.status == 0, "\(waited.stderr)")
        #expect(waited.stderr.contains("waiting for it to finish"))
        #expect(RunFixture.counts(waitedReport)["planned"] == 0)
        #expect(RunFixture.counts(waitedReport)["unchanged"] == rows)
        #expect(fixture.server.stats().recordsProcessed == 2 * rows)
    }

    /// One database, the same job from two checkouts: the second run sends nothing.
    @Test(.enabled(if: PostgresTestDatabase.isConfigured, PostgresTestDatabase.skipMessage))
    func sameJobFromTwoDirectoriesSharesPostgresState() async throws {
        let fixture = try await Self.fixture(latency: 0)
        defer { Task { await fixture.stop() } }
        let state = try await TestState(.postgres)
        let here = TemporaryDirectory()
        let there = TemporaryDirectory()
        let jobHere = Self.writeJob(in: here, name: "crm", prefix: "c", rows: 1200)
        let jobThere = Self.writeJob(in: there, name: "crm", prefix: "c", rows: 1200)
        let (first, report) = try await Self.run(fixture, jobHere, state: state.argument, directory: here.path)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(RunFixture.counts(report)["succeeded"] == 1200)
        let requests = fixture.server.stats().requests
        let (second, again) = try await Self.run(fixture, jobThere, state: state.argument, directory: there.path)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(RunFixture.counts(again)["planned"] == 0)
        #expect(RunFixture.counts(again)["unchanged"] == 1200)
        #expect(fixture.server.stats().requests == requests)
    }

    /// SIGKILL mid-run with PostgreSQL state, then an immediate rerun: the dead
    /// process's job lease is reclaimed (its pid is gone), and the rerun delivers
    /// everything, re-sending only what state had not recorded.
    @Test(.enabled(if: PostgresTestDatabase.isConfigured, PostgresTestDatabase.skipMessage))
    func crashMidRunThenRerunDeliversEverythingWithPostgres() async throws {
        let fixture = try await RunFixture(faults: FaultConfiguration(latencyMilliseconds: 40))
        defer { Task { await fixture.stop() } }
        let state = try await TestState(.postgres)
        let rows = 20_000
        let job = Self.writeJob(in: fixture.dir, name: "profiles", prefix: "u", rows: rows, batchSize: 100, concurrency: 5)
        let process = try Self.start(
            fixture, job, state: state.argument, directory: fixture.dir.path, report: fixture.dir.path + "/killed.json")
        while fixture.server.stats().recordsProcessed < 2000 && process.isRunning {
            try await Task.sleep(for: .milliseconds(5))
        }
        try await Task.sleep(for: .milliseconds(Int.random(in: 0...300)))
        kill(process.processIdentifier, SIGKILL)
        try await Self.waitForExit(process)
        let deliveredAtKill = fixture.server.stats().profiles
        let recordedAtKill = try state.acknowledged("profiles")
        #expect(deliveredAtKill > 0)
        #expect(deliveredAtKill < rows)
        #expect(recordedAtKill <= deliveredAtKill)
        #expect(deliveredAtKill - recordedAtKill <= 2 * 5 * 100)

        let (result, report) = try await Self.run(fixture, job, state: state.argument, directory: fixture.dir.path)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(fixture.server.stats().profiles == rows)
        #expect(try state.acknowledged("profiles") == rows)
        #expect(RunFixture.counts(report)["unchanged"] == recordedAtKill)
        #expect(RunFixture.counts(report)["planned"] == rows - recordedAtKill)
        // The dead process's rows are gone, and the rerun left none.
        let database = try #require(state.postgres)
        #expect(try await database.scalar("SELECT count(*) FROM ctsync_job_leases") == "0")
        #expect(try await database.scalar("SELECT count(*) FROM ctsync_slots WHERE holder IS NOT NULL") == "0")
    }

    /// The database goes away mid-run: sending stops at once (no slot can be
    /// had), the run exits 3 (aborted) saying so, and what state recorded before
    /// is kept; a rerun delivers the rest.
    @Test(.enabled(if: PostgresTestDatabase.isConfigured, PostgresTestDatabase.skipMessage))
    func lostDatabaseStopsSendingAndAborts() async throws {
        let fixture = try await RunFixture(faults: FaultConfiguration(latencyMilliseconds: 50))
        defer { Task { await fixture.stop() } }
        let state = try await TestState(.postgres)
        let database = try #require(state.postgres)
        let proxy = try TCPProxy(targetPort: database.location.port)
        var proxied = database.location
        proxied.port = proxy.port
        let rows = 20_000
        let job = Self.writeJob(in: fixture.dir, name: "profiles", prefix: "u", rows: rows, batchSize: 100, concurrency: 5)
        let report = fixture.dir.path + "/lost.json"
        let process = try Self.start(
            fixture, job, state: proxied.description, directory: fixture.dir.path, report: report)
        while fixture.server.stats().recordsProcessed < 2000 && process.isRunning {
            try await Task.sleep(for: .milliseconds(5))
        }
        proxy.cut()
        let processedAtCut = fixture.server.stats().recordsProcessed
        try await withTimeout(.seconds(120)) { try await Self.waitForExit(process) }
        #expect(process.terminationStatus == 3)
        // Only the requests already in flight (5 of 100 records) got through after the cut.
        #expect(fixture.server.stats().recordsProcessed - processedAtCut <= 5 * 100)
        let parsed = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report))) as! [String: Any]
        #expect(parsed["status"] as? String == "aborted")
        #expect((parsed["abort_reason"] as? String)?.contains("state database") == true, "\(parsed["abort_reason"] ?? "")")
        let recorded = try state.acknowledged("profiles")
        #expect(recorded > 0)
        #expect(recorded <= fixture.server.stats().profiles)

        let (result, rerun) = try await Self.run(fixture, job, state: state.argument, directory: fixture.dir.path)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(fixture.server.stats().profiles == rows)
        #expect(RunFixture.counts(rerun)["unchanged"] == recorded)
    }
}
