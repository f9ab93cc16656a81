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
final class RunFixture: @unchecked Sendable {
    let dir = TemporaryDirectory()
    let server: SandboxServer
    let passcode = "s3cr3t-passcode-xyz"
    let account = "123"

    init(faults: FaultConfiguration = .none, limits: ValidationLimits = ValidationLimits(), seed: UInt64 = 7) async throws {
        server = try await SandboxServer.start(
            SandboxConfiguration(
                accounts: [SandboxAccount(id: "123", passcode: "s3cr3t-passcode-xyz", region: .in1)], faults: faults,
                seed: seed, limits: limits))
    }

    func stop() async {
        try? await server.shutdown()
    }

    var environment: [String: String] {
        [
            "CLEVERTAP_ACCOUNT_ID": account, "CLEVERTAP_PASSCODE": passcode,
            "CTSYNC_ENDPOINT": "http://127.0.0.1:\(server.port)/{region}", "CTSYNC_RETRY_BASE_MS": "5",
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

    /// Runs `ctsync run` and returns the process result and the parsed report.
    func run(_ job: String, _ extra: [String] = [], environment: [String: String] = [:]) async throws -> (
        ProcessResult, [String: Any]
    ) {
        let report = dir.path + "/report-\(UUID().uuidString).json"
        let result = try await runProcessDetached(
            Products.ctsync, ["run", job, "--state", statePath, "--report", report, "--quiet"] + extra,
            environment: self.environment.merging(environment) { _, new in new }, directory: dir.path)
        let data = (try? Data(contentsOf: URL(fileURLWithPath: report))) ?? Data()
        let parsed = (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
        return (result, parsed)
    }

    static func counts(_ report: [String: Any]) -> [String: Int] {
        (report["counts"] as? [String: Int]) ?? [:]
    }

    /// Checks the report's accounting identities.
    static func expectCountsAddUp(_ report: [String: Any], sourceLocation: SourceLocation = #_sourceLocation) {
        let c = counts(report)
        #expect(c["source_rows"] == c["invalid"]! + c["unchanged"]! + c["planned"]!, sourceLocation: sourceLocation)
        #expect(c["planned"] == c["added"]! + c["changed"]!, sourceLocation: sourceLocation)
        if report["status"] as? String != "aborted" {
            #expect(c["planned"] == c["succeeded"]! + c["rejected"]! + c["failed"]!, sourceLocation: sourceLocation)
        }
    }
}
