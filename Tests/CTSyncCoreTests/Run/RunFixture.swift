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

/// A sandbox server in-process, a working folder with a job and its data, and
/// helpers to run the built `ctsync` against them over loopback HTTP.
///
/// Made and torn down in scope with ``with(faults:limits:seed:_:)``: the sandbox is
/// stopped (and awaited) when the body returns or throws.
final class RunFixture: Sendable {
    let dir = TemporaryDirectory()
    let server: SandboxServer
    let passcode = "s3cr3t-passcode-xyz"
    let account = "123"

    /// With `tls`, the sandbox serves HTTPS and the endpoint is `https://`.
    init(
        faults: FaultConfiguration = .none, limits: ValidationLimits = ValidationLimits(), seed: UInt64 = 7,
        tls: SandboxTLSFiles? = nil
    ) async throws {
        server = try await SandboxServer.start(
            SandboxConfiguration(
                accounts: [SandboxAccount(id: "123", passcode: "s3cr3t-passcode-xyz", region: .in1)], faults: faults,
                seed: seed, limits: limits, tls: tls))
    }

    /// Runs `body` with a fresh fixture, then stops its sandbox, whether `body` returned or threw.
    static func with<Result>(
        faults: FaultConfiguration = .none, limits: ValidationLimits = ValidationLimits(), seed: UInt64 = 7,
        tls: SandboxTLSFiles? = nil, _ body: (RunFixture) async throws -> Result
    ) async throws -> Result {
        let fixture = try await RunFixture(faults: faults, limits: limits, seed: seed, tls: tls)
        let result: Result
        do {
            result = try await body(fixture)
        } catch {
            await fixture.stop()
            throw error
        }
        await fixture.stop()
        return result
    }

    func stop() async {
        do {
            try await server.shutdown()
        } catch {
            Issue.record("the sandbox did not shut down: \(error)")
        }
    }

    var environment: [String: String] {
        [
            "CLEVERTAP_ACCOUNT_ID": account, "CLEVERTAP_PASSCODE": passcode,
            "CTSYNC_ENDPOINT": "\(server.baseURL)/{region}", "CTSYNC_RETRY_BASE_MS": "5",
        ]
    }

    var statePath: String { dir.path + "/state.sqlite" }

    /// Writes `rows` profile rows (id, email, name, score) as contacts.csv.
    func writeContacts(_ rows: Int, nameSuffix: (Int) -> String = { _ in "" }) {
        var csv = "id,email,name,score\n"
        csv.reserveCapacity(rows * 48)
        for i in 0..<rows {
            csv += "\(i),user\(i)@example.com,User \(i)\(nameSuffix(i)),\(i % 100)\n"
        }
        dir.write("contacts.csv", csv)
    }

    func profilesJob(
        batchSize: Int = 100, concurrency: Int = 5, mode: String = "upsert", timeout: String = "20s", extra: String = ""
    ) -> String {
        dir.write(
            "profiles.yaml",
            """
            version: 1
            name: profiles
            destination: { region: in1, account_id: "${CLEVERTAP_ACCOUNT_ID}", passcode: "${CLEVERTAP_PASSCODE}" }
            source: { file: contacts.csv }
            object: profiles
            mode: \(mode)
            primary_key: id
            mappings:
              - { from: email, to: identity }
              - { from: name, to: Name }
              - { from: score, to: Score, transform: [number] }
            options:
              batch_size: \(batchSize)
              concurrency: \(concurrency)
              max_attempts: 8
              request_timeout: \(timeout)
            \(extra)
            """)
    }

    // MARK: - Running ctsync

    /// A run that wrote no report.
    struct MissingReport: Error, CustomStringConvertible {
        var result: ProcessResult
        var description: String { "ctsync run exited \(result.status) without writing a report:\n\(result.stderr)" }
    }

    private static let reportCounter = Locked(0)

    /// Runs `ctsync run` to completion and returns its result and the report it wrote,
    /// validated against `schemas/report.schema.json` and decoded as a `RunReportDocument`;
    /// throws ``MissingReport`` when it wrote none.
    ///
    /// - Parameters:
    ///   - state: the `--state` argument; this fixture's SQLite file by default.
    ///   - directory: the working directory; this fixture's folder by default.
    func run(
        _ job: String, _ extra: [String] = [], environment: [String: String] = [:], state: String? = nil,
        directory: String? = nil, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> (ProcessResult, RunReportDocument) {
        let (result, report) = try await runWithOptionalReport(
            job, extra, environment: environment, state: state, directory: directory, sourceLocation: sourceLocation)
        guard let report else { throw MissingReport(result: result) }
        return (result, report)
    }

    /// ``run(_:_:environment:state:directory:sourceLocation:)`` for a run that may write no report.
    func runWithOptionalReport(
        _ job: String, _ extra: [String] = [], environment: [String: String] = [:], state: String? = nil,
        directory: String? = nil, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> (ProcessResult, RunReportDocument?) {
        let number = Self.reportCounter.withLock { count in
            count += 1
            return count
        }
        let report = (directory ?? dir.path) + "/report-\(number).json"
        let result = try await runProcessDetached(
            Products.ctsync, ["run", job, "--state", state ?? statePath, "--report", report, "--quiet"] + extra,
            environment: self.environment.merging(environment) { _, new in new }, directory: directory ?? dir.path)
        guard FileManager.default.fileExists(atPath: report) else { return (result, nil) }
        return (
            result,
            try OutputContract.decode(RunReportDocument.self, file: report, schema: "report", sourceLocation: sourceLocation)
        )
    }

    /// Starts `ctsync run` without waiting for it; its stdout is discarded, its stderr
    /// too unless `stderrFile` names a file for it.
    func start(
        _ job: String, state: String? = nil, directory: String? = nil, report: String, stderrFile: String? = nil
    ) throws -> ChildProcess {
        try ChildProcess(
            Products.ctsync, ["run", job, "--state", state ?? statePath, "--quiet", "--report", report],
            environment: environment, directory: directory ?? dir.path, stderrFile: stderrFile)
    }

    /// Waits until the sandbox has finished every request, including those a client
    /// gave up on (a slow answer, a killed process), so the store no longer changes.
    ///
    /// A killed client's last requests may still sit in the kernel (the accept backlog,
    /// the server's receive buffer) where the sandbox has not seen them: idle is also
    /// no TCP connection to the sandbox's port left open, as the kernel lists them.
    func waitUntilIdle(timeout: Duration = .seconds(60)) async throws {
        try await eventually(timeout, "the sandbox to become idle") {
            server.stats().inFlight == 0 && Self.openConnections(toPort: server.port) == 0
        }
    }

    /// Server-side sockets of `port` that may still hold a client's unread bytes
    /// (ESTABLISHED, SYN_RECV, CLOSE_WAIT), from /proc/net/tcp{,6}.
    static func openConnections(toPort port: Int) -> Int {
        let wanted = String(format: "%04X", port)
        var count = 0
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            guard let text = try? String(contentsOfFile: table, encoding: .utf8) else { continue }
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                guard fields.count > 3, let local = fields[1].split(separator: ":").last else { continue }
                if local == wanted && ["01", "03", "08"].contains(fields[3]) { count += 1 }
            }
        }
        return count
    }

    /// Checks the report's accounting identities.
    static func expectCountsAddUp(_ report: RunReportDocument, sourceLocation: SourceLocation = #_sourceLocation) {
        let c = report.counts
        #expect(c.sourceRows == c.invalid + c.unchanged + c.planned, "\(c)", sourceLocation: sourceLocation)
        #expect(c.planned == c.added + c.changed, "\(c)", sourceLocation: sourceLocation)
        if report.status != .aborted {
            #expect(c.planned == c.succeeded + c.rejected + c.failed, "\(c)", sourceLocation: sourceLocation)
        }
    }
}
