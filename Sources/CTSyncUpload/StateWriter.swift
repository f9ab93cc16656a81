import Foundation
import Synchronization
import CTSyncPlan

/// Writes acknowledgements to state off the sending path, on its own serial queue,
/// in the order responses arrive.
///
/// Group commit: the batches acknowledged while a write is in progress are written
/// together by the next one, one transaction (one statement in PostgreSQL) for all
/// of them, so that a store across a network keeps up with the sender.
///
/// Bounded: when more than `maxPending` acknowledged batches wait to be recorded,
/// `write` waits for the writer, which holds back the sending window. What a crash
/// can leave delivered but unrecorded (and a rerun re-sends) stays bounded by the
/// requests in flight plus `maxPending` batches, however slow the store is; without
/// the bound a slow database let the gap grow to half of a 100k-row run.
final class StateWriter: Sendable {
    private let store: any StateStore
    private let job: JobKey
    private let spec: UInt64
    /// The run's event budget: names and keys it reserved become acknowledged with the records.
    private let budget: EventBudget?
    private let maxPending: Int
    private let queue = DispatchQueue(label: "ctsync.state-writer")
    private let failure = Mutex<StateError?>(nil)
    private let state = Mutex(Pending())

    private struct Pending {
        /// Acknowledgements not yet picked up by the writer, and how many batches they are.
        var acks: [Acknowledgement] = []
        /// Event names and keys of acknowledged records that the run reserved.
        var names: BudgetAcknowledgement?
        var batches = 0
        /// Batches the writer took and is writing now.
        var inWrite = 0
        /// Whether the writer is running (writing, or about to look for more).
        var writing = false
        /// Writers of batches over the bound, resumed once the backlog is within it.
        var blocked: [CheckedContinuation<Void, Never>] = []
        /// `drain` callers, resumed when nothing is left to write.
        var drained: [CheckedContinuation<Void, Never>] = []
    }

    init(store: any StateStore, job: JobKey, spec: UInt64, budget: EventBudget? = nil, maxPending: Int = 4) {
        self.store = store
        self.job = job
        self.spec = spec
        self.budget = budget
        self.maxPending = max(1, maxPending)
    }

    var error: StateError? { failure.withLock { $0 } }

    /// Queues a batch's acknowledgements; returns at once unless the backlog is over
    /// the bound, then when the writer has caught up.
    func write(_ records: [PlannedRecord]) async {
        guard !records.isEmpty else { return }
        let acks = records.compactMap { $0.key.isEmpty ? nil : Acknowledgement(key: $0.key, hash: $0.hash) }
        var names: BudgetAcknowledgement?
        if let budget, budget.hasPending {
            var events: [String: Set<String>] = [:]
            for record in records {
                if let name = record.eventName { events[name, default: []].formUnion(record.propertyKeys) }
            }
            names = budget.acknowledgement(of: events)
        }
        guard !acks.isEmpty || names != nil else { return }
        let start = state.withLock { state in
            state.acks += acks
            if let names {
                if state.names == nil {
                    state.names = names
                } else {
                    state.names!.events.merge(names.events) { $0.union($1) }
                }
            }
            state.batches += 1
            defer { state.writing = true }
            return !state.writing
        }
        if start { queue.async { [self] in work() } }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let wait = state.withLock { state in
                guard state.batches + state.inWrite > maxPending else { return false }
                state.blocked.append(continuation)
                return true
            }
            if !wait { continuation.resume() }
        }
    }

    /// Waits until every queued write is done.
    func drain() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = state.withLock { state in
                guard state.writing else { return true }
                state.drained.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    /// The writer: takes everything queued, writes it in one call, until nothing is left.
    private func work() {
        typealias Waiters = [CheckedContinuation<Void, Never>]
        while true {
            let (acks, names, released, drained) = state.withLock {
                state -> ([Acknowledgement], BudgetAcknowledgement?, Waiters, Waiters) in
                let (acks, names) = (state.acks, state.names)
                state.inWrite = state.batches
                state.acks = []
                state.names = nil
                state.batches = 0
                guard acks.isEmpty && names == nil else { return (acks, names, [], []) }
                state.writing = false
                defer { (state.blocked, state.drained) = ([], []) }
                return (acks, names, state.blocked, state.drained)
            }
            for continuation in released + drained { continuation.resume() }
            if acks.isEmpty && names == nil { return }
            if failure.withLock({ $0 == nil }) {
                do throws(StateError) {
                    try store.acknowledge(acks, job: job, spec: spec, budget: names)
                    if let names { budget?.recorded(names) }
                } catch {
                    failure.withLock { $0 = error }
                }
            }
            // Recorded: writers blocked behind this backlog go on once what is queued
            // since is within the bound (else after the next write).
            let unblocked = state.withLock { state -> Waiters in
                state.inWrite = 0
                guard state.batches <= maxPending else { return [] }
                defer { state.blocked = [] }
                return state.blocked
            }
            for continuation in unblocked { continuation.resume() }
        }
    }
}
