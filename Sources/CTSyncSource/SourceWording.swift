/// Small renderers shared by the source messages.
enum SourceWording {
    /// `text` in double quotes, with quotes, backslashes and control characters escaped.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where isControl(scalar):
                out += "\\u{\(String(scalar.value, radix: 16))}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// C0 and C1 controls, DEL, and the bidirectional overrides and isolates: what a
    /// terminal may act on, or what makes text read differently from what it is.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0..<0x20, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    /// A byte count as a person writes it: `16 MiB`, `512 KiB`, `1000 bytes`.
    static func bytes(_ count: Int) -> String {
        if count >= 1 << 20, count % (1 << 20) == 0 { return "\(count >> 20) MiB" }
        if count >= 1 << 10, count % (1 << 10) == 0 { return "\(count >> 10) KiB" }
        return count == 1 ? "1 byte" : "\(count) bytes"
    }

    /// `field 3 ("email")` given the header's names, `field 3` without them.
    static func field(_ index: Int, in names: [String]?) -> String {
        guard let names, index < names.count else { return "field \(index + 1)" }
        return "field \(index + 1) (\(quoted(names[index])))"
    }
}
