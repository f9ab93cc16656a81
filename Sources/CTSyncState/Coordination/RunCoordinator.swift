import Foundation
import Synchronization

/// Coordinates the ctsync processes that share one state: a job runs in one
/// process at a time (the job lease), and the processes sending to one account
/// share its 15 request slots (the slot budget).
///
/// With SQLite state the processes are on one machine and coordinate through
/// lock files beside the state file; with PostgreSQL state they may be anywhere
/// and coordinate through lease rows in the database.
public protocol RunCoordinator: AnyObject, Sendable {
    /// Takes the lease of `job` for this process. When another process holds it:
    /// without `wait`, throws `.jobHeld`; with `wait`, calls `waiting` once with
    /// the holder and returns when the lease is free. Task cancellation ends the
    /// wait with `.cancelled`.
    func acquireJob(_ job: String, wait: Bool, waiting: @escaping @Sendable (LeaseHolder?) -> Void)
        async throws(CoordinationError)
    /// Gives the job's lease back.
    func releaseJob(_ job: String) async
    /// Who holds the job's lease now (another process, or this one), or nil when it is
    /// free: a read-only probe that never takes the lease and creates nothing. A holder
    /// that did not say who it is comes back as a `LeaseHolder` with every field nil.
    func leaseHolder(job: String) async throws(CoordinationError) -> LeaseHolder?
    /// The account's request slots, shared with every other process sending to it.
    func slotBudget(account: String, capacity: Int) -> any SlotBudget
    /// Calls `handler` (at most once, possibly at once) when the coordinator can no
    /// longer vouch for its leases, for example when the database is unreachable:
    /// the run must stop sending.
    func onLost(_ handler: @escaping @Sendable (String) -> Void)
    /// Why coordination was lost, if it was.
    var lostReason: String? { get }
    /// Releases every lease and slot of this process.
    func close() async
}

/// A cross-process share of an account's request slots.
public protocol SlotBudget: Sendable {
    /// Waits for a slot and returns its number. Throws `.lost` when coordination
    /// is lost; the coordinator has told its `onLost` handlers before this returns.
    func acquire() async throws(CoordinationError) -> Int
    /// Gives a slot back.
    func release(_ slot: Int)
}

/// Who holds a lease, as far as it told: for messages.
public struct LeaseHolder: Sendable, Equatable, CustomStringConvertible {
    public var pid: Int32?
    public var host: String?
    public var since: Date?

    public init(pid: Int32?, host: String?, since: Date?) {
        self.pid = pid
        self.host = host
        self.since = since
    }

    public var description: String {
        var parts: [String] = []
        if let pid { parts.append("pid \(pid)") }
        if let host { parts.append("on host \(host)") }
        if let since { parts.append("since \(since.formatted(.iso8601))") }
        return parts.isEmpty ? "another process" : parts.joined(separator: " ")
    }
}

/// Why a lease or slot could not be had.
public enum CoordinationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Another process runs the job.
    case jobHeld(job: String, holder: LeaseHolder?)
    /// The coordination store is unreachable or our leases were taken: stop sending.
    case lost(String)
    /// The wait was cancelled (an interrupt).
    case cancelled
    /// A lock file could not be created or locked.
    case io(path: String, message: String)

    public var description: String {
        switch self {
        case .jobHeld(let job, let holder):
            "job \"\(job)\" is being run by another ctsync process (\(holder?.description ?? "holder unknown")); it was not run again at the same time"
        case .lost(let reason):
            reason
        case .cancelled:
            "cancelled while waiting for the job's lock"
        case .io(let path, let message):
            "lock file \(path): \(message)"
        }
    }
}

/// A coordinator's loss: the first reason wins, and every handler hears it once,
/// at once if it registers after the loss.
final class LossSignal: Sendable {
    private let state = Mutex<(reason: String?, handlers: [@Sendable (String) -> Void])>((nil, []))

    var reason: String? { state.withLock { $0.reason } }

    func onLost(_ handler: @escaping @Sendable (String) -> Void) {
        let reason = state.withLock { state in
            if state.reason == nil { state.handlers.append(handler) }
            return state.reason
        }
        if let reason { handler(reason) }
    }

    func markLost(_ reason: String) {
        let handlers = state.withLock { state -> [@Sendable (String) -> Void] in
            guard state.reason == nil else { return [] }
            state.reason = reason
            defer { state.handlers = [] }
            return state.handlers
        }
        for handler in handlers { handler(reason) }
    }
}
