import CTSyncYAML

/// `${VAR}` substitution from the environment. `$${` writes a literal `${`.
struct Interpolation {
    /// The result of interpolating one string.
    struct Result {
        var value: String
        /// Variables that were referenced but are not set.
        var unset: [String]
        /// Whether the text referenced any variable at all.
        var referencesVariables: Bool
        /// Every variable referenced, in order.
        var referenced: [String] = []
    }

    enum Failure: Error, Equatable {
        case unterminated
        case invalidName(String)
    }

    let environment: [String: String]

    func expand(_ text: String) throws(Failure) -> Result {
        guard text.contains("$") else { return Result(value: text, unset: [], referencesVariables: false) }
        var out = ""
        var unset: [String] = []
        var references = false
        var referenced: [String] = []
        var index = text.startIndex
        while index < text.endIndex {
            let ch = text[index]
            if ch == "$" {
                let next = text.index(after: index)
                if next < text.endIndex, text[next] == "$",
                    text.index(after: next) < text.endIndex, text[text.index(after: next)] == "{"
                {
                    out += "$"
                    index = text.index(after: next)
                    continue
                }
                if next < text.endIndex, text[next] == "{" {
                    guard let close = text[next...].firstIndex(of: "}") else { throw .unterminated }
                    let name = String(text[text.index(after: next)..<close])
                    guard Interpolation.isValidName(name) else { throw .invalidName(name) }
                    references = true
                    referenced.append(name)
                    if let value = environment[name] {
                        out += value
                    } else {
                        unset.append(name)
                    }
                    index = text.index(after: close)
                    continue
                }
            }
            out.append(ch)
            index = text.index(after: index)
        }
        return Result(value: out, unset: unset, referencesVariables: references, referenced: referenced)
    }

    /// A source command's text: ctsync substitutes nothing there (the shell expands
    /// variables from the command's environment, where `ps` does not show their values);
    /// `$${` still reads as `${`, as it did when commands were interpolated.
    static func commandText(_ text: String) -> String {
        text.replacingOccurrences(of: "$${", with: "${")
    }

    /// The variables a shell command reads, `$NAME` or `${NAME…}`, as far as a plain scan
    /// tells (quoting is not parsed: a name in single quotes counts too).
    static func shellReferences(in command: String) -> [String] {
        var names: [String] = []
        let scalars = Array(command.unicodeScalars)
        var index = 0
        func isNameStart(_ c: Unicode.Scalar) -> Bool { c == "_" || (c.isASCII && c.properties.isAlphabetic) }
        func isNameCharacter(_ c: Unicode.Scalar) -> Bool { isNameStart(c) || ("0"..."9").contains(c) }
        while index < scalars.count {
            defer { index += 1 }
            guard scalars[index] == "$", index + 1 < scalars.count else { continue }
            var start = index + 1
            if scalars[start] == "{" { start += 1 }
            guard start < scalars.count, isNameStart(scalars[start]) else { continue }
            var end = start
            while end < scalars.count, isNameCharacter(scalars[end]) { end += 1 }
            names.append(String(String.UnicodeScalarView(scalars[start..<end])))
            index = end - 1
        }
        return names
    }

    static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic)
        else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }
}
