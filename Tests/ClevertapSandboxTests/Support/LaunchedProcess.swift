import Foundation
import NIOCore
import NIOPosix

/// A child process whose stdout and exit arrive as events, so tests wait for
/// them with a bound instead of polling.
///
/// Stdout is read through a SwiftNIO pipe channel rather than
/// `FileHandle.readabilityHandler`, whose dispatch source must never outlive its
/// descriptor; the process is stopped and its pipe closed before ``with(_:_:_:)``
/// returns.
struct LaunchedProcess: Sendable {
    let process: Process
    /// Chunks of stdout as they arrive; ends at end of file.
    let output: NIOAsyncChannelInboundStream<ByteBuffer>
    /// The exit status, once.
    let exit: AsyncStream<Int32>

    /// Launches `executable`, runs `body`, then terminates the process if it is
    /// still running and waits for it.
    static func with<T>(
        _ executable: URL,
        _ arguments: [String],
        _ body: (LaunchedProcess) async throws -> T
    ) async throws -> T {
        let stdout = Pipe()
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardOutput = stdout
        let (exit, exited) = AsyncStream<Int32>.makeStream()
        process.terminationHandler = { finished in
            exited.yield(finished.terminationStatus)
            exited.finish()
        }
        // Launching closes the parent's write end: the child's exit is our end of file.
        try process.run()
        // NIO takes a descriptor of its own; Foundation's is closed at once.
        let readEnd = dup(stdout.fileHandleForReading.fileDescriptor)
        try stdout.fileHandleForReading.close()
        guard readEnd >= 0 else {
            process.terminate()
            throw POSIXError(.EMFILE)
        }
        let pipe = try await NIOPipeBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .takingOwnershipOfDescriptor(input: readEnd) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, Never>(wrappingChannelSynchronously: channel)
                }
            }
        return try await pipe.executeThenClose { output in
            let launched = LaunchedProcess(process: process, output: output, exit: exit)
            do {
                let result = try await body(launched)
                try await launched.stop()
                return result
            } catch {
                try? await launched.stop()
                throw error
            }
        }
    }

    /// The first line printed on stdout, without its line break.
    func firstLine(within limit: Duration = .seconds(20)) async throws -> String {
        let output = output
        return try await withDeadline(limit, "the first line on stdout") {
            var text = ""
            for try await chunk in output {
                text += String(buffer: chunk)
                if let end = text.firstIndex(of: "\n") { return String(text[..<end]) }
            }
            return text
        }
    }

    /// Sends SIGTERM and returns the exit status.
    func terminate(within limit: Duration = .seconds(10)) async throws -> Int32 {
        process.terminate()
        return try await wait(within: limit)
    }

    /// The exit status, once the process exits by itself.
    func wait(within limit: Duration = .seconds(20)) async throws -> Int32 {
        let exit = exit
        return try await withDeadline(limit, "the process exit") {
            for await status in exit { return status }
            return -1
        }
    }

    private func stop() async throws {
        if process.isRunning { _ = try await terminate() }
    }
}
