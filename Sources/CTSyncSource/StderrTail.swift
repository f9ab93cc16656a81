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
    ///
    /// Line breaks (CRLF read as LF) and tabs are kept; every other control character is
    /// escaped (`\u{1b}`), like the bidirectional overrides, so that a command's stderr
    /// cannot move the cursor, retitle the window or hide text in the message ctsync prints.
    var text: String {
        var bytes = isFull ? Array(storage[next...] + storage[..<next]) : Array(storage[..<next])
        if isFull {
            // Drop a UTF-8 sequence cut in half by the wrap-around.
            while let first = bytes.first, first & 0xC0 == 0x80 { bytes.removeFirst() }
        }
        var text = Substring(String(decoding: bytes, as: UTF8.self))
        while text.first?.isWhitespace == true { text.removeFirst() }
        while text.last?.isWhitespace == true { text.removeLast() }
        let shown = Self.escapingControls(text)
        return isFull && !shown.isEmpty ? "…" + shown : shown
    }

    private static func escapingControls(_ text: Substring) -> String {
        var out = String.UnicodeScalarView()
        let scalars = Array(text.unicodeScalars)
        for (index, scalar) in scalars.enumerated() {
            switch scalar.value {
            case 0x0A, 0x09:
                out.append(scalar)
            case 0x0D where index + 1 < scalars.count && scalars[index + 1] == "\n":
                continue
            case _ where SourceWording.isControl(scalar):
                out.append(contentsOf: "\\u{\(String(scalar.value, radix: 16))}".unicodeScalars)
            default:
                out.append(scalar)
            }
        }
        return String(out)
    }
}
