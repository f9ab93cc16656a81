/// Byte-level checks for the formats CleverTap validates in profile fields.
enum FieldFormats {
    /// An address with one `@`, a plain ASCII local part and a dotted domain
    /// whose last label is at least two letters. Quoted local parts and
    /// internationalized addresses are refused.
    static func isValidEmail(_ email: String) -> Bool {
        let bytes = email.utf8
        guard bytes.count >= 6, bytes.count <= 254 else { return false }
        guard let at = bytes.firstIndex(of: UInt8(ascii: "@")) else { return false }
        let local = bytes[..<at]
        let domain = bytes[bytes.index(after: at)...]
        guard !domain.contains(UInt8(ascii: "@")) else { return false }
        return isValidLocalPart(local) && isValidDomain(domain)
    }

    private static func isValidLocalPart(_ local: Substring.UTF8View) -> Bool {
        guard local.count >= 1, local.count <= 64 else { return false }
        guard local.first != UInt8(ascii: "."), local.last != UInt8(ascii: ".") else { return false }
        var previous: UInt8 = 0
        for byte in local {
            if byte == UInt8(ascii: "."), previous == UInt8(ascii: ".") { return false }
            guard isAlphanumeric(byte) || localSymbols.contains(byte) else { return false }
            previous = byte
        }
        return true
    }

    private static func isValidDomain(_ domain: Substring.UTF8View) -> Bool {
        let labels = domain.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return false }
        for label in labels {
            guard label.count >= 1, label.count <= 63 else { return false }
            guard label.first != UInt8(ascii: "-"), label.last != UInt8(ascii: "-") else { return false }
            guard label.allSatisfy({ isAlphanumeric($0) || $0 == UInt8(ascii: "-") }) else { return false }
        }
        let topLevel = labels[labels.count - 1]
        return topLevel.count >= 2 && topLevel.allSatisfy(isLetter)
    }

    /// E.164: `+`, a country code that does not start with 0, 8 to 15 digits in all.
    static func isValidPhone(_ phone: String) -> Bool {
        let bytes = phone.utf8
        guard bytes.count >= 9, bytes.count <= 16, bytes.first == UInt8(ascii: "+") else { return false }
        let digits = bytes.dropFirst()
        guard digits.first != UInt8(ascii: "0") else { return false }
        return digits.allSatisfy(isDigit)
    }

    /// Whether `value` starts with the `$D_` date prefix.
    static func isDateValue(_ value: String) -> Bool {
        var bytes = value.utf8.makeIterator()
        return bytes.next() == UInt8(ascii: "$") && bytes.next() == UInt8(ascii: "D")
            && bytes.next() == UInt8(ascii: "_")
    }

    /// `$D_` followed by an integer number of epoch seconds (negative before 1970).
    static func isValidDate(_ value: String) -> Bool {
        guard isDateValue(value) else { return false }
        var number = value.utf8.dropFirst(3)
        if number.first == UInt8(ascii: "-") { number = number.dropFirst() }
        return number.count >= 1 && number.count <= 12 && number.allSatisfy(isDigit)
    }

    private static let localSymbols: Set<UInt8> = Set("!#$%&'*+/=?^_`{|}~.-".utf8)

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z")
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        isDigit(byte) || isLetter(byte)
    }
}
