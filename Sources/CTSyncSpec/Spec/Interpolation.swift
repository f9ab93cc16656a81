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
        return Result(value: out, unset: unset, referencesVariables: references)
    }

    static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic)
        else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }
}
