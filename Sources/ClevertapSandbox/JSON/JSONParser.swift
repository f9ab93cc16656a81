/// A strict RFC 8259 JSON parser over raw bytes, producing ``SandboxValue``.
///
/// Foundation's `JSONSerialization` is about 450× slower than a byte-level parser
/// (see `performance.md`), and the sandbox must ingest hundreds of thousands of
/// records per second, so this walks the bytes once. Members and elements are
/// gathered on reusable stacks so each object or array costs one allocation.
/// Nesting is bounded by `maxDepth`; invalid UTF-8 inside strings is repaired
/// (U+FFFD) rather than refused.
struct JSONParser {
    /// The nesting limit for request bodies; records are at most four levels deep.
    static let defaultMaxDepth = 64

    private let base: UnsafePointer<UInt8>
    private let count: Int
    private let maxDepth: Int
    private var position = 0
    private var depth = 0
    private var memberStack: [(String, SandboxValue)] = []
    private var elementStack: [SandboxValue] = []
    private var scratch: [UInt8] = []

    private init(base: UnsafePointer<UInt8>, count: Int, maxDepth: Int) {
        self.base = base
        self.count = count
        self.maxDepth = maxDepth
    }

    /// Parses exactly one JSON value, surrounded by optional whitespace.
    static func parse(
        _ bytes: UnsafeRawBufferPointer,
        maxDepth: Int = defaultMaxDepth
    ) throws(JSONParseError) -> SandboxValue {
        guard let address = bytes.baseAddress, bytes.count > 0 else {
            throw JSONParseError(reason: .unexpectedEnd, offset: 0)
        }
        let base = address.bindMemory(to: UInt8.self, capacity: bytes.count)
        var parser = JSONParser(base: base, count: bytes.count, maxDepth: maxDepth)
        parser.skipWhitespace()
        let value = try parser.parseValue()
        parser.skipWhitespace()
        guard parser.position == parser.count else {
            throw JSONParseError(reason: .trailingContent, offset: parser.position)
        }
        return value
    }

    /// Parses JSON text; a convenience for configuration and tests.
    static func parse(_ text: String, maxDepth: Int = defaultMaxDepth) throws(JSONParseError) -> SandboxValue {
        var text = text
        let result: Result<SandboxValue, JSONParseError> = text.withUTF8 { utf8 in
            Result { () throws(JSONParseError) in try parse(UnsafeRawBufferPointer(utf8), maxDepth: maxDepth) }
        }
        return try result.get()
    }

    // MARK: - Values

    private mutating func parseValue() throws(JSONParseError) -> SandboxValue {
        guard position < count else { throw error(.unexpectedEnd) }
        switch base[position] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return try parseNumber()
        case let byte:
            throw error(.unexpectedByte(byte))
        }
    }

    private mutating func parseObject() throws(JSONParseError) -> SandboxValue {
        try enterContainer()
        skipWhitespace()
        if position < count, base[position] == UInt8(ascii: "}") {
            position += 1
            depth -= 1
            return .object([:])
        }
        let stackBase = memberStack.count
        while true {
            guard position < count else { throw error(.unexpectedEnd) }
            guard base[position] == UInt8(ascii: "\"") else { throw error(.unexpectedByte(base[position])) }
            let key = try parseString()
            skipWhitespace()
            try expect(UInt8(ascii: ":"))
            skipWhitespace()
            let value = try parseValue()
            memberStack.append((key, value))
            skipWhitespace()
            guard position < count else { throw error(.unexpectedEnd) }
            let byte = base[position]
            position += 1
            if byte == UInt8(ascii: "}") { break }
            guard byte == UInt8(ascii: ",") else {
                position -= 1
                throw error(.unexpectedByte(byte))
            }
            skipWhitespace()
        }
        var members = [String: SandboxValue](minimumCapacity: memberStack.count - stackBase)
        for index in stackBase..<memberStack.count {
            // A repeated key keeps its last value, as most JSON parsers do.
            members[memberStack[index].0] = memberStack[index].1
        }
        memberStack.removeLast(memberStack.count - stackBase)
        depth -= 1
        return .object(members)
    }

    private mutating func parseArray() throws(JSONParseError) -> SandboxValue {
        try enterContainer()
        skipWhitespace()
        if position < count, base[position] == UInt8(ascii: "]") {
            position += 1
            depth -= 1
            return .array([])
        }
        let stackBase = elementStack.count
        while true {
            elementStack.append(try parseValue())
            skipWhitespace()
            guard position < count else { throw error(.unexpectedEnd) }
            let byte = base[position]
            position += 1
            if byte == UInt8(ascii: "]") { break }
            guard byte == UInt8(ascii: ",") else {
                position -= 1
                throw error(.unexpectedByte(byte))
            }
            skipWhitespace()
        }
        let elements = Array(elementStack[stackBase...])
        elementStack.removeLast(elementStack.count - stackBase)
        depth -= 1
        return .array(elements)
    }

    private mutating func enterContainer() throws(JSONParseError) {
        depth += 1
        guard depth <= maxDepth else { throw error(.tooDeep) }
        position += 1
    }

    // MARK: - Strings

    private mutating func parseString() throws(JSONParseError) -> String {
        position += 1
        let start = position
        while position < count {
            let byte = base[position]
            if byte == UInt8(ascii: "\"") {
                let string = String(
                    decoding: UnsafeBufferPointer(start: base + start, count: position - start),
                    as: UTF8.self
                )
                position += 1
                return string
            }
            if byte == UInt8(ascii: "\\") {
                return try parseEscapedString(from: start)
            }
            if byte < 0x20 { throw error(.controlCharacterInString) }
            position += 1
        }
        throw error(.unexpectedEnd)
    }

    /// The slow path, taken once the first backslash is seen at `position`.
    private mutating func parseEscapedString(from start: Int) throws(JSONParseError) -> String {
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(start: base + start, count: position - start))
        while position < count {
            let byte = base[position]
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                return String(decoding: scratch, as: UTF8.self)
            case UInt8(ascii: "\\"):
                position += 1
                guard position < count else { throw error(.unexpectedEnd) }
                let escape = base[position]
                position += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(escape)
                case UInt8(ascii: "b"): scratch.append(0x08)
                case UInt8(ascii: "f"): scratch.append(0x0C)
                case UInt8(ascii: "n"): scratch.append(0x0A)
                case UInt8(ascii: "r"): scratch.append(0x0D)
                case UInt8(ascii: "t"): scratch.append(0x09)
                case UInt8(ascii: "u"): try appendUnicodeEscape()
                default:
                    position -= 1
                    throw error(.invalidEscape)
                }
            case 0..<0x20:
                throw error(.controlCharacterInString)
            default:
                scratch.append(byte)
                position += 1
            }
        }
        throw error(.unexpectedEnd)
    }

    /// Decodes `XXXX` (after `\u`), joining a surrogate pair when one follows.
    private mutating func appendUnicodeEscape() throws(JSONParseError) {
        var code = try readHex4()
        if (0xD800...0xDBFF).contains(code), position + 1 < count,
            base[position] == UInt8(ascii: "\\"), base[position + 1] == UInt8(ascii: "u")
        {
            let save = position
            position += 2
            let low = try readHex4()
            if (0xDC00...0xDFFF).contains(low) {
                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
            } else {
                position = save
            }
        }
        let scalar = Unicode.Scalar(code) ?? "\u{FFFD}"
        scratch.append(contentsOf: UTF8.encode(scalar)!)
    }

    private mutating func readHex4() throws(JSONParseError) -> UInt32 {
        guard position + 4 <= count else { throw error(.unexpectedEnd) }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = base[position]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw error(.invalidEscape)
            }
            value = value << 4 | digit
            position += 1
        }
        return value
    }

    // MARK: - Numbers and literals

    private mutating func parseNumber() throws(JSONParseError) -> SandboxValue {
        let start = position
        let negative = base[position] == UInt8(ascii: "-")
        if negative { position += 1 }
        guard position < count, isDigit(base[position]) else { throw error(.invalidNumber) }

        var magnitude: UInt64 = 0
        var overflow = false
        if base[position] == UInt8(ascii: "0") {
            position += 1
            if position < count, isDigit(base[position]) { throw error(.invalidNumber) }
        } else {
            while position < count, isDigit(base[position]) {
                let (times10, o1) = magnitude.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times10.addingReportingOverflow(UInt64(base[position] - UInt8(ascii: "0")))
                overflow = overflow || o1 || o2
                magnitude = sum
                position += 1
            }
        }

        var isInteger = true
        if position < count, base[position] == UInt8(ascii: ".") {
            isInteger = false
            position += 1
            try consumeDigits()
        }
        if position < count, base[position] == UInt8(ascii: "e") || base[position] == UInt8(ascii: "E") {
            isInteger = false
            position += 1
            if position < count, base[position] == UInt8(ascii: "+") || base[position] == UInt8(ascii: "-") {
                position += 1
            }
            try consumeDigits()
        }

        if isInteger, !overflow {
            if !negative, magnitude <= UInt64(Int.max) { return .int(Int(magnitude)) }
            if negative, magnitude <= UInt64(Int.max) { return .int(-Int(magnitude)) }
            if negative, magnitude == UInt64(Int.max) + 1 { return .int(Int.min) }
        }
        let text = String(decoding: UnsafeBufferPointer(start: base + start, count: position - start), as: UTF8.self)
        guard let double = Double(text), double.isFinite else {
            position = start
            throw error(.invalidNumber)
        }
        return .double(double)
    }

    private mutating func consumeDigits() throws(JSONParseError) {
        guard position < count, isDigit(base[position]) else { throw error(.invalidNumber) }
        while position < count, isDigit(base[position]) { position += 1 }
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let length = literal.utf8CodeUnitCount
        guard position + length <= count else { throw error(.unexpectedEnd) }
        let expected = literal.utf8Start
        for offset in 0..<length where base[position + offset] != expected[offset] {
            position += offset
            throw error(.unexpectedByte(base[position]))
        }
        position += length
    }

    private mutating func expect(_ byte: UInt8) throws(JSONParseError) {
        guard position < count else { throw error(.unexpectedEnd) }
        guard base[position] == byte else { throw error(.unexpectedByte(base[position])) }
        position += 1
    }

    private mutating func skipWhitespace() {
        while position < count {
            switch base[position] {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"):
                position += 1
            default:
                return
            }
        }
    }

    private func error(_ reason: JSONParseError.Reason) -> JSONParseError {
        JSONParseError(reason: reason, offset: position)
    }
}
