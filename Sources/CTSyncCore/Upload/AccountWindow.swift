/// A counting semaphore for requests in flight: one per account (at most 15, shared
/// by every job of the account in the process) and one per job (its `concurrency`).
public actor RequestWindow {
    public let capacity: Int
    private var inFlight = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []
    public private(set) var maxInFlight = 0

    public init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    public func acquire() async {
        if inFlight < capacity {
            inFlight += 1
            maxInFlight = max(maxInFlight, inFlight)
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    public func release() {
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

    public init() {}

    public func window(for account: String) -> RequestWindow {
        if let window = windows[account] { return window }
        let window = RequestWindow(capacity: CleverTapRules.maxConcurrentRequests)
        windows[account] = window
        return window
    }
}
