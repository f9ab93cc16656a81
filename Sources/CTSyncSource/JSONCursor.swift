import CTSyncSpec

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A strict RFC 8259 scanner over one line's bytes.
///
/// It validates everything it passes over (string escapes, surrogate pairs, UTF-8,
/// number grammar, nesting depth) but builds values only when asked, so keys nobody
/// projected cost a scan and no allocation.
struct JSONCursor {
    /// Why the line is not valid JSON, and where.
    struct Failure: Error {
        enum Kind {
            case syntax(String)
            case invalidUTF8
        }
        var offset: Int
        var kind: Kind
    }

    /// A scanned string: the bytes between its quotes.
    struct StringToken {
        var start: Int
        var end: Int
        /// Whether it holds backslash escapes to decode.
        var isEscaped: Bool
    }

    let base: UnsafePointer<UInt8>
    let count: Int
    let maxDepth: Int
    var index = 0
    /// Set whenever whitespace is skipped, to tell compact nested values from others.
    private var sawWhitespace = false
    private var scratch: [UInt8] = []

    init(base: UnsafePointer<UInt8>, count: Int, maxDepth: Int) {
        self.base = base
        self.count = count
        self.maxDepth = maxDepth
    }

    // MARK: Primitives

    var isAtEnd: Bool { index >= count }

    /// The current byte, or 0 at the end (0 never starts a valid token).
    var current: UInt8 { index < count ? base[index] : 0 }

    mutating func skipWhitespace() {
        let start = index
        while index < count {
            switch base[index] {
            case 0x20, 0x09, 0x0D, 0x0A: index += 1
            default:
                if index > start { sawWhitespace = true }
                return
            }
        }
        if index > start { sawWhitespace = true }
    }

    /// Consumes `byte` or fails with `expectation`.
    mutating func expect(_ byte: UInt8, _ expectation: @autoclosure () -> String) throws(Failure) {
        guard current == byte else { throw unexpectedCharacter(expectation()) }
        index += 1
    }

    func failure(_ reason: String, at offset: Int? = nil) -> Failure {
        let at = offset ?? index
        if at >= count { return Failure(offset: count, kind: .syntax("unexpected end of line, \(reason)")) }
        return Failure(offset: at, kind: .syntax(reason))
    }

    // MARK: Values

    /// Scans one value; builds it only when `build` is set (otherwise returns `.null`).
    /// `depth` is the nesting depth of the value's container.
    mutating func scanValue(depth: Int, build: Bool) throws(Failure) -> Value {
        switch current {
        case UInt8(ascii: "\""):
            let token = try scanString()
            return build ? .string(text(of: token)) : .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let start = index
            try scanNumber()
            return build
                ? .number(
                    String(decoding: UnsafeBufferPointer(start: base + start, count: index - start), as: UTF8.self))
                : .null
        case UInt8(ascii: "t"):
            try scanLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try scanLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try scanLiteral("null")
            return .null
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let start = index
            sawWhitespace = false
            try scanContainer(depth: depth + 1)
            guard build else { return .null }
            return .json(compactText(start..<index, hasWhitespace: sawWhitespace))
        default:
            throw unexpectedCharacter("expected a value")
        }
    }

    /// Scans a string starting at its opening quote.
    mutating func scanString() throws(Failure) -> StringToken {
        let open = index
        index += 1
        let start = index
        var isEscaped = false
        while true {
            guard index < count else { throw failure("unterminated string", at: open) }
            let byte = base[index]
            if byte >= 0x20 && byte < 0x80 && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") {
                index += 1
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return StringToken(start: start, end: index - 1, isEscaped: isEscaped)
            case UInt8(ascii: "\\"):
                isEscaped = true
                try scanEscape()
            case 0x80...:
                let length = UTF8Check.sequenceLength(base + index, available: count - index)
                guard length > 0 else { throw Failure(offset: index, kind: .invalidUTF8) }
                index += length
            default:
                throw failure("control character U+\(hex(UInt32(byte), digits: 4)) in a string must be escaped")
            }
        }
    }

    /// The decoded text of a scanned string.
    mutating func text(of token: StringToken) -> String {
        let raw = UnsafeBufferPointer(start: base + token.start, count: token.end - token.start)
        guard token.isEscaped else { return String(decoding: raw, as: UTF8.self) }
        scratch.removeAll(keepingCapacity: true)
        var offset = 0
        while offset < raw.count {
            let byte = raw[offset]
            guard byte == UInt8(ascii: "\\") else {
                scratch.append(byte)
                offset += 1
                continue
            }
            let escape = raw[offset + 1]
            offset += 2
            switch escape {
            case UInt8(ascii: "b"): scratch.append(0x08)
            case UInt8(ascii: "f"): scratch.append(0x0C)
            case UInt8(ascii: "n"): scratch.append(0x0A)
            case UInt8(ascii: "r"): scratch.append(0x0D)
            case UInt8(ascii: "t"): scratch.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = Self.hexValue(raw.baseAddress! + offset)
                offset += 4
                if scalar >= 0xD800 && scalar <= 0xDBFF {
                    // scanEscape guaranteed the low half follows.
                    let low = Self.hexValue(raw.baseAddress! + offset + 2)
                    offset += 6
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                appendUTF8(scalar)
            default: scratch.append(escape)  // \" \\ \/
            }
        }
        return String(decoding: scratch, as: UTF8.self)
    }

    /// Appends the UTF-8 encoding of a scalar that scanEscape has checked.
    private mutating func appendUTF8(_ scalar: UInt32) {
        switch scalar {
        case ..<0x80:
            scratch.append(UInt8(scalar))
        case ..<0x800:
            scratch.append(UInt8(0xC0 | scalar >> 6))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        case ..<0x10000:
            scratch.append(UInt8(0xE0 | scalar >> 12))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        default:
            scratch.append(UInt8(0xF0 | scalar >> 18))
            scratch.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        }
    }

    // MARK: Scanning

    private mutating func scanEscape() throws(Failure) {
        let backslash = index
        guard index + 1 < count else { throw failure("unterminated string") }
        switch base[index + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
            UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            index += 2
        case UInt8(ascii: "u"):
            let unit = try scanUnicodeEscape()
            if unit >= 0xDC00 && unit <= 0xDFFF {
                throw failure("unpaired surrogate \\u\(hex(unit, digits: 4))", at: backslash)
            }
            if unit >= 0xD800 && unit <= 0xDBFF {
                var low: UInt32 = 0
                if index + 1 < count && base[index] == UInt8(ascii: "\\") && base[index + 1] == UInt8(ascii: "u") {
                    low = try scanUnicodeEscape()
                }
                guard low >= 0xDC00 && low <= 0xDFFF else {
                    throw failure("unpaired surrogate \\u\(hex(unit, digits: 4))", at: backslash)
                }
            }
        default:
            let shown = base[index + 1] < 0x80 ? String(UnicodeScalar(base[index + 1])) : "…"
            throw failure("invalid escape \\\(shown) in a string")
        }
    }

    /// Scans `\uXXXX` at `index` and returns the code unit.
    private mutating func scanUnicodeEscape() throws(Failure) -> UInt32 {
        let start = index
        guard index + 6 <= count else { throw failure("invalid \\u escape: expected four hex digits", at: start) }
        for offset in 2..<6 where !base[index + offset].isHexDigit {
            throw failure("invalid \\u escape: expected four hex digits", at: start)
        }
        index += 6
        return Self.hexValue(base + start + 2)
    }

    private mutating func scanNumber() throws(Failure) {
        let start = index
        if current == UInt8(ascii: "-") { index += 1 }
        guard current.isDigit else { throw failure("invalid number: expected a digit", at: index) }
        if current == UInt8(ascii: "0") {
            index += 1
            if current.isDigit { throw failure("invalid number: leading zero", at: start) }
        } else {
            while current.isDigit { index += 1 }
        }
        if current == UInt8(ascii: ".") {
            index += 1
            guard current.isDigit else { throw failure("invalid number: expected a digit after '.'") }
            while current.isDigit { index += 1 }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            guard current.isDigit else { throw failure("invalid number: expected a digit in the exponent") }
            while current.isDigit { index += 1 }
        }
    }

    private mutating func scanLiteral(_ word: StaticString) throws(Failure) {
        let length = word.utf8CodeUnitCount
        guard index + length <= count, memcmp(base + index, word.utf8Start, length) == 0 else {
            throw unexpectedCharacter("expected a value")
        }
        index += length
    }

    /// Scans an object or array starting at its opening bracket.
    private mutating func scanContainer(depth: Int) throws(Failure) {
        guard depth <= maxDepth else { throw failure("nesting deeper than \(maxDepth) levels") }
        let isObject = current == UInt8(ascii: "{")
        let close = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
        index += 1
        skipWhitespace()
        if current == close {
            index += 1
            return
        }
        while true {
            if isObject {
                guard current == UInt8(ascii: "\"") else { throw unexpectedCharacter("expected a string key") }
                _ = try scanString()
                skipWhitespace()
                try expect(UInt8(ascii: ":"), "expected ':' after a key")
                skipWhitespace()
            }
            _ = try scanValue(depth: depth, build: false)
            skipWhitespace()
            if current == UInt8(ascii: ",") {
                index += 1
                skipWhitespace()
                continue
            }
            if current == close {
                index += 1
                return
            }
            throw unexpectedCharacter(
                isObject ? "expected ',' or '}' after a member" : "expected ',' or ']' after an element")
        }
    }

    /// The value's text without insignificant whitespace.
    private func compactText(_ range: Range<Int>, hasWhitespace: Bool) -> String {
        let raw = UnsafeBufferPointer(start: base + range.lowerBound, count: range.count)
        guard hasWhitespace else { return String(decoding: raw, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var inString = false
        var escaping = false
        for byte in raw {
            if inString {
                out.append(byte)
                if escaping {
                    escaping = false
                } else if byte == UInt8(ascii: "\\") {
                    escaping = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case 0x20, 0x09, 0x0D, 0x0A: continue
            case UInt8(ascii: "\""): inString = true
            default: break
            }
            out.append(byte)
        }
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: Messages

    func unexpectedCharacter(_ expectation: String) -> Failure {
        guard index < count else { return failure(expectation) }
        let byte = base[index]
        if byte >= 0x80 {
            if UTF8Check.sequenceLength(base + index, available: count - index) == 0 {
                return Failure(offset: index, kind: .invalidUTF8)
            }
            return failure("unexpected character, \(expectation)")
        }
        let shown = byte >= 0x20 && byte < 0x7F ? "'\(UnicodeScalar(byte))'" : "U+\(hex(UInt32(byte), digits: 4))"
        return failure("unexpected \(shown), \(expectation)")
    }

    private func hex(_ value: UInt32, digits: Int) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }

    private static func hexValue(_ digits: UnsafePointer<UInt8>) -> UInt32 {
        var value: UInt32 = 0
        for offset in 0..<4 {
            let byte = digits[offset]
            let digit: UInt8 =
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
                default: byte - UInt8(ascii: "A") + 10
                }
            value = value << 4 | UInt32(digit)
        }
        return value
    }
}

extension UInt8 {
    fileprivate var isDigit: Bool { self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9") }

    fileprivate var isHexDigit: Bool {
        isDigit || (self >= UInt8(ascii: "a") && self <= UInt8(ascii: "f"))
            || (self >= UInt8(ascii: "A") && self <= UInt8(ascii: "F"))
    }
}
