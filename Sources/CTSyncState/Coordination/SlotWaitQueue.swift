/// The waiting room of a slot budget: requests for a slot queue up in order, and
/// one poller at a time asks the shared store for a free slot (`attempt`), backing
/// off while there is none. A release in this process cuts the back-off short.
///
/// One poller keeps a process from asking the store once per waiting request,
/// and makes this process's own requests first-come, first-served. While a
/// request waits (an attempt found no slot), the queue says so through
/// `waiting`, which the store shows to the other processes: a process holding
/// more than its share gets no more slots while another one waits.
actor SlotWaitQueue {
    typealias Attempt = @Sendable () async throws(CoordinationError) -> Int?
    typealias Waiting = @Sendable (Bool) async -> Void

    private let attempt: Attempt
    private let waiting: Waiting
    private var isWaiting = false
    private var waiters: [CheckedContinuation<Result<Int, CoordinationError>, Never>] = []
    private var polling = false
    private var sleeper: CheckedContinuation<Void, Never>?
    private var sleepID = 0
    /// Back-off bounds in seconds.
    private let shortest = 0.002
    private let longest = 0.2

    init(attempt: @escaping Attempt, waiting: @escaping Waiting) {
        self.attempt = attempt
        self.waiting = waiting
    }

    func acquire() async throws(CoordinationError) -> Int {
        let result = await withCheckedContinuation { continuation in
            waiters.append(continuation)
            if !polling {
                polling = true
                Task { await self.poll() }
            }
        }
        return try result.get()
    }

    /// A slot was released in this process: try again now.
    func nudge() {
        wake()
    }

    private func poll() async {
        var delay = shortest
        while true {
            while !waiters.isEmpty {
                do {
                    if let slot = try await attempt() {
                        waiters.removeFirst().resume(returning: .success(slot))
                        delay = shortest
                        continue
                    }
                } catch {
                    let failed = waiters
                    waiters = []
                    for waiter in failed { waiter.resume(returning: .failure(error)) }
                    break
                }
                if !isWaiting {
                    isWaiting = true
                    await waiting(true)
                }
                await pause(delay * Double.random(in: 0.5...1.0))
                delay = min(delay * 2, longest)
            }
            if isWaiting {
                isWaiting = false
                await waiting(false)
            }
            // Requests that came while the store was told: this poller serves them too.
            if waiters.isEmpty {
                polling = false
                return
            }
        }
    }

    private func pause(_ seconds: Double) async {
        sleepID += 1
        let id = sleepID
        await withCheckedContinuation { continuation in
            sleeper = continuation
            Task {
                try? await Task.sleep(for: .milliseconds(max(1, Int(seconds * 1000))))
                self.timerFired(id)
            }
        }
    }

    private func timerFired(_ id: Int) {
        if id == sleepID { wake() }
    }

    private func wake() {
        if let sleeper {
            self.sleeper = nil
            sleeper.resume()
        }
    }
}
