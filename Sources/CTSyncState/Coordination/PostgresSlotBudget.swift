import Synchronization

/// An account's request slots shared through PostgreSQL (`ctsync_take_slot`): see
/// `PostgresCoordinator`. Joins the account on the first request, so a process
/// that has nothing to send never counts against the others' share.
final class PostgresSlotBudget: SlotBudget {
    private let slots: PostgresSlots
    private let queue: SlotWaitQueue

    init(coordinator: PostgresCoordinator, account: String, capacity: Int) {
        let slots = PostgresSlots(coordinator: coordinator, account: account, capacity: capacity)
        self.slots = slots
        queue = SlotWaitQueue(
            attempt: { () async throws(CoordinationError) -> Int? in try await slots.attempt() },
            waiting: { waiting in await coordinator.setWaiting(waiting, account: account) })
    }

    func acquire() async throws(CoordinationError) -> Int {
        try await queue.acquire()
    }

    func release(_ slot: Int) {
        let (slots, queue) = (self.slots, self.queue)
        Task(executorPreference: PostgresBridge.executor) {
            await slots.release(slot)
            await queue.nudge()
        }
    }
}

/// The account's slot rows as one process sees them.
private final class PostgresSlots: Sendable {
    let coordinator: PostgresCoordinator
    let account: String
    let capacity: Int
    private let joined = Mutex<Bool>(false)

    init(coordinator: PostgresCoordinator, account: String, capacity: Int) {
        self.coordinator = coordinator
        self.account = account
        self.capacity = capacity
    }

    /// One try. A failed query is "no slot yet" until the coordinator has gone
    /// `lostAfter` without renewing its leases; then it is lost, and so is this.
    func attempt() async throws(CoordinationError) -> Int? {
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

    func release(_ slot: Int) async {
        await coordinator.releaseSlot(account: account, slot: slot)
    }
}
