/// The YAML 1.2 core schema's resolution rules, restricted to forms that mean
/// the same under YAML 1.1 so that no value silently changes type between tools.
enum CoreSchema {
    static let nullTag = "tag:yaml.org,2002:null"
    static let boolTag = "tag:yaml.org,2002:bool"
    static let intTag = "tag:yaml.org,2002:int"
    static let floatTag = "tag:yaml.org,2002:float"
    static let mergeTag = "tag:yaml.org,2002:merge"

    static func isNull(_ text: String) -> Bool {
        switch text {
        case "", "~", "null", "Null", "NULL": return true
        default: return false
        }
    }

    static func bool(_ text: String) -> Bool? {
        switch text {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default: return nil
        }
    }

    static func int(_ text: String) -> Int? {
        let utf8 = Array(text.utf8)
        // YAML 1.2's `0o17` octal is a string in YAML 1.1, so it is left as text.
        if utf8.count > 2 && utf8[0] == UInt8(ascii: "0") && utf8[1] == UInt8(ascii: "x") {
            return digits(utf8.dropFirst(2), radix: 16)
        }
        var body = utf8[...]
        var negative = false
        if let sign = body.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
            negative = sign == UInt8(ascii: "-")
            body = body.dropFirst()
        }
        // A leading zero is octal in YAML 1.1 and decimal in 1.2: refuse to guess.
        guard !(body.count > 1 && body.first == UInt8(ascii: "0")) else { return nil }
        guard let magnitude = digits(body, radix: 10) else {
            // Int.min has no positive counterpart, so it cannot be built by negating.
            return negative && text.dropFirst() == String(UInt64(Int.max) + 1) ? Int.min : nil
        }
        return negative ? -magnitude : magnitude
    }

    static func double(_ text: String) -> Double? {
        if let integer = int(text) { return Double(integer) }
        switch text {
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .infinity
        case "-.inf", "-.Inf", "-.INF": return -.infinity
        case ".nan", ".NaN", ".NAN": return .nan
        default: break
        }
        guard isFloatSyntax(Array(text.utf8)) else { return nil }
        return Double(text)
    }

    /// `[-+]? ( \.[0-9]+ | [0-9]+ (\.[0-9]*)? ) ([eE][-+]?[0-9]+)?`, without a
    /// leading zero on an integer part that has no fraction (`0123`, `012e3`).
    private static func isFloatSyntax(_ utf8: [UInt8]) -> Bool {
        var index = 0
        func skipDigits() -> Int {
            let start = index
            while index < utf8.count, isDigit(utf8[index]) { index += 1 }
            return index - start
        }
        if index < utf8.count, utf8[index] == UInt8(ascii: "-") || utf8[index] == UInt8(ascii: "+") {
            index += 1
        }
        let integerStart = index
        let integerDigits = skipDigits()
        var fractionDigits = 0
        var hasPoint = false
        if index < utf8.count, utf8[index] == UInt8(ascii: ".") {
            hasPoint = true
            index += 1
            fractionDigits = skipDigits()
        }
        guard integerDigits > 0 || fractionDigits > 0 else { return false }
        if !hasPoint && integerDigits > 1 && utf8[integerStart] == UInt8(ascii: "0") { return false }
        if index < utf8.count, utf8[index] == UInt8(ascii: "e") || utf8[index] == UInt8(ascii: "E") {
            index += 1
            if index < utf8.count, utf8[index] == UInt8(ascii: "-") || utf8[index] == UInt8(ascii: "+") {
                index += 1
            }
            guard skipDigits() > 0 else { return false }
        }
        return index == utf8.count
    }

    private static func digits(_ utf8: ArraySlice<UInt8>, radix: Int) -> Int? {
        guard !utf8.isEmpty else { return nil }
        var value = 0
        for byte in utf8 {
            guard let digit = digitValue(byte), digit < radix else { return nil }
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: radix)
            let (sum, overflow2) = shifted.addingReportingOverflow(digit)
            guard !overflow1, !overflow2 else { return nil }
            value = sum
        }
        return value
    }

    private static func digitValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return Int(byte - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return Int(byte - UInt8(ascii: "A")) + 10
        default: return nil
        }
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
