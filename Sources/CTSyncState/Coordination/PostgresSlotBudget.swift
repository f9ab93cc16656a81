import Synchronization

/// An account's request slots shared through PostgreSQL (`ctsync_take_slot`): see
/// `PostgresCoordinator`. Joins the account on the first request, so a process
/// that has nothing to send never counts against the others' share.
final class PostgresSlotBudget: SlotBudget, @unchecked Sendable {
    private let coordinator: PostgresCoordinator
    private let account: String
    private let capacity: Int
    private let joined = Mutex<Bool>(false)
    private var queue: SlotWaitQueue!

    init(coordinator: PostgresCoordinator, account: String, capacity: Int) {
        self.coordinator = coordinator
        self.account = account
        self.capacity = capacity
        queue = SlotWaitQueue(
            attempt: { [unowned self] () async throws(CoordinationError) -> Int? in try await self.attempt() },
            waiting: { [coordinator, account] waiting in await coordinator.setWaiting(waiting, account: account) })
    }

    func acquire() async throws(CoordinationError) -> Int {
        try await queue.acquire()
    }

    func release(_ slot: Int) {
        let (coordinator, account, queue) = (self.coordinator, self.account, self.queue!)
        Task(executorPreference: PostgresBridge.executor) {
            await coordinator.releaseSlot(account: account, slot: slot)
            await queue.nudge()
        }
    }

    /// One try. A failed query is "no slot yet" until the coordinator has gone
    /// `lostAfter` without renewing its leases; then it is lost, and so is this.
    private func attempt() async throws(CoordinationError) -> Int? {
        try coordinator.checkAlive()
        do {
            if !joined.withLock({ $0 }) {
                try await coordinator.join(account: account, capacity: capacity)
                joined.withLock { $0 = true }
            }
            return try await coordinator.takeSlot(account: account, capacity: capacity)
        } catch {
            return nil
        }
    }
}
