import Foundation

/// A blocking FIFO of bounded capacity between two threads of a pipeline; the
/// producer waits when it is full, so memory stays flat however large the input.
package final class BoundedQueue<Element>: @unchecked Sendable {
    // Guarded by `condition`.
    private var items: [Element?] = []
    private var head = 0
    private var closed = false
    private let capacity: Int
    private let condition = NSCondition()

    package init(capacity: Int) {
        self.capacity = capacity
    }

    /// Appends, waiting for room; false when the queue was closed by the consumer.
    @discardableResult
    package func put(_ element: Element) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count - head >= capacity && !closed { condition.wait() }
        if closed { return false }
        items.append(element)
        condition.broadcast()
        return true
    }

    /// The next element, waiting for one; nil once closed and drained.
    package func take() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while head == items.count && !closed { condition.wait() }
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

    /// No more elements will be put; waiting parties wake up.
    package func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}
