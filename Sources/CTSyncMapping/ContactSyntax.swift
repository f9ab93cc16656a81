/// The syntax CleverTap accepts for `Email` and `Phone` values (and `identity` under
/// `identity_kind: email | phone`).
enum ContactSyntax {
    /// E.164: `+`, a non-zero digit, then 7 to 14 more digits.
    static func isE164(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.count >= 9, bytes.count <= 16, bytes[0] == UInt8(ascii: "+"),
            bytes[1] != UInt8(ascii: "0")
        else { return false }
        for index in 1..<bytes.count where !MappingText.isDigit(bytes[index]) {
            return false
        }
        return true
    }

    /// A pragmatic address check: one `@`; a local part of 1 to 64 bytes of RFC 5322
    /// "atext" and inner dots; a domain of at least two dot-separated labels of letters,
    /// digits and inner hyphens (UTF-8 allowed for internationalised names), 1 to 63 bytes
    /// each, and a top-level label of two or more characters that is not all digits.
    /// No quoted local parts, comments or IP-literal domains: CleverTap rejects those too.
    static func isEmail(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let count = bytes.count
        guard count >= 3, count <= 254 else { return false }
        let classes = characterClasses.utf8Start

        // Local part: atext with single inner dots, up to the only @.
        var index = 0
        var previousDot = true
        while index < count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "@") { break }
            if byte == UInt8(ascii: ".") {
                guard !previousDot else { return false }
                previousDot = true
            } else {
                guard classes[Int(byte)] & 1 != 0 else { return false }
                previousDot = false
            }
            index += 1
        }
        guard index >= 1, index <= 64, index < count - 1, !previousDot else { return false }

        // Domain: labels of letters, digits, inner hyphens and UTF-8.
        index += 1
        var labels = 0
        var labelStart = index
        var labelAllDigits = true
        while true {
            let atEnd = index == count
            let byte = atEnd ? UInt8(ascii: ".") : bytes[index]
            if byte == UInt8(ascii: ".") {
                let length = index - labelStart
                guard length >= 1, length <= 63, bytes[labelStart] != UInt8(ascii: "-"),
                    bytes[index - 1] != UInt8(ascii: "-")
                else { return false }
                labels += 1
                if atEnd { return labels >= 2 && length >= 2 && !labelAllDigits }
                labelStart = index + 1
                labelAllDigits = true
            } else {
                guard classes[Int(byte)] & 2 != 0 else { return false }
                if !MappingText.isDigit(byte) { labelAllDigits = false }
            }
            index += 1
        }
    }

    /// Per byte: bit 0 (value 1) marks RFC 5322 atext, bit 1 (value 2) a domain-label
    /// character; bytes from 0x80 (UTF-8) are both. Indexed by byte value; the digits are
    /// the flags' ASCII codes, whose low two bits are the flags.
    private static var characterClasses: StaticString {
        // swift-format-ignore
        "0000000000000000000000000000000001011111001103013333333333000101033333333333333333333333333000111333333333333333333333333331111033333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333"
    }
}
