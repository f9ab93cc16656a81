import CTSyncState
import CleverTapContract

/// A counting semaphore for requests in flight: one per account (at most 15, shared
/// by every job of the account in the process) and one per job (its `concurrency`).
///
/// Fair between jobs: a request names its job (`claimant`), and a freed slot goes
/// to the longest-waiting request of the job that holds the fewest slots now, so a
/// job that queues many requests cannot starve one that queues few; between
/// requests of equal standing it is first come, first served.
///
/// An account's window can also hold a cross-process `SlotBudget`: then each
/// request takes a slot of the account's budget too, shared with every other
/// ctsync process sending to the account (through the state's lock files or
/// PostgreSQL), so that all of them together stay within CleverTap's 15.
public actor RequestWindow {
    public let capacity: Int
    private let budget: (any SlotBudget)?
    private var inFlight = 0
    /// Requests waiting for a slot, in arrival order, with the job each is for.
    private var waiters: [(claimant: ObjectIdentifier?, continuation: CheckedContinuation<Void, Never>)] = []
    /// Slots each job holds now (requests without a claimant are not counted).
    private var held: [ObjectIdentifier: Int] = [:]
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

    /// Requests waiting for a slot now.
    public var waiting: Int { waiters.count }

    /// Slots `claimant` holds now.
    public func holding(_ claimant: ObjectIdentifier) -> Int { held[claimant, default: 0] }

    /// Waits for a slot for a request of `claimant` (the job it is for; nil: no job in particular).
    public func acquire(for claimant: ObjectIdentifier? = nil) async {
        if inFlight < capacity {
            inFlight += 1
            take(claimant)
            maxInFlight = max(maxInFlight, inFlight)
        } else {
            // `release` passes the slot on already counted for `claimant`.
            await withCheckedContinuation { waiters.append((claimant, $0)) }
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

    /// Gives back a slot `acquire(for: claimant)` took.
    public func release(for claimant: ObjectIdentifier? = nil) {
        if budget != nil {
            if unslotted > 0 {
                unslotted -= 1
            } else if let slot = slots.popLast() {
                budget?.release(slot)
            }
        }
        if let claimant, let count = held[claimant] {
            held[claimant] = count > 1 ? count - 1 : nil
        }
        if waiters.isEmpty {
            inFlight -= 1
        } else {
            // The slot passes straight to the next waiter.
            let next = waiters.remove(at: nextWaiter())
            take(next.claimant)
            next.continuation.resume()
        }
    }

    private func take(_ claimant: ObjectIdentifier?) {
        if let claimant { held[claimant, default: 0] += 1 }
    }

    /// The first waiter of the job holding the fewest slots.
    private func nextWaiter() -> Int {
        var best = 0
        var fewest = Int.max
        for (index, waiter) in waiters.enumerated() {
            let count = waiter.claimant.map { held[$0, default: 0] } ?? 0
            if count < fewest {
                best = index
                fewest = count
                if count == 0 { break }
            }
        }
        return best
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
