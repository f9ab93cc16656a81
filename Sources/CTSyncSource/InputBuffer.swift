#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A growable byte window over a ``ByteInput``, shared by every row reader.
///
/// Readers scan `base[position..<end]` directly and call ``refill(keeping:)`` when they
/// run out; the bytes of a record still being scanned are kept (moved to the front) and
/// the buffer doubles only when one record fills it, so memory is bounded by the larger
/// of the initial capacity and the reader's record limit. It is a non-copyable value so
/// that a scanner holding it works on plain memory, with no reference counting or
/// dynamic exclusivity checks in the per-byte loops.
struct InputBuffer: ~Copyable {
    /// The default capacity: large enough that a read(2) per MiB is all the I/O costs.
    static let defaultCapacity = 1 << 20

    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var capacity: Int
    /// The first byte not yet consumed by the reader.
    var position = 0
    /// One past the last byte read.
    private(set) var end = 0
    /// Whether the input has reported its end.
    private(set) var isAtEnd = false

    private let initialCapacity: Int
    private let input: any ByteInput
    private var isClosed = false

    init(input: any ByteInput, capacity: Int = InputBuffer.defaultCapacity) {
        precondition(capacity > 0, "an input buffer needs room for at least one byte")
        self.input = input
        self.capacity = capacity
        self.initialCapacity = capacity
        self.base = .allocate(capacity: capacity)
    }

    deinit {
        base.deallocate()
        input.close()
    }

    /// Moves `base[keep..<end]` to the front, makes room and reads more bytes.
    ///
    /// - Returns: How far the kept bytes moved towards the start; subtract it from every
    ///   offset the caller holds. When nothing new arrived the input has ended (see
    ///   ``isAtEnd``).
    mutating func refill(keeping keep: Int) throws(SourceError) -> Int {
        precondition(keep >= 0 && keep <= end)
        let kept = end - keep
        if keep > 0 {
            if kept > 0 { memmove(base, base + keep, kept) }
            end = kept
            position = max(0, position - keep)
        }
        if kept < initialCapacity / 2 && capacity > initialCapacity {
            resize(to: initialCapacity)
        } else if end == capacity {
            resize(to: capacity * 2)
        }
        guard !isAtEnd, !isClosed else { return keep }
        let count = try input.read(into: UnsafeMutableRawBufferPointer(start: base + end, count: capacity - end))
        if count == 0 { isAtEnd = true }
        end += count
        return keep
    }

    /// Reads until at least `count` bytes follow `position` or the input ends.
    mutating func fill(atLeast count: Int) throws(SourceError) {
        while end - position < count, !isAtEnd, !isClosed {
            _ = try refill(keeping: position)
        }
    }

    /// Skips a UTF-8 byte order mark at `position`.
    mutating func skipByteOrderMark() throws(SourceError) {
        try fill(atLeast: 3)
        if end - position >= 3, base[position] == 0xEF, base[position + 1] == 0xBB, base[position + 2] == 0xBF {
            position += 3
        }
    }

    /// Closes the input; later refills read nothing.
    mutating func close() {
        guard !isClosed else { return }
        isClosed = true
        input.close()
    }

    private mutating func resize(to newCapacity: Int) {
        let resized = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        resized.update(from: base, count: end)
        base.deallocate()
        base = resized
        capacity = newCapacity
    }
}
