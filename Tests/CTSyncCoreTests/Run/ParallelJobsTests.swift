import ClevertapSandbox
import Foundation
import Testing

@testable import CTSyncState
@testable import CTSyncReport

/// `ctsync run --parallel` and `ctsync plan --parallel`, the built binary, against the
/// in-process sandbox: several jobs of one account at once.
@Suite("ctsync run and plan with --parallel", .serialized)
struct ParallelJobsTests {
    /// The sandbox's own limit lifted: `maxInFlight` is what ctsync really had in flight.
    static func withFixture<Result>(latency: Int, _ body: (RunFixture) async throws -> Result) async throws -> Result {
        try await MultiProcessRunTests.withFixture(latency: latency, body)
    }

    /// Writes `jobs/<name>.yaml` over `jobs/<name>.csv`: `rows` profiles whose identities
    /// start with `<name>-`; rows where `invalid` holds have no primary key. `command`
    /// replaces the CSV with a source command.
    @discardableResult
    static func writeJob(
        in dir: TemporaryDirectory, name: String, rows: Int, batchSize: Int = 50, concurrency: Int = 15,
        invalid: (Int) -> Bool = { _ in false }, command: String? = nil
    ) -> String {
        var csv = "id,email,name\n"
        for i in 0..<rows { csv += "\(invalid(i) ? "" : "\(name)-\(i)"),\(name)-\(i)@example.com,User \(i)\n" }
        dir.write("jobs/\(name).csv", csv)
        let source = command.map { "{ command: \"\($0)\", format: csv }" } ?? "{ file: \(name).csv }"
        return dir.write(
            "jobs/\(name).yaml",
            """
            version: 1
            name: \(name)
            destination: { region: in1, account_id: "${CLEVERTAP_ACCOUNT_ID}", passcode: "${CLEVERTAP_PASSCODE}" }
            source: \(source)
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
              max_rejected: 0
              request_timeout: 30s
            """)
    }

    /// Runs `ctsync run jobs/ --report reports/ …` to completion.
    static func run(_ fixture: RunFixture, state: String? = nil, _ extra: [String]) async throws -> ProcessResult {
        try await runProcessDetached(
            Products.ctsync,
            ["run", "jobs/", "--state", state ?? fixture.statePath, "--report", "reports/", "--quiet"] + extra,
            environment: fixture.environment, directory: fixture.dir.path)
    }

    /// The reports in `reports/`, validated against the report schema, by job name.
    static func reports(_ fixture: RunFixture) throws -> [String: RunReportDocument] {
        let folder = fixture.dir.path + "/reports"
        var reports: [String: RunReportDocument] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder) where name.hasSuffix(".json") {
            let report = try OutputContract.decode(RunReportDocument.self, file: folder + "/" + name, schema: "report")
            #expect(reports[report.job.name] == nil, "two reports for \(report.job.name)")
            reports[report.job.name] = report
        }
        return reports
    }

    /// The job a logged request belongs to: its first identity up to the last `-`.
    static func job(of entry: UploadLogEntry) -> String? {
        guard let identity = entry.firstIdentity, let dash = identity.lastIndex(of: "-") else { return nil }
        return String(identity[..<dash])
    }

    /// Pairs of jobs that had requests in flight at the same time, from the sandbox's upload log.
    static func overlappingJobs(_ log: [UploadLogEntry]) -> Set<[String]> {
        var pairs: Set<[String]> = []
        for (i, a) in log.enumerated() {
            guard let jobA = job(of: a) else { continue }
            for b in log[(i + 1)...] {
                guard let jobB = job(of: b), jobA != jobB, a.overlaps(b) else { continue }
                pairs.insert([jobA, jobB].sorted())
            }
        }
        return pairs
    }

    /// Four jobs of one account, each declaring concurrency 15, run at once: requests of
    /// different jobs are in flight together, the account never has more than 15, and
    /// each job ends with its own report and state.
    @Test(arguments: StateBackend.configured)
    func jobsRunAtOnceWithinTheAccountsFifteenSlots(_ backend: StateBackend) async throws {
        try await Self.withFixture(latency: 50) { fixture in
            let state = try await TestState(backend, directory: fixture.dir)
            let rows = 1500
            let names = (0..<4).map { "job\($0)" }
            for name in names { Self.writeJob(in: fixture.dir, name: name, rows: rows) }
            let result = try await Self.run(fixture, state: state.argument, ["--parallel", "4"])
            #expect(result.status == 0, "\(result.stderr)")
            let reports = try Self.reports(fixture)
            #expect(Set(reports.keys) == Set(names))
            for (name, report) in reports {
                #expect(report.status == .succeeded, "\(name): \(report.abortReason ?? "")")
                #expect(report.counts.succeeded == rows, "\(name): \(report.counts)")
                RunFixture.expectCountsAddUp(report)
                #expect(try state.acknowledged(name) == rows)
            }
            let stats = fixture.server.stats()
            let account = try #require(stats.accounts[fixture.account])
            #expect(stats.profiles == 4 * rows)
            #expect(account.maxInFlight <= 15, "\(account.maxInFlight) requests in flight at once")
            let overlapping = Self.overlappingJobs(fixture.server.uploads())
            #expect(!overlapping.isEmpty, "no two jobs had requests in flight together")
            print(
                "parallel: 4 jobs x concurrency 15, \(backend) state: account max in flight \(account.maxInFlight), jobs overlapping: \(overlapping.sorted { $0.joined() < $1.joined() })"
            )
        }
    }

    /// The control: with --parallel 1 the jobs run one after another, as before, and no
    /// two jobs ever have requests in flight together.
    @Test func parallelOneRunsJobsOneAfterAnother() async throws {
        try await Self.withFixture(latency: 20) { fixture in
            for name in ["a", "b", "c"] { Self.writeJob(in: fixture.dir, name: name, rows: 300) }
            let result = try await Self.run(fixture, ["--parallel", "1"])
            #expect(result.status == 0, "\(result.stderr)")
            let reports = try Self.reports(fixture)
            #expect(reports.count == 3)
            #expect(reports.values.allSatisfy { $0.status == .succeeded })
            let log = fixture.server.uploads()
            #expect(Set(log.compactMap(Self.job(of:))) == ["a", "b", "c"])
            #expect(Self.overlappingJobs(log).isEmpty)
        }
    }

    /// SIGINT while three jobs send: every one of them stops, waits for its requests in
    /// flight, records them and writes a report that says aborted; the run exits 3.
    @Test func interruptStopsEveryRunningJobAndEachReportSaysAborted() async throws {
        try await Self.withFixture(latency: 100) { fixture in
            let rows = 6000
            let names = ["x", "y", "z"]
            for name in names { Self.writeJob(in: fixture.dir, name: name, rows: rows, concurrency: 2) }
            let process = try ChildProcess(
                Products.ctsync,
                ["run", "jobs/", "--state", fixture.statePath, "--report", "reports/", "--quiet", "--parallel", "3"],
                environment: fixture.environment, directory: fixture.dir.path)
            try await eventually(.seconds(120), "requests of all three jobs at the sandbox") {
                Set(fixture.server.uploads().compactMap(Self.job(of:))).count == 3 || !process.isRunning
            }
            process.send(SIGINT)
            #expect(try await process.exitStatus() == 3)
            let reports = try Self.reports(fixture)
            #expect(Set(reports.keys) == Set(names))
            let store = try SQLiteStateStore(path: fixture.statePath, readOnly: true)
            for (name, report) in reports {
                #expect(report.status == .aborted, "\(name)")
                #expect(report.abortReason?.contains("interrupted") == true, "\(name): \(report.abortReason ?? "none")")
                #expect(report.counts.succeeded < rows)
                // What the sandbox took of the job was acknowledged and recorded: nothing was left in flight.
                let atSandbox = fixture.server.identities().filter { $0.hasPrefix(name + "-") }.count
                #expect(report.counts.succeeded == atSandbox, "\(name)")
                #expect(try store.acknowledgedCount(named: name) == atSandbox, "\(name)")
            }
        }
    }

    /// A job that aborts and a job over its max_rejected do not stop the others, which
    /// start and succeed; the exit status is the most serious of the jobs'.
    @Test func aFailingJobDoesNotStopTheOthers() async throws {
        try await Self.withFixture(latency: 0) { fixture in
            Self.writeJob(in: fixture.dir, name: "a-fails", rows: 0, command: "exit 7")
            Self.writeJob(in: fixture.dir, name: "b-ok", rows: 400)
            Self.writeJob(in: fixture.dir, name: "c-invalid", rows: 400, invalid: { $0 % 10 == 0 })
            Self.writeJob(in: fixture.dir, name: "d-ok", rows: 400)
            let result = try await Self.run(fixture, ["--parallel", "2"])
            #expect(result.status == 3, "\(result.stderr)")
            let reports = try Self.reports(fixture)
            #expect(reports["a-fails"]?.status == .aborted)
            #expect(reports["a-fails"]?.abortReason?.contains("source") == true, "\(reports["a-fails"]?.abortReason ?? "")")
            #expect(reports["b-ok"]?.status == .succeeded)
            #expect(reports["c-invalid"]?.status == .completedWithErrors)
            #expect(reports["c-invalid"]?.counts.succeeded == 360)
            #expect(reports["d-ok"]?.status == .succeeded)
            #expect(fixture.server.stats().profiles == 400 + 360 + 400)

            // Without the aborted job: over max_rejected (1) outranks success (0).
            let again = try await Self.run(fixture, ["--parallel", "2", "--job", "b-ok", "--job", "c-invalid"])
            #expect(again.status == 1, "\(again.stderr)")
        }
    }

    /// `plan` of several jobs at once prints them in job order, whichever finishes first:
    /// the same text, and the same JSON Lines, as one job after another.
    @Test func planOutputKeepsJobOrder() async throws {
        let dir = TemporaryDirectory()
        // The first jobs are the biggest: planned at once, the later ones finish first.
        let names = ["p1", "p2", "p3", "p4", "p5"]
        for (index, name) in names.enumerated() {
            Self.writeJob(in: dir, name: name, rows: [40_000, 20_000, 5000, 500, 50][index], invalid: { $0 % 97 == 0 })
        }
        let environment = ["CLEVERTAP_ACCOUNT_ID": "123", "CLEVERTAP_PASSCODE": "s3cr3t-passcode-xyz"]
        let state = dir.path + "/state.sqlite"
        func plan(_ extra: String...) async throws -> ProcessResult {
            try await runProcessDetached(
                Products.ctsync, ["plan", "jobs/", "--state", state] + extra, environment: environment,
                directory: dir.path)
        }
        let sequential = try await plan("--parallel", "1")
        let parallel = try await plan("--parallel", "5")
        #expect(sequential.status == 1, "\(sequential.stderr)")  // invalid rows over max_rejected 0
        #expect(parallel.status == sequential.status)
        #expect(parallel.stdout == sequential.stdout)
        var positions: [String.Index] = []
        for name in names {
            positions.append(try #require(parallel.stdout.range(of: "Plan for \(name) (")?.lowerBound, "\(name)"))
        }
        #expect(positions == positions.sorted())

        let jsonSequential = try await plan("--parallel", "1", "--format", "json")
        let jsonParallel = try await plan("--format", "json")  // the default, 4 at once
        #expect(jsonParallel.stdout == jsonSequential.stdout)
        let lines = jsonParallel.stdout.split(separator: "\n")
        #expect(lines.count == names.count)
        let jobs = try lines.map { line in
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            return try #require((object["job"] as? [String: Any])?["name"] as? String)
        }
        #expect(jobs == names)
    }
}
