import Foundation

/// A FIFO of bounded capacity between the stages of a pipeline: the producer, a
/// blocking thread, waits while it is full, so memory stays flat however large the
/// input; the consumer is either another thread (`take`) or async code (`next`).
///
/// This is the one place where blocking threads meet async code: an async consumer
/// never blocks a thread, it suspends until the producer hands it an element.
package final class BoundedQueue<Element: Sendable>: @unchecked Sendable {
    // Sendable is asserted because every mutable property below is read and written
    // only while `condition` is locked, and the compiler cannot see a lock that
    // blocking threads wait on (`Mutex` has no condition variable).
    private var items: [Element?] = []
    private var head = 0
    private var closed = false
    /// An async consumer waiting for the next element (only while `items` is empty).
    private var waiter: CheckedContinuation<Element?, Never>?
    private let capacity: Int
    private let condition = NSCondition()

    package init(capacity: Int) {
        self.capacity = capacity
    }

    /// Appends, waiting for room; false when the queue was closed (by the consumer).
    @discardableResult
    package func put(_ element: Element) -> Bool {
        condition.lock()
        while items.count - head >= capacity && !closed { condition.wait() }
        if closed {
            condition.unlock()
            return false
        }
        if let waiter {
            self.waiter = nil
            condition.unlock()
            waiter.resume(returning: element)
            return true
        }
        items.append(element)
        condition.broadcast()
        condition.unlock()
        return true
    }

    /// The next element, blocking the calling thread until there is one; nil once
    /// closed and drained.
    package func take() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while head == items.count && !closed { condition.wait() }
        return popLocked()
    }

    /// The next element, suspending until there is one; nil once closed and drained.
    /// Cancelling the waiting task closes the queue, which stops the producer.
    package func next() async -> Element? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Element?, Never>) in
                condition.lock()
                if head < items.count {
                    let element = popLocked()
                    condition.unlock()
                    continuation.resume(returning: element)
                } else if closed {
                    condition.unlock()
                    continuation.resume(returning: nil)
                } else {
                    waiter = continuation
                    condition.unlock()
                }
            }
        } onCancel: {
            close()
        }
    }

    /// No more elements will be put: a waiting producer gets false, a waiting consumer
    /// drains what is left and then nil.
    package func close() {
        condition.lock()
        closed = true
        let waiter = self.waiter
        self.waiter = nil
        condition.broadcast()
        condition.unlock()
        waiter?.resume(returning: nil)
    }

    /// Pops the head; the caller holds the lock.
    private func popLocked() -> Element? {
        guard head < items.count else { return nil }
        let element = items[head]
        items[head] = nil
        head += 1
        if head > 64 && head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        condition.broadcast()
        return element
    }
}
