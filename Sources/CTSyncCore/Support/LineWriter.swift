import Foundation

/// Buffered writes of JSON lines to a file, for `--records`.
public final class LineWriter: @unchecked Sendable {
    // Used from one thread at a time (the planner's consumer).
    private let fd: Int32
    private var buffer: [UInt8] = []
    public let path: String

    public init(path: String) throws(SourceError) {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        buffer.reserveCapacity(1 << 16)
    }

    public func writeLine(_ bytes: [UInt8]) throws(SourceError) {
        buffer.append(contentsOf: bytes)
        buffer.append(UInt8(ascii: "\n"))
        if buffer.count >= 1 << 16 { try flush() }
    }

    public func flush() throws(SourceError) {
        var offset = 0
        while offset < buffer.count {
            let n = buffer.withUnsafeBytes { Foundation.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .readFailed(path: path, reason: String(cString: strerror(errno)))
            }
            offset += n
        }
        buffer.removeAll(keepingCapacity: true)
    }

    public func close() throws(SourceError) {
        try flush()
        Foundation.close(fd)
    }
}
