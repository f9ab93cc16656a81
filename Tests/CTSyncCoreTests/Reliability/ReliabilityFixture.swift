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

/// An in-process sandbox, the workload's source files and jobs in a temporary
/// folder, and `ctsync run` of the built binary against them. Made and torn down in
/// scope with ``with(rows:faults:seed:_:)``, over a ``RunFixture``.
final class ReliabilityFixture: Sendable {
    let base: RunFixture
    let workload: ReliabilityWorkload
    var server: SandboxServer { base.server }
    var dir: TemporaryDirectory { base.dir }

    private init(base: RunFixture, rows: Int) {
        self.base = base
        workload = ReliabilityWorkload(rows: rows)
        dir.write("contacts.csv", workload.contactsCSV())
        dir.write("orders.csv", workload.ordersCSV())
    }

    /// Runs `body` with a fresh fixture, then stops its sandbox, whether `body` returned or threw.
    static func with<Result>(
        rows: Int, faults: FaultConfiguration, seed: UInt64, _ body: (ReliabilityFixture) async throws -> Result
    ) async throws -> Result {
        try await RunFixture.with(faults: faults, seed: seed) { base in
            try await body(ReliabilityFixture(base: base, rows: rows))
        }
    }

    /// Writes both jobs with `options` (nil: no options, every one at its default) and
    /// returns their paths (profiles, events).
    @discardableResult
    func writeJobs(_ options: ReliabilityWorkload.Options?) -> (profiles: String, events: String) {
        (
            dir.write("jobs/\(ReliabilityWorkload.profilesJob).yaml", ReliabilityWorkload.profilesYAML(options)),
            dir.write("jobs/\(ReliabilityWorkload.eventsJob).yaml", ReliabilityWorkload.eventsYAML(options))
        )
    }

    var jobsDirectory: String { dir.path + "/jobs" }

    func statePath(_ name: String = "state") -> String { dir.path + "/\(name).sqlite" }

    /// The environment `ctsync` runs with: the sandbox's endpoint, credentials, a 5 ms retry base.
    var environment: [String: String] { base.environment }

    private static let runCounter = Locked(0)

    /// Runs `ctsync run` on `paths` to completion; returns its result and each job's report,
    /// by job name, validated against `schemas/report.schema.json` and decoded.
    func run(_ paths: [String], state: String, extra: [String] = []) async throws -> (
        ProcessResult, [String: RunReportDocument]
    ) {
        let number = Self.runCounter.withLock { count in
            count += 1
            return count
        }
        let reports = dir.path + "/reports-\(number)/"
        // One job at a time: the scenarios bound what the sandbox sees by one job's
        // concurrency (parallel jobs have their own tests, ParallelJobsTests).
        let result = try await runProcessDetached(
            Products.ctsync,
            ["run"] + paths + ["--state", state, "--report", reports, "--quiet", "--parallel", "1"] + extra,
            environment: environment, directory: dir.path)
        var parsed: [String: RunReportDocument] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: reports)) ?? [] {
            let report = try OutputContract.decode(RunReportDocument.self, file: reports + name, schema: "report")
            parsed[report.job.name] = report
        }
        return (result, parsed)
    }

    /// See ``RunFixture/waitUntilIdle(timeout:)``.
    func waitUntilIdle(timeout: Duration = .seconds(60)) async throws {
        try await base.waitUntilIdle(timeout: timeout)
    }
}

extension RunReportDocument {
    /// `status`, counts and HTTP figures on one line, for failure messages.
    var summary: String {
        let c = counts
        let errorGroups = (try? JSONValue(encoding: errors))?.serialized(pretty: false) ?? "?"
        return "status=\(status.rawValue) source_rows=\(c.sourceRows) invalid=\(c.invalid) unchanged=\(c.unchanged) "
            + "planned=\(c.planned) added=\(c.added) changed=\(c.changed) sent=\(c.sent) succeeded=\(c.succeeded) "
            + "rejected=\(c.rejected) failed=\(c.failed) possibly_duplicated=\(c.possiblyDuplicated) "
            + "requests=\(http.requests) retries=\(http.retries) throttled=\(http.throttled) errors=\(errorGroups)"
    }
}

extension SandboxStats {
    /// The counters the suites quote in failure messages.
    var summary: String {
        "requests=\(requests) batches=\(batchesProcessed) records=\(recordsProcessed) profiles=\(profiles) "
            + "events=\(events) 429=\(injected429) throttled=\(throttled) 500=\(injected500) 502=\(injected502) "
            + "503=\(injected503) dropped=\(dropped) lost=\(lostResponses) slow=\(slowResponses) "
            + "maxInFlight=\(maxInFlight)"
    }
}
