import Foundation
import CTSyncSupport
import Synchronization

/// Coordination between the processes of one machine that share a SQLite state
/// file, through flock(2) lock files in a directory beside it
/// (`.ctsync/state.sqlite.locks/`): `job-<name>.lock` is a job's lease, and
/// `account-<id>/` holds the account's slot files and one member file a process.
/// The kernel releases a dead process's locks at once; nothing here expires.
public final class LockFileCoordinator: RunCoordinator {
    public let directory: String
    private let identity: HolderIdentity
    private let held = Mutex(Held())
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
        var told = false
        while let holder = try takeJob(job) {
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
    }

    /// One try at the job's lease: nil when taken (the lock file is kept open and
    /// locked until `releaseJob`), else who holds it, as far as it says.
    private func takeJob(_ job: String) throws(CoordinationError) -> LeaseHolder?? {
        let path = directory + "/job-" + LockFile.safeName(job) + ".lock"
        let identity = self.identity
        return try held.withLock { (held: inout Held) throws(CoordinationError) -> LeaseHolder?? in
            let file = try LockFile(path: path)
            guard try file.tryLock() else { return .some(Self.holder(from: file.read())) }
            file.write("pid=\(identity.pid)\nhost=\(identity.host)\nsince=\(Date().timeIntervalSince1970)\n")
            held.jobs[job] = file
            return .none
        }
    }

    public func releaseJob(_ job: String) async {
        held.withLock { held in
            guard let file = held.jobs.removeValue(forKey: job) else { return }
            file.unlock()
            file.close()
        }
    }

    public func slotBudget(account: String, capacity: Int) -> any SlotBudget {
        held.withLock { held in
            if let budget = held.budgets[account] { return budget }
            let budget = LockFileSlotBudget(
                directory: directory + "/account-" + LockFile.safeName(account), capacity: capacity, identity: identity
            ) { [weak self] error in
                self?.markLost(
                    "cannot share the account's request slots with other processes: \(error); stopped sending")
            }
            held.budgets[account] = budget
            return budget
        }
    }

    /// Lock files are only lost when they cannot be created or locked.
    public func onLost(_ handler: @escaping @Sendable (String) -> Void) { loss.onLost(handler) }

    public var lostReason: String? { loss.reason }

    private func markLost(_ reason: String) { loss.markLost(reason) }

    public func close() async {
        let accounts = held.withLock { held in
            for file in held.jobs.values {
                file.unlock()
                file.close()
            }
            defer { held = Held() }
            return Array(held.budgets.values)
        }
        for budget in accounts { budget.close() }
    }

    /// The job leases and account budgets this process holds.
    private struct Held {
        var jobs: [String: LockFile] = [:]
        var budgets: [String: LockFileSlotBudget] = [:]
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
