import CTSyncPlan
import CTSyncReport
import CTSyncState
import CTSyncSupport
import Foundation

/// `ctsync check`'s state and lease checks. The state is opened once, read-only
/// (`StateLocation.openForReading`: nothing is created or migrated), and a newer
/// schema than this ctsync knows fails the check. The lease is probed without being
/// taken (`RunCoordinator.leaseHolder`).
final class StateProbe {
    let location: StateLocation
    private var opened: Result<(any StateStore)?, StateError>?
    private var probe: (any RunCoordinator)?

    init(location: StateLocation) {
        self.location = location
    }

    /// The state check and the lease check of one job.
    func check(job: JobKey) async -> [CheckResult] {
        let target = location.description
        let store: (any StateStore)?
        switch open() {
        case .failure(let error):
            return [
                CheckResult(.state, .failed, target: target, "\(error)", fix: Self.fix(for: error)),
                CheckResult(.lease, .skipped, target: target, "not checked: the state cannot be read"),
            ]
        case .success(let opened):
            store = opened
        }
        var results: [CheckResult] = []
        if let store {
            do {
                let count = try store.acknowledgedCount(job: job)
                results.append(
                    CheckResult(
                        .state, .ok, target: target,
                        "readable, schema known to this ctsync; \(count) key\(count == 1 ? "" : "s") acknowledged for this job"
                            + (count == 0 ? " (the first run sends every row)" : "")))
            } catch let error as StateError {
                results.append(CheckResult(.state, .failed, target: target, "\(error)", fix: Self.fix(for: error)))
            }
        } else {
            results.append(noStateYet(target: target))
        }
        results.append(await lease(job: job.name, store: store, target: target))
        return results
    }

    private func noStateYet(target: String) -> CheckResult {
        switch location {
        case .sqlite(let path):
            if let problem = Self.creationProblem(path) {
                return CheckResult(
                    .state, .failed, target: target, "no state yet, and the first run cannot create it: \(problem)",
                    fix: "pass a --state path in a writable folder")
            }
            return CheckResult(
                .state, .ok, target: target, "no state yet: the first run creates it (and sends every row)")
        case .postgres:
            return CheckResult(
                .state, .ok, target: target,
                "database reachable; no ctsync tables yet: the first run creates them (and sends every row)")
        }
    }

    private func lease(job: String, store: (any StateStore)?, target: String) async -> CheckResult {
        if probe == nil { probe = location.leaseProbe(store: store) }
        guard let probe else {
            return CheckResult(.lease, .ok, target: target, "free: no run of this job holds it")
        }
        do {
            guard let holder = try await probe.leaseHolder(job: job) else {
                return CheckResult(.lease, .ok, target: target, "free: no run of this job holds it")
            }
            return CheckResult(
                .lease, .warning, target: target,
                "held by another ctsync process (\(holder)): it is running this job now",
                fix: "a run started now skips this job (exit 3) unless given --wait-for-lock")
        } catch {
            return CheckResult(
                .lease, .failed, target: target, "cannot tell who holds the lease: \(error)",
                fix: "check the state location and its lock files")
        }
    }

    private func open() -> Result<(any StateStore)?, StateError> {
        if let opened { return opened }
        let result: Result<(any StateStore)?, StateError>
        do {
            result = .success(try location.openForReading())
        } catch {
            result = .failure(error)
        }
        opened = result
        return result
    }

    func close() async {
        await probe?.close()
        if case .success(let store?) = opened { store.shutdown() }
    }

    /// Why a SQLite state file could not be created at `path`, or nil: its nearest
    /// existing folder must be writable.
    static func creationProblem(_ path: String) -> String? {
        var directory = Paths.directory(of: path)
        while !Paths.exists(directory) {
            let parent = Paths.directory(of: directory)
            if parent == directory { break }
            directory = parent
        }
        if access(directory, W_OK) != 0 { return "folder \(directory) is not writable" }
        return nil
    }

    static func fix(for error: StateError) -> String {
        switch error {
        case .newerSchema, .newerDatabaseSchema:
            "upgrade ctsync to the version that wrote it"
        case .notADatabase, .foreignDatabase, .foreignSchema:
            "pass another --state; ctsync does not write into a database it did not create"
        case .unsupportedLocation, .invalidURL, .passwordInURL:
            "fix --state or CTSYNC_STATE"
        case .database:
            "check the URL, that the server is up and reachable, and CTSYNC_STATE_PASSWORD or PGPASSWORD"
        case .io:
            "check the path and its permissions"
        case .conflict:
            "run `ctsync status` to see the job's state, and `ctsync state` to repair it"
        }
    }
}
