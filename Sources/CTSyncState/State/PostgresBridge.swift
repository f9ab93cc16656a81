import Dispatch
import Synchronization

/// Runs PostgresNIO's async calls for synchronous callers: the planner's lookup
/// thread, the state writer's queue, and the few `StateStore` calls made from
/// async code.
///
/// Each call is one task blocked on by a semaphore. The task prefers an executor
/// of its own (threads of a private dispatch queue), never the cooperative pool:
/// a caller that blocks a pool thread (`ctsync plan` plans on one) could otherwise
/// wait for a task that has no thread left to run on, and on a one-core runner
/// that is a deadlock.
enum PostgresBridge {
    static let executor = BridgeExecutor()

    /// Runs `body` and waits for it, at most `timeout` seconds: a database that stops
    /// answering (a network partition, no RST) must not hang the run.
    static func wait<T: Sendable>(
        timeout seconds: Double, _ body: @escaping @Sendable () async throws -> T
    ) throws -> T {
        let outcome = Mutex<Result<T, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        let task = Task(executorPreference: executor) {
            let result: Result<T, any Error>
            do {
                result = .success(try await body())
            } catch {
                result = .failure(error)
            }
            outcome.withLock { $0 = result }
            done.signal()
        }
        if done.wait(timeout: .now() + seconds) == .timedOut {
            task.cancel()
            throw PostgresTimeout(seconds: seconds)
        }
        return try outcome.withLock { $0! }.get()
    }

    /// The async counterpart: `body` or a `PostgresTimeout` after `seconds`,
    /// whichever comes first. The body is cancelled, not awaited, on timeout.
    static func deadline<T: Sendable>(
        _ seconds: Double, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let once = ResumeOnce<T>()
        let work = Task(executorPreference: executor) {
            do { once.finish(.success(try await body())) } catch { once.finish(.failure(error)) }
        }
        let timer = Task(executorPreference: executor) {
            try? await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
            if Task.isCancelled { return }
            once.finish(.failure(PostgresTimeout(seconds: seconds)))
            work.cancel()
        }
        defer { timer.cancel() }
        return try await withCheckedThrowingContinuation { once.install($0) }
    }
}

/// Hands the first of several results to one continuation, whichever comes first.
final class ResumeOnce<T: Sendable>: Sendable {
    private let state = Mutex<(continuation: CheckedContinuation<T, any Error>?, result: Result<T, any Error>?)>((nil, nil))

    func finish(_ result: Result<T, any Error>) {
        state.withLock { value in
            guard value.result == nil else { return }
            value.result = result
            if let continuation = value.continuation {
                value.continuation = nil
                continuation.resume(with: result)
            }
        }
    }

    func install(_ continuation: CheckedContinuation<T, any Error>) {
        state.withLock { value in
            if let result = value.result {
                continuation.resume(with: result)
            } else {
                value.continuation = continuation
            }
        }
    }
}

/// A task executor over a private concurrent dispatch queue, whose threads are
/// not the Swift concurrency pool's.
final class BridgeExecutor: TaskExecutor {
    private let queue = DispatchQueue(label: "ctsync.postgres", attributes: .concurrent)

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}

/// A database call that took longer than its deadline.
struct PostgresTimeout: Error, CustomStringConvertible {
    var seconds: Double
    var description: String { "no answer within \(Int(seconds)) seconds" }
}
