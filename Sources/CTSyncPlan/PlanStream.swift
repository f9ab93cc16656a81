import CTSyncSupport
import Foundation

/// The one boundary between the synchronous planner and async code, for `plan` and
/// `run` alike: it owns the planner's threads and hands their chunks over, in source
/// order, as an `AsyncSequence`, then the plan's summary.
///
/// Backpressure is the queue's: the planner blocks while `capacity` chunks wait, so
/// memory stays flat however far planning is ahead of sending. Iterating suspends;
/// nothing polls and no thread waits on async work.
public final class PlanStream: AsyncSequence, Sendable {
    public typealias Element = PlanChunk

    /// Thrown by the planner's consumer when the stream was cancelled.
    struct Cancelled: Error {}

    private let chunks: BoundedQueue<PlanChunk>
    private let outcome = BoundedQueue<Result<PlanSummary, PlanError>>(capacity: 1)

    /// Starts planning at once on a thread of its own.
    /// - Parameter capacity: chunks (of up to 2,048 rows) that may wait for the consumer.
    public init(_ planner: Planner, capacity: Int = 2) {
        let chunks = BoundedQueue<PlanChunk>(capacity: capacity)
        self.chunks = chunks
        let outcome = self.outcome
        let thread = Thread {
            let result = Result { () throws(PlanError) -> PlanSummary in
                try planner.run { chunk in
                    guard chunks.put(chunk) else { throw Cancelled() }
                }
            }
            outcome.put(result)
            outcome.close()
            chunks.close()
        }
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// Stops planning: the planner ends at its next chunk and the sequence ends.
    public func cancel() {
        chunks.close()
    }

    /// The plan's totals once planning has ended; waits for the planner's threads and
    /// discards chunks the consumer did not take. A cancelled plan fails with `.stopped`.
    public func summary() async throws(PlanError) -> PlanSummary {
        while await chunks.next() != nil {}
        // Nil only when the waiting task was cancelled (which closes the queue): the
        // planner stops at its next chunk, and this plan counts as stopped.
        guard let result = await outcome.next() else {
            cancel()
            throw .stopped(CancellationError())
        }
        return try result.get()
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let chunks: BoundedQueue<PlanChunk>

        public mutating func next() async -> PlanChunk? {
            await chunks.next()
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(chunks: chunks)
    }
}
