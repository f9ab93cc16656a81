import Foundation
import Synchronization
import CTSyncPlan

/// Hands batches from the planner's thread to the async uploader with
/// backpressure: the planner blocks while `capacity` batches wait, so memory stays
/// flat however large the source.
final class BatchFeed: Sendable {
    struct Cancelled: Error {}

    let stream: AsyncStream<[PlannedRecord]>
    private let continuation: AsyncStream<[PlannedRecord]>.Continuation
    private let slots: DispatchSemaphore
    private let cancelled = Atomic<Bool>(false)

    init(capacity: Int) {
        (stream, continuation) = AsyncStream.makeStream(of: [PlannedRecord].self)
        // Start at zero and signal up: libdispatch traps when a semaphore is freed
        // below its initial value, which a cancelled run leaves it at.
        slots = DispatchSemaphore(value: 0)
        for _ in 0..<capacity { slots.signal() }
    }

    /// Called on the planner thread; blocks while the feed is full, throws once cancelled.
    func put(_ batch: [PlannedRecord]) throws {
        while slots.wait(timeout: .now() + .milliseconds(50)) == .timedOut {
            if cancelled.load(ordering: .relaxed) { throw Cancelled() }
        }
        if cancelled.load(ordering: .relaxed) { throw Cancelled() }
        continuation.yield(batch)
    }

    /// The consumer took a batch: one more may wait.
    func taken() { slots.signal() }

    func finish() { continuation.finish() }

    /// Stops the producer at its next `put`.
    func cancel() { cancelled.store(true, ordering: .relaxed) }
}

/// Cuts the planner's chunks into batches of `size` records.
final class Batcher: @unchecked Sendable {
    // Used only on the planner's consumer thread.
    private var pending: [PlannedRecord] = []
    private let size: Int
    private let feed: BatchFeed
    private let onChunk: @Sendable (PlanChunk) -> Void

    init(size: Int, feed: BatchFeed, onChunk: @escaping @Sendable (PlanChunk) -> Void) {
        self.size = size
        self.feed = feed
        self.onChunk = onChunk
        pending.reserveCapacity(size)
    }

    func add(_ chunk: PlanChunk) throws {
        onChunk(chunk)
        for record in chunk.records {
            pending.append(record)
            if pending.count == size {
                try feed.put(pending)
                pending = []
                pending.reserveCapacity(size)
            }
        }
    }

    func flush() throws {
        if !pending.isEmpty { try feed.put(pending) }
        pending = []
    }
}
