/// Turns user-controlled text into something safe and short enough to quote
/// inside a one-line message.
enum DisplayText {
    /// Longer keys are cut: a message is for locating a problem, not reproducing the input.
    static let maxQuotedScalars = 60

    /// `"text"` with quotes, backslashes and control characters escaped, so
    /// that a key containing a newline or a terminal escape cannot break the
    /// message layout or the user's terminal.
    static func quoted(_ text: String) -> String {
        var result = "\""
        var count = 0
        for scalar in text.unicodeScalars {
            if count == maxQuotedScalars {
                result += "…"
                break
            }
            count += 1
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if isUnsafeToDisplay(scalar) {
                    result += "\\u{\(hex(scalar.value))}"
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }

    /// C0 controls, DEL and C1 controls, which a terminal may interpret, and
    /// the bidirectional overrides and isolates that can make displayed text
    /// read differently from what it is ("Trojan Source").
    static func isUnsafeToDisplay(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0..<0x20, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    /// Upper-case hexadecimal, at least `width` digits.
    static func hex(_ value: UInt32, width: Int = 1) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
