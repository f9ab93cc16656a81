import Foundation

/// A child process whose stdout and exit arrive as events, so tests wait for
/// them with a bound instead of polling.
struct LaunchedProcess {
    let process: Process
    /// Chunks of stdout as they arrive; finishes at end of file.
    let output: AsyncStream<Data>
    /// The exit status, once.
    let exit: AsyncStream<Int32>

    static func launch(_ executable: URL, _ arguments: [String]) throws -> LaunchedProcess {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let stdout = Pipe()
        process.standardOutput = stdout
        let (output, chunks) = AsyncStream<Data>.makeStream()
        stdout.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty {
                handle.readabilityHandler = nil
                chunks.finish()
            } else {
                chunks.yield(data)
            }
        }
        let (exit, exited) = AsyncStream<Int32>.makeStream()
        process.terminationHandler = { finished in
            exited.yield(finished.terminationStatus)
            exited.finish()
        }
        try process.run()
        return LaunchedProcess(process: process, output: output, exit: exit)
    }

    /// The first line printed on stdout, without its line break.
    func firstLine(within limit: Duration = .seconds(20)) async throws -> String {
        let output = output
        return try await withDeadline(limit, "the first line on stdout") {
            var text = ""
            for await chunk in output {
                text += String(decoding: chunk, as: UTF8.self)
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
}
