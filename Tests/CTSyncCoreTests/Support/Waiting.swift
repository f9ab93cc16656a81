import Foundation
import Synchronization
import Testing

/// Waiting for something to happen, always with a bound: no test sleeps a fixed time
/// hoping an event has happened by then.

/// A wait that ran out of time.
struct WaitTimeout: Error, CustomStringConvertible {
    var what: String
    var limit: Duration
    var description: String { "\(what): not within \(limit)" }
}

/// Returns as soon as `condition` holds; throws ``WaitTimeout`` after `limit`.
///
/// For state that announces no change (a sandbox counter, a row in a database), so it
/// is looked at every `interval`: the wait ends within one interval of the event.
func eventually(
    _ limit: Duration, _ what: @autoclosure () -> String = "condition", every interval: Duration = .milliseconds(10),
    _ condition: () async throws -> Bool
) async throws {
    let end = ContinuousClock.now + limit
    while try await !condition() {
        guard ContinuousClock.now < end else { throw WaitTimeout(what: what(), limit: limit) }
        try await Task.sleep(for: interval)
    }
}

extension Task where Failure == any Error {
    /// The task's value, or ``WaitTimeout`` after `limit`; the task is cancelled then.
    func value(within limit: Duration, _ what: String = "task") async throws -> Success {
        let settled = Locked(false)
        let first: @Sendable () -> Bool = {
            settled.withLock { done in
                defer { done = true }
                return !done
            }
        }
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Success, any Error>) in
            let timer = Task<Void, Never> {
                try? await Task<Never, Never>.sleep(for: limit)
                guard !Task<Never, Never>.isCancelled, first() else { return }
                self.cancel()
                continuation.resume(throwing: WaitTimeout(what: what, limit: limit))
            }
            Task<Void, Never> {
                let result = await self.result
                timer.cancel()
                if first() { continuation.resume(with: result) }
            }
        }
    }
}

/// Runs blocking work (a child process, a store's calls) on a thread of its own, so it
/// never holds one of the few threads of the cooperative pool: the in-process sandbox
/// and every async test need them. `#expect` belongs outside `body` (a plain thread
/// does not know which test it works for).
func runDetached<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}

/// A value behind a lock that closures can share.
final class Locked<Value: Sendable>: Sendable {
    private let value: Mutex<Value>

    init(_ value: Value) {
        self.value = Mutex(value)
    }

    func withLock<T>(_ body: (inout Value) -> T) -> T {
        value.withLock { body(&$0) }
    }
}

/// A child process whose exit is awaited, not polled: its termination handler, set
/// before it starts, resumes whoever waits. Its stdin, stdout and stderr are
/// /dev/null; `CLEVERTAP_*` and `CTSYNC_*` come only from `environment`.
final class ChildProcess: Sendable {
    let pid: Int32
    private let process: Process
    private let state: Locked<ExitState>

    private struct ExitState {
        var status: Int32?
        var nextWaiter = 0
        var waiters: [Int: CheckedContinuation<Int32?, Never>] = [:]
    }

    /// With `stderrFile`, its stderr goes to that file (created or truncated) instead of /dev/null.
    init(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:], directory: String? = nil,
        stderrFile: String? = nil
    ) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for key in env.keys where key.hasPrefix("CLEVERTAP_") || key.hasPrefix("CTSYNC_") { env[key] = nil }
        process.environment = env.merging(environment) { _, new in new }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        if let stderrFile {
            FileManager.default.createFile(atPath: stderrFile, contents: nil)
            process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrFile))
        } else {
            process.standardError = FileHandle.nullDevice
        }
        let state = Locked(ExitState())
        process.terminationHandler = { finished in
            let status = finished.terminationStatus
            let waiters = state.withLock { state in
                state.status = status
                defer { state.waiters = [:] }
                return Array(state.waiters.values)
            }
            for waiter in waiters { waiter.resume(returning: status) }
        }
        try process.run()
        self.process = process
        self.state = state
        pid = process.processIdentifier
    }

    /// Whether it has not exited yet (as far as its termination handler has told).
    var isRunning: Bool { state.withLock { $0.status == nil } }

    /// Sends `signal`, unless it has exited (its pid may then belong to another process).
    func send(_ signal: Int32) {
        state.withLock { state in
            if state.status == nil { kill(pid, signal) }
        }
    }

    /// Its exit status (for a signal, the signal's number), once it exits. After `limit`
    /// it is killed and ``WaitTimeout`` thrown.
    @discardableResult
    func exitStatus(within limit: Duration = .seconds(120)) async throws -> Int32 {
        let status = await withTaskGroup(of: Int32?.self) { group in
            group.addTask { await self.exit() }
            group.addTask {
                try? await Task.sleep(for: limit)
                return nil
            }
            let first = await group.next()!
            group.cancelAll()
            return first
        }
        if let status { return status }
        send(SIGKILL)
        _ = await exit()
        throw WaitTimeout(what: "pid \(pid) (\(process.arguments?.joined(separator: " ") ?? "")) to exit", limit: limit)
    }

    /// The exit status, or nil when the waiting task is cancelled first.
    private func exit() async -> Int32? {
        let id = state.withLock { state in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Int32?, Never>) in
                let done: Int32?? = state.withLock { state in
                    if let status = state.status { return .some(status) }
                    if Task.isCancelled { return .some(nil) }
                    state.waiters[id] = continuation
                    return .none
                }
                if let done { continuation.resume(returning: done) }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume(returning: nil)
        }
    }
}
