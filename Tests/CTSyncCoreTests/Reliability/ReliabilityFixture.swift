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
/// folder, and `ctsync run` of the built binary against them.
final class ReliabilityFixture: @unchecked Sendable {
    let base: RunFixture
    let workload: ReliabilityWorkload
    var server: SandboxServer { base.server }
    var dir: TemporaryDirectory { base.dir }

    init(rows: Int, faults: FaultConfiguration, seed: UInt64) async throws {
        base = try await RunFixture(faults: faults, seed: seed)
        workload = ReliabilityWorkload(rows: rows)
        dir.write("contacts.csv", workload.contactsCSV())
        dir.write("orders.csv", workload.ordersCSV())
    }

    func stop() async { await base.stop() }

    /// Writes both jobs with `options` and returns their paths (profiles, events).
    @discardableResult
    func writeJobs(_ options: ReliabilityWorkload.Options) -> (profiles: String, events: String) {
        (
            dir.write("jobs/\(ReliabilityWorkload.profilesJob).yaml", ReliabilityWorkload.profilesYAML(options)),
            dir.write("jobs/\(ReliabilityWorkload.eventsJob).yaml", ReliabilityWorkload.eventsYAML(options))
        )
    }

    var jobsDirectory: String { dir.path + "/jobs" }

    func statePath(_ name: String = "state") -> String { dir.path + "/\(name).sqlite" }

    /// The environment `ctsync` runs with: the sandbox's endpoint, credentials, a 5 ms retry base.
    var environment: [String: String] { base.environment }

    /// Runs `ctsync run` on `paths` to completion; returns its result and each job's report.
    func run(_ paths: [String], state: String) async throws -> (ProcessResult, [String: JobReport]) {
        let reports = dir.path + "/reports-\(UUID().uuidString)/"
        let result = try await runProcessDetached(
            Products.ctsync, ["run"] + paths + ["--state", state, "--report", reports, "--quiet"],
            environment: environment, directory: dir.path)
        var parsed: [String: JobReport] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: reports)) ?? [] {
            guard let data = FileManager.default.contents(atPath: reports + name),
                let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                let job = (json["job"] as? [String: Any])?["name"] as? String
            else { continue }
            parsed[job] = JobReport(json: json)
        }
        return (result, parsed)
    }

    /// Waits until the sandbox has finished every request, including those a client
    /// gave up on (a slow answer, a killed process), so the store no longer changes.
    ///
    /// A killed client's last requests may still sit in the kernel (the accept backlog,
    /// the server's receive buffer) where the sandbox has not seen them: idle is also
    /// no TCP connection to the sandbox's port left open, as the kernel lists them.
    func waitUntilIdle(timeout: Duration = .seconds(60)) async throws {
        let end = ContinuousClock.now + timeout
        while server.stats().inFlight > 0 || Self.openConnections(toPort: server.port) > 0 {
            guard ContinuousClock.now < end else {
                Issue.record("the sandbox did not become idle within \(timeout)")
                return
            }
            try await Task.sleep(for: .milliseconds(10))
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
}

/// One job's run report, with typed access to the figures the suites check.
struct JobReport: @unchecked Sendable {
    let json: [String: Any]

    var status: String { json["status"] as? String ?? "?" }
    var counts: [String: Int] { json["counts"] as? [String: Int] ?? [:] }
    func count(_ name: String) -> Int { counts[name] ?? -1 }
    var http: [String: Any] { json["http"] as? [String: Any] ?? [:] }
    var requests: Int { http["requests"] as? Int ?? -1 }
    var retries: Int { http["retries"] as? Int ?? -1 }
    var throttled: Int { http["throttled"] as? Int ?? -1 }
    var errors: String {
        guard let errors = json["errors"], JSONSerialization.isValidJSONObject(errors),
            let data = try? JSONSerialization.data(withJSONObject: errors, options: [.sortedKeys])
        else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    /// `status`, counts and HTTP figures on one line, for failure messages.
    var summary: String {
        let c = counts.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        return "status=\(status) \(c) requests=\(requests) retries=\(retries) throttled=\(throttled) errors=\(errors)"
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
