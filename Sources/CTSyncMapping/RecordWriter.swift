/// Appends canonical JSON to the mapper's output buffer: strings with minimal escaping
/// (`"`, `\`, control characters; UTF-8 as is, `/` unescaped), integers in decimal,
/// dates as `"$D_<seconds>"`.
///
/// Foundation's encoders are 35–450× slower than this on the per-row path (performance.md).
enum RecordWriter {
    /// Appends `bytes` (valid UTF-8) as a quoted JSON string.
    @inline(__always)
    static func appendString(_ bytes: UnsafeBufferPointer<UInt8>, to output: inout RawBuffer<UInt8>) {
        if needsEscape(bytes) {
            appendEscaping(bytes, to: &output)
        } else {
            output.reserve(bytes.count + 2)
            output.append(UInt8(ascii: "\""))
            output.append(bytes)
            output.append(UInt8(ascii: "\""))
        }
    }

    /// Whether any byte of `bytes` must be escaped, eight bytes at a time.
    @inline(__always)
    private static func needsEscape(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return false }
        let count = bytes.count
        guard count >= 8 else {
            for byte in bytes where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                return true
            }
            return false
        }
        let raw = UnsafeRawPointer(base)
        var index = 0
        while index + 8 <= count {
            if needsEscape(raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)) { return true }
            index += 8
        }
        // The last, overlapping word covers the tail.
        return index < count && needsEscape(raw.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self))
    }

    @inline(never)
    private static func appendEscaping(_ bytes: UnsafeBufferPointer<UInt8>, to output: inout RawBuffer<UInt8>) {
        output.reserve(bytes.count + 2)
        output.append(UInt8(ascii: "\""))
        var runStart = 0
        for index in 0..<bytes.count {
            let byte = bytes[index]
            guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
            if index > runStart {
                output.append(UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
            }
            runStart = index + 1
            output.append(UInt8(ascii: "\\"))
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): output.append(byte)
            case 0x08: output.append(UInt8(ascii: "b"))
            case 0x09: output.append(UInt8(ascii: "t"))
            case 0x0a: output.append(UInt8(ascii: "n"))
            case 0x0c: output.append(UInt8(ascii: "f"))
            case 0x0d: output.append(UInt8(ascii: "r"))
            default:
                output.append("u00")
                output.append(hexDigit(byte >> 4))
                output.append(hexDigit(byte & 0x0f))
            }
        }
        if bytes.count > runStart {
            output.append(UnsafeBufferPointer(rebasing: bytes[runStart..<bytes.count]))
        }
        output.append(UInt8(ascii: "\""))
    }

    /// Whether any of the eight bytes in `word` is a control character, `"` or `\`
    /// (the classic "has less than" and "has zero byte" bit tricks; exact, no false positives).
    @inline(__always)
    private static func needsEscape(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let control = (word &- ones &* 0x20) & ~word & highs
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5c)
        let hasQuote = (quote &- ones) & ~quote & highs
        let hasBackslash = (backslash &- ones) & ~backslash & highs
        return control | hasQuote | hasBackslash != 0
    }

    @inline(__always)
    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? nibble + 0x30 : nibble - 10 + UInt8(ascii: "a")
    }

    /// Appends CleverTap's date string `"$D_<seconds>"`.
    @inline(__always)
    static func appendDate(_ seconds: Int64, to output: inout RawBuffer<UInt8>) {
        output.append("\"$D_")
        output.appendDecimal(seconds)
        output.append(UInt8(ascii: "\""))
    }

    /// The bytes of `"key":`, escaped, computed once per job.
    static func keyPrefix(_ key: String) -> [UInt8] {
        var output = RawBuffer<UInt8>(capacity: key.utf8.count + 8)
        defer { output.free() }
        Array(key.utf8).withUnsafeBufferPointer { appendString($0, to: &output) }
        output.append(UInt8(ascii: ":"))
        return output.array
    }
}
