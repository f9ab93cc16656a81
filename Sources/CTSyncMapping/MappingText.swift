/// Byte-level text helpers for the mapping hot path. Swift's `Character` APIs handle
/// grapheme clusters and are far slower than a scan of UTF-8 bytes, which is all these
/// ASCII-defined formats need.
enum MappingText {
    @inline(__always)
    static func isASCIIWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (byte >= 0x09 && byte <= 0x0d)
    }

    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool {
        byte &- 0x30 < 10
    }

    /// `range` of `bytes` without leading and trailing white space: ASCII white space and
    /// any other Unicode White_Space scalar (a spreadsheet's no-break space goes too).
    static func trimmed(_ range: Range<Int>, in bytes: UnsafeBufferPointer<UInt8>) -> Range<Int> {
        var lower = range.lowerBound
        var upper = range.upperBound
        while lower < upper {
            let byte = bytes[lower]
            if byte < 0x80 {
                guard isASCIIWhitespace(byte) else { break }
                lower += 1
            } else {
                let (scalar, length) = decodeScalar(bytes, at: lower, end: upper)
                guard scalar.properties.isWhitespace else { break }
                lower += length
            }
        }
        while upper > lower {
            let byte = bytes[upper - 1]
            if byte < 0x80 {
                guard isASCIIWhitespace(byte) else { break }
                upper -= 1
            } else {
                var start = upper - 1
                while start > lower, bytes[start] & 0xc0 == 0x80 { start -= 1 }
                let (scalar, _) = decodeScalar(bytes, at: start, end: upper)
                guard scalar.properties.isWhitespace else { break }
                upper = start
            }
        }
        return lower..<upper
    }

    /// The scalar starting at `index` of valid UTF-8 and its length in bytes.
    private static func decodeScalar(
        _ bytes: UnsafeBufferPointer<UInt8>, at index: Int, end: Int
    ) -> (Unicode.Scalar, Int) {
        let lead = UInt32(bytes[index])
        let length = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1
        guard index + length <= end else { return ("\u{FFFD}", 1) }
        var value = length == 1 ? lead : lead & (0xff >> UInt32(length + 1))
        for offset in 1..<length {
            value = value << 6 | UInt32(bytes[index + offset] & 0x3f)
        }
        return (Unicode.Scalar(value) ?? "\u{FFFD}", length)
    }

    /// `bytes` without leading and trailing ASCII white space.
    @inline(__always)
    static func trimmedASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        var lower = 0
        var upper = bytes.count
        while lower < upper, isASCIIWhitespace(bytes[lower]) { lower += 1 }
        while upper > lower, isASCIIWhitespace(bytes[upper - 1]) { upper -= 1 }
        return UnsafeBufferPointer(rebasing: bytes[lower..<upper])
    }

    /// Whether `bytes` equals `lowercaseASCII` ignoring ASCII case.
    @inline(__always)
    static func equalsIgnoringCase(_ bytes: UnsafeBufferPointer<UInt8>, _ lowercaseASCII: StaticString) -> Bool {
        guard bytes.count == lowercaseASCII.utf8CodeUnitCount else { return false }
        let expected = lowercaseASCII.utf8Start
        for index in 0..<bytes.count {
            var byte = bytes[index]
            if byte >= 0x41 && byte <= 0x5a { byte |= 0x20 }
            if byte != expected[index] { return false }
        }
        return true
    }

    /// Whether `bytes` equals `ascii` exactly.
    @inline(__always)
    static func equals(_ bytes: UnsafeBufferPointer<UInt8>, _ ascii: StaticString) -> Bool {
        guard bytes.count == ascii.utf8CodeUnitCount else { return false }
        let expected = ascii.utf8Start
        for index in 0..<bytes.count where bytes[index] != expected[index] {
            return false
        }
        return true
    }

    /// Whether `bytes` starts with `$D_`.
    @inline(__always)
    static func hasDatePrefix(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        bytes.count > 3 && bytes[0] == UInt8(ascii: "$") && bytes[1] == UInt8(ascii: "D")
            && bytes[2] == UInt8(ascii: "_")
    }

    /// The integer written as an optional `-` and decimal digits only; nil otherwise or on overflow.
    static func plainInteger(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        var index = 0
        var negative = false
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        guard index < bytes.count else { return nil }
        var magnitude: Int64 = 0
        while index < bytes.count {
            let byte = bytes[index]
            guard isDigit(byte) else { return nil }
            let (times, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(Int64(byte - 0x30))
            guard !overflow1, !overflow2 else { return nil }
            magnitude = sum
            index += 1
        }
        return negative ? -magnitude : magnitude
    }
}
