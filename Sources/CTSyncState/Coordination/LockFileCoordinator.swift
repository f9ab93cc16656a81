import Foundation
import CTSyncSupport
import Synchronization

/// Coordination between the processes of one machine that share a SQLite state
/// file, through flock(2) lock files in a directory beside it
/// (`.ctsync/state.sqlite.locks/`): `job-<name>.lock` is a job's lease, and
/// `account-<id>/` holds the account's slot files and one member file a process.
/// The kernel releases a dead process's locks at once; nothing here expires.
public final class LockFileCoordinator: RunCoordinator, @unchecked Sendable {
    public let directory: String
    private let identity: HolderIdentity
    // Guarded by `lock`.
    private var jobs: [String: LockFile] = [:]
    private var budgets: [String: LockFileSlotBudget] = [:]
    private let lock = Mutex<Void>(())
    private let loss = LossSignal()
    /// How often a waiting `acquireJob` tries again.
    private let retryInterval = Duration.milliseconds(250)

    public init(directory: String, identity: HolderIdentity = .current) throws(CoordinationError) {
        self.directory = directory
        self.identity = identity
        do {
            try PrivateFile.makeDirectory(directory)
        } catch {
            throw .io(path: directory, message: error.reason)
        }
    }

    /// The lock directory of a SQLite state file.
    public static func directory(forStateFile path: String) -> String {
        path + ".locks"
    }

    public func acquireJob(_ job: String, wait: Bool, waiting: @escaping @Sendable (LeaseHolder?) -> Void)
        async throws(CoordinationError)
    {
        let file = try LockFile(path: directory + "/job-" + LockFile.safeName(job) + ".lock")
        var told = false
        while !(try file.tryLock()) {
            let holder = Self.holder(from: file.read())
            guard wait else { throw .jobHeld(job: job, holder: holder) }
            if !told {
                waiting(holder)
                told = true
            }
            do {
                try await Task.sleep(for: retryInterval)
            } catch {
                throw .cancelled
            }
        }
        file.write("pid=\(identity.pid)\nhost=\(identity.host)\nsince=\(Date().timeIntervalSince1970)\n")
        lock.withLock { _ in jobs[job] = file }
    }

    public func releaseJob(_ job: String) async {
        let file = lock.withLock { _ in jobs.removeValue(forKey: job) }
        file?.unlock()
        file?.close()
    }

    public func slotBudget(account: String, capacity: Int) -> any SlotBudget {
        lock.withLock { _ in
            if let budget = budgets[account] { return budget }
            let budget = LockFileSlotBudget(
                directory: directory + "/account-" + LockFile.safeName(account), capacity: capacity, identity: identity
            ) { [weak self] error in
                self?.markLost(
                    "cannot share the account's request slots with other processes: \(error); stopped sending")
            }
            budgets[account] = budget
            return budget
        }
    }

    /// Lock files are only lost when they cannot be created or locked.
    public func onLost(_ handler: @escaping @Sendable (String) -> Void) { loss.onLost(handler) }

    public var lostReason: String? { loss.reason }

    private func markLost(_ reason: String) { loss.markLost(reason) }

    public func close() async {
        let (held, accounts) = lock.withLock { _ in
            defer {
                jobs = [:]
                budgets = [:]
            }
            return (Array(jobs.values), Array(budgets.values))
        }
        for file in held {
            file.unlock()
            file.close()
        }
        for budget in accounts { budget.close() }
    }

    static func holder(from text: String) -> LeaseHolder? {
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { fields[String(parts[0])] = String(parts[1]) }
        }
        guard !fields.isEmpty else { return nil }
        return LeaseHolder(
            pid: fields["pid"].flatMap { Int32($0) }, host: fields["host"],
            since: fields["since"].flatMap(Double.init).map { Date(timeIntervalSince1970: $0) })
    }
}
