import Foundation
import Testing

@testable import CTSyncPlan
@testable import CTSyncSupport

/// What `ctsync plan --format json` must report for a hostile source.
struct PlanOutcome: Sendable, CustomStringConvertible {
    var status: Int32 = 0
    /// `counts.source_rows`, `counts.invalid` and `counts.planned`; nil when the plan fails.
    var counts: (sourceRows: Int, invalid: Int, planned: Int)?
    /// `rejected.<reason>.samples` as (row, message), for each reason expected.
    var rejected: [String: [Sample]] = [:]
    /// `rejected.<reason>.count` where it exceeds the samples shown.
    var rejectedCounts: [String: Int] = [:]
    /// The `Name` of each planned record, in source order (from `--records`).
    var plannedNames: [String]?
    /// The whole of stderr, for a plan that fails.
    var stderr: String?
    /// A substring stderr must contain, when the exact text depends on the run.
    var stderrContains: [String] = []
    /// The most bytes stderr may hold.
    var maxStderrBytes = 16 << 10
    /// The shortest the run may take, for timeouts.
    var minSeconds: Double = 0

    struct Sample: Sendable, Equatable, CustomStringConvertible {
        var row: Int
        var message: String
        var description: String { "\(row): \(message)" }
    }

    var description: String { "exit \(status)" }

    static func sample(_ row: Int, _ message: String) -> Sample { Sample(row: row, message: message) }
}

/// Runs `ctsync plan` on a job and checks a ``PlanOutcome``.
enum HostilePlan {
    static let environment = ["CLEVERTAP_ACCOUNT_ID": "123", "CLEVERTAP_PASSCODE": "secret"]

    /// A profiles job keyed on `id`, mapping `email` to identity and `name` to `Name`.
    static func job(source: String) -> String {
        """
        version: 1
        name: hostile
        destination: { region: in1, account_id: "${CLEVERTAP_ACCOUNT_ID}", passcode: "${CLEVERTAP_PASSCODE}" }
        source: \(source)
        object: profiles
        mode: upsert
        primary_key: id
        mappings:
          - { from: email, to: identity }
          - { from: name, to: Name }
        # Every hostile row is counted, not judged: plan's exit status must not depend on how many fail.
        options: { max_rejected: 100% }

        """
    }

    static func check(
        _ expected: PlanOutcome, job: String, in dir: TemporaryDirectory,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let records = dir.path + "/records.jsonl"
        let run = try await BoundedRun.ctsync(
            ["plan", job, "--format", "json", "--state", dir.path + "/state.sqlite", "--records", records],
            environment: environment, directory: dir.path, sourceLocation: sourceLocation)
        #expect(run.status == expected.status, "\(run.stderr.prefix(2000))", sourceLocation: sourceLocation)
        #expect(
            run.stderrBytes <= expected.maxStderrBytes, "\(run.stderrBytes) bytes on stderr",
            sourceLocation: sourceLocation)
        #expect(run.seconds >= expected.minSeconds, "finished after \(run.seconds) s", sourceLocation: sourceLocation)
        if let stderr = expected.stderr {
            #expect(run.stderr == stderr, sourceLocation: sourceLocation)
        }
        for part in expected.stderrContains {
            #expect(run.stderr.contains(part), "stderr lacks \(part): \(run.stderr.prefix(2000))", sourceLocation: sourceLocation)
        }
        // Nothing the source wrote may reach the terminal as a control sequence.
        #expect(
            !run.stderr.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" || (0x7F...0x9F).contains($0.value) },
            "control characters on stderr: \(run.stderr.debugDescription.prefix(500))", sourceLocation: sourceLocation)

        guard let counts = expected.counts else {
            #expect(run.stdout.isEmpty, "a failed plan printed: \(run.stdout.prefix(500))", sourceLocation: sourceLocation)
            return
        }
        let plan = try OutputContract.decode(PlanDocument.self, run.stdout, schema: "plan", sourceLocation: sourceLocation)
        let found = plan.counts
        #expect(
            found.sourceRows == counts.sourceRows && found.invalid == counts.invalid && found.planned == counts.planned,
            "counts \(found)", sourceLocation: sourceLocation)
        #expect(
            found.sourceRows == found.invalid + found.unchanged + found.planned,
            "source_rows != invalid + unchanged + planned: \(found)", sourceLocation: sourceLocation)

        let rejected = plan.rejected
        #expect(Set(rejected.keys) == Set(expected.rejected.keys), "reasons \(rejected.keys.sorted())", sourceLocation: sourceLocation)
        for (reason, samples) in expected.rejected {
            let shown = (rejected[reason]?.samples ?? []).map { PlanOutcome.Sample(row: $0.row, message: $0.message) }
            #expect(shown == samples, "\(reason) samples", sourceLocation: sourceLocation)
            #expect(
                rejected[reason]?.count == expected.rejectedCounts[reason] ?? samples.count, "\(reason) count",
                sourceLocation: sourceLocation)
        }
        if let names = expected.plannedNames {
            let lines = (try? String(contentsOfFile: records, encoding: .utf8)) ?? ""
            let planned = try lines.split(separator: "\n").map { line in
                let record = try JSONDecoder().decode(JSONValue.self, from: Data(line.utf8))
                guard case .object(let fields) = record, case .object(let profile)? = fields["profileData"],
                    case .string(let name)? = profile["Name"]
                else { return "<none>" }
                return name
            }
            #expect(planned == names, sourceLocation: sourceLocation)
        }
    }
}
