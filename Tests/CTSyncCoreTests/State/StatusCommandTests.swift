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

/// The sandbox, a profiles job and a state in either backend, with `ctsync` of the
/// built binary run against them.
final class StateCommandFixture: @unchecked Sendable {
    let base: RunFixture
    let state: TestState
    let job: String
    var dir: TemporaryDirectory { base.dir }

    init(_ backend: StateBackend, rows: Int, faults: FaultConfiguration = .none) async throws {
        base = try await RunFixture(faults: faults)
        state = try await TestState(backend, directory: base.dir)
        base.writeContacts(rows)
        job = base.profilesJob(batchSize: 100, concurrency: 2)
    }

    func stop() async { await base.stop() }

    /// A fixture for `body`, stopped when it returns or throws.
    static func with<Result>(
        _ backend: StateBackend, rows: Int, faults: FaultConfiguration = .none,
        _ body: (StateCommandFixture) async throws -> Result
    ) async throws -> Result {
        let fixture = try await StateCommandFixture(backend, rows: rows, faults: faults)
        do {
            let result = try await body(fixture)
            await fixture.stop()
            return result
        } catch {
            await fixture.stop()
            throw error
        }
    }

    /// Runs `ctsync ARGUMENTS --state STATE` to completion.
    func ctsync(_ arguments: [String], environment: [String: String] = [:]) async throws -> ProcessResult {
        try await runProcessDetached(
            Products.ctsync, arguments + ["--state", state.argument],
            environment: base.environment.merging(environment) { _, new in new }, directory: dir.path)
    }

    /// `ctsync run` of the job; its report path is `reports/<name>.json`.
    func run(_ extra: [String] = [], report name: String = UUID().uuidString) async throws -> ProcessResult {
        try await ctsync(["run", job, "--quiet", "--report", dir.path + "/reports/\(name).json"] + extra)
    }

    /// Starts `ctsync run` without waiting for it.
    func launch(_ extra: [String] = []) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Products.ctsync)
        process.arguments = ["run", job, "--quiet", "--state", state.argument, "--report", dir.path + "/reports/"] + extra
        var environment = ProcessInfo.processInfo.environment
        for key in environment.keys where key.hasPrefix("CLEVERTAP_") || key.hasPrefix("CTSYNC_") { environment[key] = nil }
        process.environment = environment.merging(base.environment) { _, new in new }
        process.currentDirectoryURL = URL(fileURLWithPath: dir.path)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Waits until the sandbox has processed `records` more records than now, or the process ended.
    func waitForRecords(_ records: Int, process: Process) async throws {
        let target = base.server.stats().recordsProcessed + records
        let end = ContinuousClock.now + .seconds(60)
        while base.server.stats().recordsProcessed < target && process.isRunning && ContinuousClock.now < end {
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    func waitForExit(_ process: Process) async throws {
        while process.isRunning { try await Task.sleep(for: .milliseconds(10)) }
    }

    /// `ctsync status --format json`, checked against schemas/status.schema.json.
    func status(sourceLocation: SourceLocation = #_sourceLocation) async throws -> JSONDocument {
        let result = try await ctsync(["status", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)", sourceLocation: sourceLocation)
        let document = try JSONDocument.parse(result.stdout)
        let violations = DocumentSchemaCheck.violations(of: document, against: try DocumentSchemaCheck.committed("status"))
        #expect(violations == [], sourceLocation: sourceLocation)
        // The same document decodes with the type that printed it.
        let decoded = try JSONDecoder().decode(StatusDocument.self, from: Data(result.stdout.utf8))
        #expect(decoded.formatVersion == StatusReport.formatVersion, sourceLocation: sourceLocation)
        return document
    }
}

/// `ctsync status` and `ctsync history` after runs that succeeded, were interrupted
/// (SIGINT: aborted) and were killed (SIGKILL: interrupted), over both backends.
@Suite("status and history", .serialized)
struct StatusCommandTests {
    @Test(arguments: StateBackend.configured)
    func succeededAbortedAndKilledRunsShowAsSuch(_ backend: StateBackend) async throws {
        try await StateCommandFixture.with(backend, rows: 4000, faults: FaultConfiguration(latencyMilliseconds: 20)) { fixture in

            // Nothing ran yet: the job has no state.
            let empty = try await fixture.ctsync(["status", fixture.job])
            #expect(empty.status == 0, "\(empty.stderr)")
            #expect(empty.stdout.contains("profiles\n  no state"), "\(empty.stdout)")

            let first = try await fixture.run(report: "first")
            #expect(first.status == 0, "\(first.stderr)")
            var status = try await fixture.status()
            var entry = try #require(status["jobs"]?[0]?["destinations"]?[0], "\(status)")
            #expect(status["jobs"]?[0]?["name"]?.string == "profiles")
            #expect(status["jobs"]?[0]?["lease"]?.isNull == true)
            #expect(entry["keys"]?.int == 4000)
            #expect(entry["destination"]?["production"]?.bool == false)
            #expect(entry["destination"]?["endpoint"]?.string == "http://127.0.0.1:\(fixture.base.server.port)/in1")
            let firstRun = try #require(entry["last_run"])
            #expect(firstRun["status"]?.string == "succeeded")
            #expect(firstRun["exit_status"]?.int == 0)
            #expect(firstRun["full_sync"]?.string == "first_run")
            #expect(firstRun["counts"]?["succeeded"]?.int == 4000)
            #expect(firstRun["report"]?.string == fixture.dir.path + "/reports/first.json")
            #expect(firstRun["ctsync_version"]?.string?.isEmpty == false)
            #expect(entry["last_success"] == firstRun)
            #expect(entry["last_full_sync"] == firstRun)
            let firstID = try #require(firstRun["run_id"]?.string)
            let report = try JSONDocument.parse(fixture.dir.read("reports/first.json"))
            #expect(report["run_id"]?.string == firstID)
            #expect(report["destination"]?["endpoint"] == entry["destination"]?["endpoint"])

            // SIGINT: the run stops gracefully and records itself aborted.
            let interrupted = try fixture.launch(["--full"])
            try await fixture.waitForRecords(500, process: interrupted)
            kill(interrupted.processIdentifier, SIGINT)
            try await fixture.waitForExit(interrupted)
            #expect(interrupted.terminationStatus == 3)
            status = try await fixture.status()
            entry = try #require(status["jobs"]?[0]?["destinations"]?[0])
            #expect(entry["last_run"]?["status"]?.string == "aborted", "\(entry)")
            #expect(entry["last_run"]?["exit_status"]?.int == 3)
            #expect(entry["last_run"]?["abort_reason"]?.string?.contains("interrupt") == true, "\(entry)")
            #expect(entry["last_run"]?["full_sync"]?.isNull == true)
            #expect(entry["last_success"]?["run_id"]?.string == firstID)
            #expect(entry["last_full_sync"]?["run_id"]?.string == firstID)

            // SIGKILL: the run never finishes; status shows it interrupted.
            let killed = try fixture.launch(["--full"])
            try await fixture.waitForRecords(500, process: killed)
            kill(killed.processIdentifier, SIGKILL)
            try await fixture.waitForExit(killed)
            status = try await fixture.status()
            entry = try #require(status["jobs"]?[0]?["destinations"]?[0])
            let killedRun = try #require(entry["last_run"])
            #expect(killedRun["status"]?.string == "interrupted", "\(killedRun)")
            #expect(killedRun["finished_at"]?.isNull == true)
            #expect(killedRun["counts"]?.isNull == true)
            #expect(killedRun["pid"]?.int == Int(killed.processIdentifier))
            #expect(status["jobs"]?[0]?["lease"]?.isNull == true)
            let text = try await fixture.ctsync(["status"])
            #expect(text.stdout.contains("last run:         interrupted"), "\(text.stdout)")
            #expect(text.stdout.contains("never finished"))

            // The next run records the killed one as interrupted; history lists all four.
            let last = try await fixture.run()
            #expect(last.status == 0, "\(last.stderr)")
            let history = try await fixture.ctsync(["history", "profiles", "--format", "json"])
            #expect(history.status == 0, "\(history.stderr)")
            let runs = try JSONDocument.parse(history.stdout)
            #expect(DocumentSchemaCheck.violations(of: runs, against: try DocumentSchemaCheck.committed("history")) == [])
            #expect(runs["runs"]?.array.map { $0["status"]?.string ?? "?" } == ["succeeded", "interrupted", "aborted", "succeeded"])
            #expect(runs["runs"]?.array.last?["run_id"]?.string == firstID)
            let limited = try await fixture.ctsync(["history", fixture.job, "--limit", "2"])
            #expect(limited.status == 0, "\(limited.stderr)")
            #expect(limited.stdout.hasPrefix("profiles: 2 runs (newest first)\n  succeeded "), "\(limited.stdout)")
            #expect(limited.stdout.contains("\n  interrupted "))
            let unknown = try await fixture.ctsync(["history", "profile"])
            #expect(unknown.status == 1)
            #expect(unknown.stderr.contains("state holds no job named \"profile\"; it holds: profiles"), "\(unknown.stderr)")
        }
    }

    /// While a run holds the job's lease, status names its process and shows the run as running.
    @Test(arguments: StateBackend.configured)
    func aRunningJobShowsItsHolder(_ backend: StateBackend) async throws {
        try await StateCommandFixture.with(backend, rows: 3000, faults: FaultConfiguration(latencyMilliseconds: 100)) { fixture in
            let running = try fixture.launch()
            try await fixture.waitForRecords(200, process: running)
            let status = try await fixture.status()
            let job = try #require(status["jobs"]?[0])
            #expect(job["lease"]?["pid"]?.int == Int(running.processIdentifier), "\(job)")
            #expect(job["destinations"]?[0]?["last_run"]?["status"]?.string == "running")
            kill(running.processIdentifier, SIGKILL)
            try await fixture.waitForExit(running)
        }
    }

    @Test func schemasMatchCommittedFiles() async throws {
        for kind in ["status", "history"] {
            let result = try await ctsync("schema", kind)
            #expect(result.status == 0)
            #expect(
                result.stdout == SchemaDriftTests.committed(kind),
                "schemas/\(kind).schema.json drifted: run `ctsync schema \(kind) > schemas/\(kind).schema.json`")
        }
        #expect(OutputSchemas.status(version: StatusReport.formatVersion).serialized() + "\n" == SchemaDriftTests.committed("status"))
    }

    /// The validator the tests above rely on finds what is wrong, through `$ref`s.
    @Test func schemaValidatorFindsViolations() async throws {
        let schema = try DocumentSchemaCheck.committed("status")
        let good = try JSONDocument.parse(#"{"format_version":1,"state":"s","jobs":[{"name":"j","lease":null,"destinations":[]}],"budgets":[]}"#)
        #expect(DocumentSchemaCheck.violations(of: good, against: schema) == [])
        let bad = try JSONDocument.parse(
            #"{"format_version":2,"state":"s","jobs":[{"name":"j","lease":{"pid":"1","host":null,"since":null},"destinations":[{"destination":null,"keys":-1,"last_run":{"status":"odd"},"last_success":null,"last_full_sync":null,"extra":1}]}]}"#
        )
        let found = DocumentSchemaCheck.violations(of: bad, against: schema)
        for expected in [
            "$.format_version: 2 is not 1", "$.jobs[0].lease.pid: \"1\" is not of type", "$.jobs[0].destinations[0].keys: -1 < 0",
            "$.jobs[0].destinations[0]: unexpected \"extra\"", "$.jobs[0].destinations[0].last_run: matches 0 of oneOf's 2",
        ] {
            #expect(found.contains { $0.hasPrefix(expected) }, "\(expected) not in \(found)")
        }
    }

    /// status and history read state without creating any.
    @Test func statusOfNoStateCreatesNothing() async throws {
        let dir = TemporaryDirectory()
        let result = try await ctsync("status", "--state", dir.path + "/none.sqlite")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "State \(dir.path)/none.sqlite holds no jobs.\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == [])
    }
}
