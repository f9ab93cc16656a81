import CTSyncSpec

/// What the sampled values of one source column look like: the evidence `ctsync init`
/// guesses a mapping from. Only shapes and counts are kept, never a value: a job file
/// is committed, and the data may be personal.
struct ColumnProfile: Sendable {
    let name: String
    /// The name lowercased with everything but letters and digits removed: `Full Name`,
    /// `full_name` and `fullName` are all `fullname`.
    let key: String
    /// The name split into lowercased words (`updated_at_ms` → updated, at, ms).
    let words: [String]
    /// Sampled rows with a value (not null, not an empty string).
    var present = 0
    var distinct = 0
    var emails = 0
    var phones = 0
    /// Numbers (JSON numbers, or text that is a plain decimal number).
    var numbers = 0
    /// Numbers whose text starts with a 0 and more digits (`007`): identifiers, not quantities.
    var zeroPadded = 0
    var integers = 0
    /// Integers that read as epoch milliseconds (1973 to 5138) or seconds (2001 to 2096).
    var epochMilliseconds = 0
    var epochSeconds = 0
    /// Text in ISO 8601 date or date-time form.
    var isoDates = 0
    var isoDateTimes = 0
    /// JSON booleans, or true/false/yes/no/y/n (any case); and 0/1, counted apart.
    var booleanWords = 0
    var zeroOrOne = 0
    /// Nested JSON arrays or objects.
    var nested = 0
    /// Present values that are text (not a JSON number or boolean).
    var texts = 0

    init(name: String, values: [Value]) {
        self.name = name
        key = String(String.UnicodeScalarView(name.lowercased().unicodeScalars.filter { $0.properties.isAlphabetic || ("0"..."9").contains($0) }))
        words = ColumnProfile.words(of: name)
        var seen = Set<Value>()
        for value in values {
            switch value {
            case .null: continue
            case .string(let text) where text.isEmpty: continue
            default: break
            }
            present += 1
            if seen.count < 100_000, seen.insert(value).inserted { distinct += 1 }
            switch value {
            case .null: break
            case .bool:
                booleanWords += 1
            case .json:
                nested += 1
            case .number(let literal):
                count(number: literal)
            case .string(let text):
                texts += 1
                let trimmed = text.trimmedOfSpaces
                if Self.isNumber(trimmed) { count(number: trimmed) }
                if Self.isEmail(trimmed) { emails += 1 }
                if Self.isPhoneLike(trimmed) { phones += 1 }
                switch Self.isoKind(trimmed) {
                case .date?: isoDates += 1
                case .dateTime?: isoDateTimes += 1
                case nil: break
                }
                switch trimmed.lowercased() {
                case "true", "false", "yes", "no", "y", "n", "t", "f": booleanWords += 1
                default: break
                }
            }
        }
    }

    private mutating func count(number literal: String) {
        numbers += 1
        var digits = Substring(literal)
        if digits.hasPrefix("-") { digits = digits.dropFirst() }
        if digits.count > 1 && digits.hasPrefix("0") && digits.dropFirst().first != "." { zeroPadded += 1 }
        guard literal.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "-") }), let value = Int64(literal) else { return }
        integers += 1
        if value == 0 || value == 1 { zeroOrOne += 1 }
        if (100_000_000_000..<100_000_000_000_000).contains(value) { epochMilliseconds += 1 }
        if (1_000_000_000..<4_000_000_000).contains(value) { epochSeconds += 1 }
    }

    // MARK: Questions

    /// Whether every present value is of a kind (and there is at least one).
    func all(_ count: Int) -> Bool { present > 0 && count == present }
    /// Whether most present values are (`share` of them, at least one).
    func most(_ count: Int, share: Double = 0.8) -> Bool { present > 0 && Double(count) >= share * Double(present) }

    /// A word of the name is one of `candidates`.
    func named(_ candidates: Set<String>) -> Bool { words.contains(where: candidates.contains) }

    /// Values that are all numbers and not identifiers in disguise.
    var isNumeric: Bool { all(numbers) && zeroPadded == 0 && !looksLikeIdentifier }

    /// `id`, `user_id`, `customerId`, `uuid`, `key`…
    var looksLikeIdentifier: Bool {
        ["id", "uuid", "guid", "identity", "key", "ref"].contains(words.last ?? "")
            || ["userid", "customerid", "memberid", "accountid", "contactid", "profileid", "clientid"].contains(key)
    }

    /// Every sampled row has a value, and no two share one.
    func isUnique(rows: Int) -> Bool { present == rows && distinct == present && rows > 0 }

    // MARK: Shapes

    static func words(of name: String) -> [String] {
        var words: [String] = []
        var current = ""
        var previousWasLower = false
        for ch in name {
            if ch.isLetter || ch.isNumber {
                if ch.isUppercase && previousWasLower && !current.isEmpty {
                    words.append(current.lowercased())
                    current = ""
                }
                current.append(ch)
                previousWasLower = ch.isLowercase || ch.isNumber
            } else {
                if !current.isEmpty { words.append(current.lowercased()) }
                current = ""
                previousWasLower = false
            }
        }
        if !current.isEmpty { words.append(current.lowercased()) }
        return words
    }

    /// `-12`, `3.5`, `1e3`: a plain decimal number (no thousands separators, no currency).
    static func isNumber(_ text: String) -> Bool {
        var bytes = Substring(text).utf8[...]
        if bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        var digits = 0
        var seenDot = false
        var seenExponent = false
        var previous: UInt8 = 0
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digits += 1
            case UInt8(ascii: ".") where !seenDot && !seenExponent && digits > 0: seenDot = true
            case UInt8(ascii: "e"), UInt8(ascii: "E"):
                guard !seenExponent, digits > 0 else { return false }
                seenExponent = true
            case UInt8(ascii: "+"), UInt8(ascii: "-"):
                guard previous == UInt8(ascii: "e") || previous == UInt8(ascii: "E") else { return false }
            default: return false
            }
            previous = byte
        }
        return digits > 0 && previous != UInt8(ascii: ".") && previous != UInt8(ascii: "e") && previous != UInt8(ascii: "E")
    }

    static func isEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."),
            !parts[1].hasSuffix("."), !text.contains(" ")
        else { return false }
        return true
    }

    /// `+1 415 555 1234`, `(030) 123-456`, `9876543210`: digits with phone punctuation, 7 to 15 digits.
    static func isPhoneLike(_ text: String) -> Bool {
        var digits = 0
        for (index, ch) in text.enumerated() {
            if ch.isASCII && ch.isNumber {
                digits += 1
            } else if ch == "+" && index == 0 {
                continue
            } else if !" -().".contains(ch) {
                return false
            }
        }
        return (7...15).contains(digits)
    }

    enum ISOKind { case date, dateTime }

    /// `2024-12-03` or `2024-12-02T10:00:00Z` (also with a space, fractions, an offset).
    static func isoKind(_ text: String) -> ISOKind? {
        let bytes = Array(text.utf8)
        func digits(_ range: Range<Int>) -> Bool {
            range.upperBound <= bytes.count && range.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[$0]) }
        }
        guard digits(0..<4), bytes.count >= 10, bytes[4] == UInt8(ascii: "-"), digits(5..<7), bytes[7] == UInt8(ascii: "-"),
            digits(8..<10)
        else { return nil }
        if bytes.count == 10 { return .date }
        guard bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: " "), digits(11..<13), bytes.count >= 16,
            bytes[13] == UInt8(ascii: ":"), digits(14..<16)
        else { return nil }
        let rest = bytes[16...]
        let allowed = Set("0123456789:.+-Z".utf8)
        return rest.allSatisfy(allowed.contains) ? .dateTime : nil
    }
}

private extension String {
    /// Without leading and trailing spaces and tabs.
    var trimmedOfSpaces: String {
        var scalars = Substring(self).unicodeScalars[...]
        while let first = scalars.first, first == " " || first == "\t" { scalars = scalars.dropFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars = scalars.dropLast() }
        return String(String.UnicodeScalarView(scalars))
    }
}
