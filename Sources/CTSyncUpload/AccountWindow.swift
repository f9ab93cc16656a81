import CTSyncState
import CleverTapContract

/// A counting semaphore for requests in flight: one per account (at most 15, shared
/// by every job of the account in the process) and one per job (its `concurrency`).
///
/// An account's window can also hold a cross-process `SlotBudget`: then each
/// request takes a slot of the account's budget too, shared with every other
/// ctsync process sending to the account (through the state's lock files or
/// PostgreSQL), so that all of them together stay within CleverTap's 15.
public actor RequestWindow {
    public let capacity: Int
    private let budget: (any SlotBudget)?
    private var inFlight = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []
    public private(set) var maxInFlight = 0
    /// Cross-process slots held by the requests in flight.
    private var slots: [Int] = []
    /// Requests let through without a slot because coordination was lost; the
    /// coordinator has stopped their senders, which release without sending.
    private var unslotted = 0

    public init(capacity: Int, budget: (any SlotBudget)? = nil) {
        self.capacity = max(1, capacity)
        self.budget = budget
    }

    public func acquire() async {
        if inFlight < capacity {
            inFlight += 1
            maxInFlight = max(maxInFlight, inFlight)
        } else {
            await withCheckedContinuation { waiters.append($0) }
        }
        guard let budget else { return }
        do {
            slots.append(try await budget.acquire())
        } catch {
            // The budget's coordinator told its loss handlers, which stop the job's
            // sender, before the error reached us: the caller sees it stopped.
            unslotted += 1
        }
    }

    public func release() {
        if budget != nil {
            if unslotted > 0 {
                unslotted -= 1
            } else if let slot = slots.popLast() {
                budget?.release(slot)
            }
        }
        if waiters.isEmpty {
            inFlight -= 1
        } else {
            // The slot passes straight to the next waiter.
            waiters.removeFirst().resume()
        }
    }
}

/// The request windows of every account this process sends to.
public actor AccountWindows {
    private var windows: [String: RequestWindow] = [:]
    private let coordinator: (any RunCoordinator)?

    /// Windows of this process only.
    public init() {
        coordinator = nil
    }

    /// Windows that also share each account's slots with other processes through `coordinator`.
    public init(coordinator: any RunCoordinator) {
        self.coordinator = coordinator
    }

    public func window(for account: String) -> RequestWindow {
        if let window = windows[account] { return window }
        let capacity = CleverTapRules.maxConcurrentRequests
        let window = RequestWindow(
            capacity: capacity, budget: coordinator?.slotBudget(account: account, capacity: capacity))
        windows[account] = window
        return window
    }
}
