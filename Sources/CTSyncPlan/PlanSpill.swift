import CTSyncSupport
import Foundation

/// Planned records kept on disk between planning and sending, for a job with guards:
/// the plan must be complete (and its guards pass) before the first request, and a
/// plan of millions of records does not fit in memory. The file is created 0600 in the
/// temporary folder (`TMPDIR`) and unlinked at once: it holds personal data, no other
/// process can open it, and it disappears when it is closed or ctsync dies.
///
/// Written by one task, then read back once, in order. Memory is one 256 KiB buffer
/// and the records of the chunk being read.
public final class PlanSpill {
    private let fd: Int32
    private var buffer: [UInt8] = []
    /// Where the file was created, for messages (it no longer has a name).
    public let path: String
    public private(set) var count = 0
    private var reading = false
    private var readOffset = 0
    private var readEnd = 0
    private var exhausted = false

    private static let bufferSize = 1 << 18

    /// Creates the file in `directory` (the temporary folder by default).
    public init(directory: String? = nil) throws(OutputError) {
        let folder = directory ?? Self.temporaryDirectory
        path = (folder.hasSuffix("/") ? folder : folder + "/") + "ctsync-plan-\(getpid())-\(UUID().uuidString.lowercased()).spill"
        let fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, PrivateFile.fileMode)
        guard fd >= 0 else { throw OutputError(path: path, reason: String(cString: strerror(errno))) }
        _ = fchmod(fd, PrivateFile.fileMode)
        unlink(path)
        self.fd = fd
        buffer.reserveCapacity(Self.bufferSize)
    }

    deinit { close(fd) }

    static var temporaryDirectory: String {
        let environment = ProcessInfo.processInfo.environment["TMPDIR"] ?? ""
        return environment.isEmpty ? "/tmp" : environment
    }

    // MARK: Writing

    /// Appends `records`, in order.
    public func append(_ records: [PlannedRecord]) throws(OutputError) {
        precondition(!reading, "PlanSpill: append after reading started")
        for record in records {
            Self.put(UInt32(record.json.count), into: &buffer)
            buffer += record.json
            let key = Array(record.key.utf8)
            Self.put(UInt32(key.count), into: &buffer)
            buffer += key
            let identity = Array(record.identity.utf8)
            Self.put(UInt32(identity.count), into: &buffer)
            buffer += identity
            Self.put(record.hash.high, into: &buffer)
            Self.put(record.hash.low, into: &buffer)
            Self.put(UInt64(record.line), into: &buffer)
            buffer.append(record.change == .added ? 0 : 1)
            count += 1
            if buffer.count >= Self.bufferSize { try flush() }
        }
    }

    private func flush() throws(OutputError) {
        let failure = PrivateFile.writeAll(fd, buffer)
        guard failure == 0 else { throw OutputError(path: path, reason: String(cString: strerror(failure))) }
        buffer.removeAll(keepingCapacity: true)
    }

    // MARK: Reading

    /// Up to `limit` records, in the order they were appended; empty at the end.
    public func next(limit: Int) throws(OutputError) -> [PlannedRecord] {
        if !reading {
            try flush()
            guard lseek(fd, 0, SEEK_SET) == 0 else { throw OutputError(path: path, reason: String(cString: strerror(errno))) }
            reading = true
            readOffset = 0
            readEnd = 0
        }
        var records: [PlannedRecord] = []
        records.reserveCapacity(min(limit, 4096))
        while records.count < limit, let record = try readRecord() { records.append(record) }
        return records
    }

    private func readRecord() throws(OutputError) -> PlannedRecord? {
        guard try ensure(4) else { return nil }
        let jsonCount = Int(takeUInt32())
        guard try ensure(jsonCount + 4) else { throw truncated() }
        let json = Array(buffer[readOffset..<readOffset + jsonCount])
        readOffset += jsonCount
        let keyCount = Int(takeUInt32())
        guard try ensure(keyCount + 4) else { throw truncated() }
        let key = String(decoding: buffer[readOffset..<readOffset + keyCount], as: UTF8.self)
        readOffset += keyCount
        let identityCount = Int(takeUInt32())
        guard try ensure(identityCount + 25) else { throw truncated() }
        let identity = String(decoding: buffer[readOffset..<readOffset + identityCount], as: UTF8.self)
        readOffset += identityCount
        let high = takeUInt64()
        let low = takeUInt64()
        let line = Int(takeUInt64())
        let change: Change = buffer[readOffset] == 0 ? .added : .changed
        readOffset += 1
        return PlannedRecord(
            json: json, key: key, hash: RecordHash(high: high, low: low), identity: identity, line: line, change: change)
    }

    private func truncated() -> OutputError {
        OutputError(path: path, reason: "the planned records file ends early")
    }

    /// Whether `needed` bytes are buffered from `readOffset`, reading more as needed;
    /// false at the end of the file with nothing buffered.
    private func ensure(_ needed: Int) throws(OutputError) -> Bool {
        if readEnd - readOffset >= needed { return true }
        // Keep the unread tail, then fill up.
        if readOffset > 0 {
            buffer.removeSubrange(0..<readOffset)
            readEnd -= readOffset
            readOffset = 0
        }
        let want = max(needed, Self.bufferSize)
        if buffer.count < want { buffer += [UInt8](repeating: 0, count: want - buffer.count) }
        while readEnd < needed && !exhausted {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + readEnd, $0.count - readEnd) }
            if n < 0 {
                if errno == EINTR { continue }
                throw OutputError(path: path, reason: String(cString: strerror(errno)))
            }
            if n == 0 { exhausted = true }
            readEnd += n
        }
        if readEnd >= needed { return true }
        if readEnd == 0 { return false }
        throw truncated()
    }

    private func takeUInt32() -> UInt32 {
        var value: UInt32 = 0
        for i in 0..<4 { value = value << 8 | UInt32(buffer[readOffset + i]) }
        readOffset += 4
        return value
    }

    private func takeUInt64() -> UInt64 {
        var value: UInt64 = 0
        for i in 0..<8 { value = value << 8 | UInt64(buffer[readOffset + i]) }
        readOffset += 8
        return value
    }

    private static func put(_ value: UInt32, into buffer: inout [UInt8]) {
        for shift in stride(from: 24, through: 0, by: -8) { buffer.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    private static func put(_ value: UInt64, into buffer: inout [UInt8]) {
        for shift in stride(from: 56, through: 0, by: -8) { buffer.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }
}
