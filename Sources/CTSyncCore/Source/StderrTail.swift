/// The last few KiB a command wrote to stderr: a ring buffer, so a command that floods
/// stderr costs a fixed amount of memory.
struct StderrTail {
    private var storage: [UInt8]
    private var next = 0
    private var isFull = false

    init(capacity: Int = 4096) {
        storage = Array(repeating: 0, count: capacity)
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        // Only the last `capacity` bytes of a long chunk can survive.
        let kept = bytes.count > storage.count ? UnsafeRawBufferPointer(rebasing: bytes.suffix(storage.count)) : bytes
        for byte in kept {
            storage[next] = byte
            next += 1
            if next == storage.count {
                next = 0
                isFull = true
            }
        }
    }

    /// The tail as text: trimmed, with an ellipsis where the beginning was cut off.
    var text: String {
        var bytes = isFull ? Array(storage[next...] + storage[..<next]) : Array(storage[..<next])
        if isFull {
            // Drop a UTF-8 sequence cut in half by the wrap-around.
            while let first = bytes.first, first & 0xC0 == 0x80 { bytes.removeFirst() }
        }
        var text = Substring(String(decoding: bytes, as: UTF8.self))
        while text.first?.isWhitespace == true { text.removeFirst() }
        while text.last?.isWhitespace == true { text.removeLast() }
        return isFull && !text.isEmpty ? "…" + text : String(text)
    }
}
