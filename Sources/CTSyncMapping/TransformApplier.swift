/// Applies one compiled transform to a value (see design.md "Transforms").
///
/// Null passes through every transform but `default`. Parsing transforms (`ms_to_s`,
/// `iso8601`, `date`, `number`, `bool`, `gender`) ignore surrounding white space; empty
/// text stays empty (and so omits the property) unless `default` fills it.
enum TransformApplier {
    /// Epoch values above this are taken for milliseconds (as seconds it is the year 5138).
    static let millisecondThreshold: Int64 = 100_000_000_000

    static func apply(
        _ transform: CompiledTransform, to value: MappedValue, in arena: inout RowArena
    ) throws(TransformProblem) -> MappedValue {
        if case .default(let replacement) = transform {
            return value.isAbsent ? .text(replacement) : value
        }
        if value.isAbsent { return value }
        switch transform {
        case .trim:
            return mapText(value, in: &arena) { range, arena in
                MappingText.trimmed(range, in: arena.bytes[0..<arena.bytes.count])
            }
        case .lowercase:
            return mapText(value, in: &arena) { range, arena in changingCase(range, upper: false, in: &arena) }
        case .uppercase:
            return mapText(value, in: &arena) { range, arena in changingCase(range, upper: true, in: &arena) }
        case .msToS:
            return try millisecondsToSeconds(value, arena)
        case .iso8601:
            return .integer(try iso8601(value, arena))
        case .date:
            return try date(value, arena)
        case .number:
            return try number(value, arena)
        case .bool:
            return try bool(value, arena)
        case .string:
            if case .list = value { return value }
            return .text(arena.textForm(value) ?? 0..<0)
        case .e164(let countryCode):
            return try e164(value, countryCode: countryCode, in: &arena)
        case .gender:
            return try gender(value, in: &arena)
        case .split(let separator):
            return try split(value, separator: separator, in: &arena)
        case .default:
            return value
        }
    }

    // MARK: Text

    private static func mapText(
        _ value: MappedValue, in arena: inout RowArena, _ transform: (Range<Int>, inout RowArena) -> Range<Int>
    ) -> MappedValue {
        switch value {
        case .text(let range):
            return .text(transform(range, &arena))
        case .list(let items):
            let start = arena.items.count
            for index in items {
                let item = transform(arena.items[index], &arena)
                if !item.isEmpty { arena.items.append(item) }
            }
            return .list(start..<arena.items.count)
        default:
            return value
        }
    }

    /// The text lowercased (`upper` false) or uppercased: the same range when nothing
    /// changes, ASCII mapped without Unicode tables.
    static func changingCase(_ range: Range<Int>, upper: Bool, in arena: inout RowArena) -> Range<Int> {
        enum Outcome { case unchanged, ascii, unicode }
        let (from, to): (UInt8, UInt8) = upper ? (0x61, 0x7a) : (0x41, 0x5a)
        var outcome = Outcome.unchanged
        for byte in arena[range] {
            if byte >= 0x80 {
                outcome = .unicode
                break
            }
            if byte >= from && byte <= to { outcome = .ascii }
        }
        switch outcome {
        case .unchanged:
            return range
        case .unicode:
            let text = arena.string(range)
            return arena.bytes.append(upper ? text.uppercased() : text.lowercased())
        case .ascii:
            let start = arena.bytes.count
            arena.bytes.appendCopy(of: range)
            let base = arena.bytes.base
            for index in start..<arena.bytes.count where base[index] >= from && base[index] <= to {
                base[index] ^= 0x20
            }
            return start..<arena.bytes.count
        }
    }

    /// The range of a text or number value, or nil for any other kind.
    private static func parseableText(_ value: MappedValue) -> Range<Int>? {
        switch value {
        case .text(let range), .number(let range): range
        default: nil
        }
    }

    // MARK: Numbers and time

    private static func millisecondsToSeconds(_ value: MappedValue, _ arena: RowArena) throws(TransformProblem)
        -> MappedValue
    {
        if case .integer(let milliseconds) = value {
            return .integer(floorDivide(milliseconds, 1000))
        }
        guard let range = parseableText(value) else {
            throw TransformProblem("expected integer milliseconds, got \(value.kindDescription)")
        }
        let bytes = MappingText.trimmedASCII(arena[range])
        guard let milliseconds = NumberLiteral(bytes)?.exactInteger(bytes) else {
            throw TransformProblem("expected an integer number of milliseconds")
        }
        return .integer(floorDivide(milliseconds, 1000))
    }

    private static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        let quotient = value / divisor
        return value % divisor < 0 ? quotient - 1 : quotient
    }

    private static func iso8601(_ value: MappedValue, _ arena: RowArena) throws(TransformProblem) -> Int64 {
        guard case .text(let range) = value else {
            throw TransformProblem("expected an ISO 8601 date or date-time text, got \(value.kindDescription)")
        }
        guard let seconds = TimestampParser.epochSeconds(MappingText.trimmedASCII(arena[range])) else {
            throw TransformProblem(
                "expected an ISO 8601 date (YYYY-MM-DD) or date-time (YYYY-MM-DDTHH:MM:SS with Z or an offset)")
        }
        return seconds
    }

    private static func date(_ value: MappedValue, _ arena: RowArena) throws(TransformProblem) -> MappedValue {
        let seconds: Int64
        switch value {
        case .date:
            return value
        case .integer(let integer):
            seconds = integer
        case .number(let range):
            let bytes = arena[range]
            guard let number = NumberLiteral(bytes), number.isFinite(bytes), let floor = number.floorInteger(bytes)
            else {
                throw TransformProblem("expected epoch seconds or an ISO 8601 date")
            }
            seconds = floor
        case .text(let range):
            let bytes = MappingText.trimmedASCII(arena[range])
            if MappingText.hasDatePrefix(bytes) {
                guard let existing = MappingText.plainInteger(UnsafeBufferPointer(rebasing: bytes[3...])) else {
                    throw TransformProblem("expected digits after $D_")
                }
                return .date(existing)
            }
            if let integer = MappingText.plainInteger(bytes) {
                seconds = integer
            } else if let number = NumberLiteral(bytes), number.isFinite(bytes), let floor = number.floorInteger(bytes)
            {
                seconds = floor
            } else if let parsed = TimestampParser.epochSeconds(bytes) {
                return .date(parsed)
            } else {
                throw TransformProblem("expected epoch seconds, an ISO 8601 date or date-time, or $D_<seconds>")
            }
        case .bool, .list, .null:
            throw TransformProblem("expected epoch seconds or an ISO 8601 date, got \(value.kindDescription)")
        }
        guard seconds.magnitude <= millisecondThreshold.magnitude else {
            throw TransformProblem("the value looks like epoch milliseconds; add ms_to_s before date")
        }
        return .date(seconds)
    }

    private static func number(_ value: MappedValue, _ arena: RowArena) throws(TransformProblem) -> MappedValue {
        switch value {
        case .integer:
            return value
        case .text(let range), .number(let range):
            let trimmed = MappingText.trimmed(range, in: arena.bytes[0..<arena.bytes.count])
            guard let number = NumberLiteral(arena[trimmed]) else {
                throw TransformProblem("expected a number such as 12, -3.5 or 1e3")
            }
            guard number.isFinite(arena[trimmed]) else {
                throw TransformProblem("the number is too large to be finite")
            }
            return .number(trimmed)
        default:
            throw TransformProblem("expected a number, got \(value.kindDescription)")
        }
    }

    private static func bool(_ value: MappedValue, _ arena: RowArena) throws(TransformProblem) -> MappedValue {
        switch value {
        case .bool:
            return value
        case .integer(let integer) where integer == 0 || integer == 1:
            return .bool(integer == 1)
        case .text(let range), .number(let range):
            let bytes = MappingText.trimmedASCII(arena[range])
            if MappingText.equalsIgnoringCase(bytes, "true") || MappingText.equalsIgnoringCase(bytes, "yes")
                || MappingText.equalsIgnoringCase(bytes, "y") || MappingText.equalsIgnoringCase(bytes, "t")
                || MappingText.equals(bytes, "1")
            {
                return .bool(true)
            }
            if MappingText.equalsIgnoringCase(bytes, "false") || MappingText.equalsIgnoringCase(bytes, "no")
                || MappingText.equalsIgnoringCase(bytes, "n") || MappingText.equalsIgnoringCase(bytes, "f")
                || MappingText.equals(bytes, "0")
            {
                return .bool(false)
            }
            throw TransformProblem("expected true/false, yes/no, y/n, t/f or 1/0")
        default:
            throw TransformProblem("expected true/false, yes/no, y/n, t/f or 1/0, got \(value.kindDescription)")
        }
    }

    // MARK: Standard fields

    /// Normalises a phone number to E.164: drops spaces, dashes, dots and parentheses, reads
    /// a leading `00` as `+`, and prefixes the default country code to numbers without one,
    /// dropping a national trunk prefix first (a leading `0`, except for Italy's +39 where it
    /// belongs to the number, or a leading `1` of an 11-digit number under +1).
    private static func e164(
        _ value: MappedValue, countryCode: Range<Int>, in arena: inout RowArena
    ) throws(TransformProblem) -> MappedValue {
        guard let range = parseableText(value) else {
            throw TransformProblem("expected a phone number, got \(value.kindDescription)", reason: .invalidPhone)
        }
        enum Outcome { case phone(Range<Int>), badCharacter, noCountryCode, badLength }
        let outcome = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits -> Outcome in
            var count = 0
            var plus = false
            for byte in arena[range] {
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"):
                    guard count < 20 else { return .badLength }
                    digits[count] = byte
                    count += 1
                case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "("),
                    UInt8(ascii: ")"):
                    continue
                case UInt8(ascii: "+") where count == 0 && !plus:
                    plus = true
                default:
                    return .badCharacter
                }
            }
            var start = 0
            var prefix = 0..<0
            if !plus {
                if count >= 2, digits[0] == UInt8(ascii: "0"), digits[1] == UInt8(ascii: "0") {
                    start = 2
                } else if !countryCode.isEmpty {
                    let code = arena[countryCode]
                    if MappingText.equals(code, "1") {
                        if count == 11, digits[0] == UInt8(ascii: "1") { start = 1 }
                    } else if !MappingText.equals(code, "39"), count > 0, digits[0] == UInt8(ascii: "0") {
                        start = 1
                    }
                    prefix = countryCode
                } else {
                    return .noCountryCode
                }
            }
            let total = prefix.count + count - start
            guard total >= 8, total <= 15 else { return .badLength }
            let first = prefix.isEmpty ? digits[start] : arena.bytes[prefix.lowerBound]
            guard first != UInt8(ascii: "0") else { return .badLength }
            let output = arena.bytes.count
            arena.bytes.append(UInt8(ascii: "+"))
            arena.bytes.appendCopy(of: prefix)
            arena.bytes.append(UnsafeBufferPointer(rebasing: digits[start..<count]))
            return .phone(output..<arena.bytes.count)
        }
        switch outcome {
        case .phone(let phone):
            return .text(phone)
        case .badCharacter:
            throw TransformProblem(
                "contains characters other than digits, spaces, dashes, dots, parentheses and a leading +", reason: .invalidPhone)
        case .noCountryCode:
            throw TransformProblem(
                "has no country code (no leading + or 00); give e164 a default country code, e.g. { e164: \"+1\" }", reason: .invalidPhone)
        case .badLength:
            throw TransformProblem("expected + and 8 to 15 digits, the first not 0", reason: .invalidPhone)
        }
    }

    private static func gender(_ value: MappedValue, in arena: inout RowArena) throws(TransformProblem) -> MappedValue {
        guard case .text(let range) = value else {
            throw TransformProblem("expected m, male, man, f, female or woman, got \(value.kindDescription)", reason: .invalidGender)
        }
        let bytes = MappingText.trimmedASCII(arena[range])
        let code: UInt8
        if MappingText.equalsIgnoringCase(bytes, "m") || MappingText.equalsIgnoringCase(bytes, "male")
            || MappingText.equalsIgnoringCase(bytes, "man")
        {
            code = UInt8(ascii: "M")
        } else if MappingText.equalsIgnoringCase(bytes, "f") || MappingText.equalsIgnoringCase(bytes, "female")
            || MappingText.equalsIgnoringCase(bytes, "woman")
        {
            code = UInt8(ascii: "F")
        } else if bytes.isEmpty {
            return .null
        } else {
            throw TransformProblem("expected m, male, man, f, female or woman (any case)", reason: .invalidGender)
        }
        arena.bytes.append(code)
        return .text(arena.bytes.count - 1..<arena.bytes.count)
    }

    // MARK: Multi-value

    private static func split(
        _ value: MappedValue, separator: Range<Int>, in arena: inout RowArena
    ) throws(TransformProblem) -> MappedValue {
        guard let range = arena.textForm(value) else {
            throw TransformProblem("the value is already a multi-value list")
        }
        let bytes = arena.bytes[0..<arena.bytes.count]
        let separatorCount = separator.count
        let first = bytes[separator.lowerBound]
        let start = arena.items.count
        var itemStart = range.lowerBound
        var index = range.lowerBound
        func addItem(_ end: Int) {
            let item = MappingText.trimmed(itemStart..<end, in: bytes)
            if !item.isEmpty { arena.items.append(item) }
        }
        while index + separatorCount <= range.upperBound {
            if bytes[index] == first,
                (1..<separatorCount).allSatisfy({ bytes[index + $0] == bytes[separator.lowerBound + $0] })
            {
                addItem(index)
                index += separatorCount
                itemStart = index
            } else {
                index += 1
            }
        }
        addItem(range.upperBound)
        return start == arena.items.count ? .null : .list(start..<arena.items.count)
    }
}
