/// Strict UTF-8 validation over raw bytes (RFC 3629: no overlong forms, no surrogates,
/// nothing above U+10FFFF).
enum UTF8Check {
    /// Whether `bytes[0..<count]` is well-formed UTF-8.
    static func isValid(_ bytes: UnsafePointer<UInt8>, count: Int) -> Bool {
        var index = 0
        while index < count {
            // Eight ASCII bytes at a time: most text is mostly ASCII.
            while index + 8 <= count {
                let word = UnsafeRawPointer(bytes + index).loadUnaligned(as: UInt64.self)
                if word & 0x8080_8080_8080_8080 != 0 { break }
                index += 8
            }
            guard index < count else { break }
            if bytes[index] < 0x80 {
                index += 1
                continue
            }
            let length = sequenceLength(bytes + index, available: count - index)
            if length == 0 { return false }
            index += length
        }
        return true
    }

    /// The length of the well-formed multi-byte sequence starting at `bytes` (whose first
    /// byte is at least 0x80), or 0 if it is malformed or cut short.
    @inline(__always)
    static func sequenceLength(_ bytes: UnsafePointer<UInt8>, available: Int) -> Int {
        let lead = bytes[0]
        @inline(__always) func continuation(_ offset: Int) -> Bool {
            offset < available && bytes[offset] & 0xC0 == 0x80
        }
        switch lead {
        case 0xC2...0xDF:
            return continuation(1) ? 2 : 0
        case 0xE0...0xEF:
            guard available >= 3, continuation(1), continuation(2) else { return 0 }
            let second = bytes[1]
            if lead == 0xE0 && second < 0xA0 { return 0 }  // overlong
            if lead == 0xED && second > 0x9F { return 0 }  // UTF-16 surrogate
            return 3
        case 0xF0...0xF4:
            guard available >= 4, continuation(1), continuation(2), continuation(3) else { return 0 }
            let second = bytes[1]
            if lead == 0xF0 && second < 0x90 { return 0 }  // overlong
            if lead == 0xF4 && second > 0x8F { return 0 }  // above U+10FFFF
            return 4
        default:
            return 0
        }
    }
}
