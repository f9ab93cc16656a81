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
        guard bytes.count >= 3, bytes.count <= 254 else { return false }
        var at = -1
        for index in 0..<bytes.count where bytes[index] == UInt8(ascii: "@") {
            guard at < 0 else { return false }
            at = index
        }
        guard at >= 1, at <= 64, at < bytes.count - 1 else { return false }

        var previous: UInt8 = UInt8(ascii: ".")
        for index in 0..<at {
            let byte = bytes[index]
            if byte == UInt8(ascii: ".") {
                guard previous != UInt8(ascii: ".") else { return false }
            } else if !isAtext(byte) {
                return false
            }
            previous = byte
        }
        guard previous != UInt8(ascii: ".") else { return false }

        var labelStart = at + 1
        var labels = 0
        var index = at + 1
        while index <= bytes.count {
            if index == bytes.count || bytes[index] == UInt8(ascii: ".") {
                let label = UnsafeBufferPointer(rebasing: bytes[labelStart..<index])
                guard isDomainLabel(label) else { return false }
                labels += 1
                if index == bytes.count {
                    guard labels >= 2, label.count >= 2, label.contains(where: { !MappingText.isDigit($0) })
                    else { return false }
                }
                labelStart = index + 1
            }
            index += 1
        }
        return true
    }

    private static func isAtext(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
            UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "/"),
            UInt8(ascii: "="), UInt8(ascii: "?"), UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"),
            UInt8(ascii: "{"), UInt8(ascii: "|"), UInt8(ascii: "}"), UInt8(ascii: "~"):
            true
        default:
            byte >= 0x80
        }
    }

    private static func isDomainLabel(_ label: UnsafeBufferPointer<UInt8>) -> Bool {
        guard label.count >= 1, label.count <= 63, label.first != UInt8(ascii: "-"),
            label.last != UInt8(ascii: "-")
        else { return false }
        for byte in label {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"):
                continue
            default:
                guard byte >= 0x80 else { return false }
            }
        }
        return true
    }
}
