@testable import CTSyncSource
@testable import CTSyncSpec

/// A ``ByteInput`` over bytes in memory that hands them out in chunks of at most
/// `chunk` bytes, so the readers' refill paths run as they do on a slow pipe.
package final class MemoryInput: ByteInput {
    private let bytes: [UInt8]
    private let chunk: Int
    private var offset = 0

    package init(_ bytes: [UInt8], chunk: Int) {
        self.bytes = bytes
        self.chunk = max(1, chunk)
    }

    package func read(into buffer: UnsafeMutableRawBufferPointer) throws(SourceError) -> Int {
        let count = min(buffer.count, chunk, bytes.count - offset)
        guard count > 0 else { return 0 }
        bytes.withUnsafeBytes { source in
            buffer.baseAddress!.copyMemory(from: source.baseAddress! + offset, byteCount: count)
        }
        offset += count
        return count
    }

    package func close() {}
}

/// Every event of a reader, or the error that ended it.
package func drainEvents(_ reader: any RowReader) -> (events: [RowEvent], error: SourceError?) {
    var events: [RowEvent] = []
    do {
        while let event = try reader.next() { events.append(event) }
        return (events, nil)
    } catch {
        return (events, error)
    }
}

/// Lines must never go backwards, and no record may start past the input's last line.
package func checkLines(_ events: [RowEvent], in bytes: [UInt8], firstLine: Int) {
    let lastLine = bytes.reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
    var previous = firstLine
    for event in events {
        precondition(event.line >= previous, "line \(event.line) after line \(previous)")
        precondition(event.line <= lastLine, "line \(event.line) past the last line \(lastLine)")
        previous = event.line + 1
    }
}
