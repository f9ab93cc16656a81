import Foundation

/// A file ctsync was asked to write (`--records`) could not be written.
public struct OutputError: Error, Sendable, Equatable, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "cannot write \(path): \(reason)" }

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
}

/// Buffered writes of JSON lines to a private (0600) file, for `--records`.
/// Not thread-safe: one writer, one task.
public final class LineWriter {
    private let fd: Int32
    private var buffer: [UInt8] = []
    public let path: String

    /// Whether `close` closes the descriptor (not for standard output).
    private let ownsDescriptor: Bool

    public init(path: String) throws(OutputError) {
        self.path = path
        fd = try PrivateFile.openForWriting(path)
        ownsDescriptor = true
        buffer.reserveCapacity(1 << 16)
    }

    private init(standardOutput: Void) {
        path = "standard output"
        fd = STDOUT_FILENO
        ownsDescriptor = false
        buffer.reserveCapacity(1 << 16)
    }

    /// Lines to standard output (`--records -`); `close` flushes and leaves it open.
    public static func standardOutput() -> LineWriter {
        LineWriter(standardOutput: ())
    }

    public func writeLine(_ bytes: [UInt8]) throws(OutputError) {
        buffer.append(contentsOf: bytes)
        buffer.append(UInt8(ascii: "\n"))
        if buffer.count >= 1 << 16 { try flush() }
    }

    public func flush() throws(OutputError) {
        let failure = PrivateFile.writeAll(fd, buffer)
        guard failure == 0 else { throw OutputError(path: path, reason: String(cString: strerror(failure))) }
        buffer.removeAll(keepingCapacity: true)
    }

    public func close() throws(OutputError) {
        try flush()
        if ownsDescriptor { Foundation.close(fd) }
    }
}
