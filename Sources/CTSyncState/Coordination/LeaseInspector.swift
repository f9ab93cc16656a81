import Foundation
import Logging
import PostgresNIO
import CTSyncPlan

/// Who holds a job's lease right now, read without taking it, so that looking
/// (`ctsync status`, `state show`) never makes a starting run think its job is busy.
public protocol LeaseInspector: Sendable {
    /// The process running `job` now, or nil when nobody holds its lease.
    func holder(ofJob job: String) async throws(StateError) -> LeaseHolder?
}

/// Job leases of a SQLite state: flock(2) locks on files beside it. Whether a file
/// is locked is read from the kernel's lock table (`/proc/locks`) where there is one,
/// else by trying a shared lock for a moment; who holds it, from the file's contents.
public struct LockFileLeaseInspector: LeaseInspector {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    public func holder(ofJob job: String) async throws(StateError) -> LeaseHolder? {
        let path = directory + "/job-" + LockFile.safeName(job) + ".lock"
        let file: LockFile
        do {
            guard let existing = try LockFile.existing(path: path) else { return nil }
            file = existing
        } catch {
            throw .io(path: path, message: "\(error)")
        }
        defer { file.close() }
        let locked: Bool
        do {
            locked = try file.isLockedByAnother()
        } catch {
            throw .io(path: path, message: "\(error)")
        }
        guard locked else { return nil }
        return LockFileCoordinator.holder(from: file.read()) ?? LeaseHolder(pid: nil, host: nil, since: nil)
    }
}

/// Job leases of a PostgreSQL state: rows of `ctsync_job_leases` that have not
/// expired, and whose holder, when it ran on this machine, is still alive.
public struct PostgresLeaseInspector: LeaseInspector {
    /// Nil when the database holds no ctsync tables yet.
    let store: PostgresStateStore?

    public func holder(ofJob job: String) async throws(StateError) -> LeaseHolder? {
        guard let store else { return nil }
        let rows: [(Int32, String, String, Date)]
        do {
            rows = try await PostgresBridge.deadline(10) {
                var found: [(Int32, String, String, Date)] = []
                let result = try await store.client.query(
                    """
                    SELECT pid, host, boot_id, acquired_at FROM ctsync_job_leases
                    WHERE job = \(job) AND expires_at > now()
                    """, logger: store.logger)
                for try await row in result.decode((Int32, String, String, Date).self) { found.append(row) }
                return found
            }
        } catch {
            throw .database(url: store.url, message: PostgresFailure.describe(error))
        }
        guard let (pid, host, boot, since) = rows.first else { return nil }
        if HolderIdentity.current.isDeadLocalProcess(pid: pid, host: host, boot: boot) { return nil }
        return LeaseHolder(pid: pid, host: host, since: since)
    }
}

extension LockFile {
    /// Whether another open file holds a lock on this file. Linux: the kernel's lock
    /// table, which shows locks without touching them. Elsewhere: a shared lock tried
    /// and released at once (a run starting in that instant sees the job as busy).
    func isLockedByAnother() throws(CoordinationError) -> Bool {
        #if os(Linux)
            var info = stat()
            if fstat(descriptor, &info) == 0,
                let table = try? String(contentsOfFile: "/proc/locks", encoding: .utf8)
            {
                let inode = String(info.st_ino)
                for line in table.split(separator: "\n") where !line.contains("->") {
                    // "1: FLOCK  ADVISORY  WRITE 4242 08:01:1234567 0 EOF"
                    let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                    guard fields.count >= 6, fields[1] == "FLOCK" else { continue }
                    if fields[5].split(separator: ":").last.map(String.init) == inode { return true }
                }
                return false
            }
        #endif
        guard try tryLock(shared: true) else { return true }
        unlock()
        return false
    }
}
