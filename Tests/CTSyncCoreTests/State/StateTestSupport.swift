import Foundation
import Testing

@testable import CTSyncSupport
@testable import CleverTapContract
@testable import CTSyncSpec
@testable import CTSyncPlan
@testable import CTSyncState
@testable import CTSyncSession

extension PlanSummary {
    /// The key of the planned job's state: `name` at the plan's destination.
    func key(_ name: String) -> JobKey { JobKey(name: name, destination: destination) }
}

extension StateStore {
    /// The key of the one state held under `name` (a test runs each job to one
    /// destination), or the name without destination when there is none.
    func key(named name: String) throws -> JobKey {
        try jobs(named: name).first?.key ?? JobKey(name: name, destination: nil)
    }

    /// How many keys the one state of `name` holds.
    func acknowledgedCount(named name: String) throws -> Int {
        try acknowledgedCount(job: key(named: name))
    }

    /// Records what a completed run of the plan records: its planned records, then its spec.
    func complete(_ summary: PlanSummary, _ records: [PlannedRecord], job name: String) throws {
        try acknowledge(records.map { Acknowledgement(key: $0.key, hash: $0.hash) }, job: summary.key(name), spec: summary.specFingerprint)
        try setSpec(summary.canonicalSpec, job: summary.key(name))
    }
}

/// The fixtures of `Fixtures/state/v1` (state ctsync 0.1 wrote, schema 1) and
/// `Fixtures/state/v2` (the last ctsync before schema 3).
enum StateFixtures {
    static func path(_ name: String, version: Int = 1) throws -> String {
        try #require(
            Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures/state/v\(version)"),
            "missing fixture Fixtures/state/v\(version)/\(name)"
        ).path
    }

    /// The endpoint the fixtures' runs went to.
    static let endpoint = "http://127.0.0.1:47801/{region}"

    /// Copies the fixture jobs and their sources into `dir`.
    static func copyJobs(to dir: TemporaryDirectory, version: Int = 1) throws {
        for name in ["crm.yaml", "orders.yaml", "contacts.csv", "orders.jsonl"] {
            try FileManager.default.copyItem(atPath: try path(name, version: version), toPath: dir.path + "/" + name)
        }
    }

    /// The statements of `postgres.sql`, split at semicolons outside `$$` bodies.
    static func postgresStatements(version: Int = 1) throws -> [String] {
        let text = try String(contentsOfFile: try path("postgres.sql", version: version), encoding: .utf8)
        var statements: [String] = []
        var current = ""
        var inBody = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("--") && current.isEmpty { continue }
            current += line + "\n"
            if line.components(separatedBy: "$$").count % 2 == 0 { inBody.toggle() }
            if !inBody && line.hasSuffix(";") {
                statements.append(current.trimmingCharacters(in: .whitespacesAndNewlines))
                current = ""
            }
        }
        return statements
    }
}
