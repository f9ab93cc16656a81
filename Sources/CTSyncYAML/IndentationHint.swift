/// Words a YAML novice understands for libyaml's indentation errors: which key or
/// list item is in the wrong column, and which column it belongs in.
///
/// libyaml reports where parsing failed ("mapping values are not allowed in this
/// context", "did not find expected key"), which rarely says that the real mistake is
/// a line indented one space too many or too few.
enum IndentationHint {
    /// A hint for libyaml's `problem` at `line` (1-based), or nil when it is not an
    /// indentation problem this recognises.
    static func hint(problem: String, line: Int, in source: SourceText) -> String? {
        guard let text = source.line(line), let indent = indentation(of: text) else { return nil }
        let here = entry(text)
        let earlier = previousEntries(before: line, in: source)
        switch problem {
        case "mapping values are not allowed in this context":
            // A key indented deeper than the key above it, whose value is on its own line.
            guard let key = here.key, let above = earlier.first, above.indent < indent, let aboveKey = above.key,
                above.hasValue
            else { return nil }
            return
                "\"\(key)\" is indented more than \"\(aboveKey)\" on line \(above.line): keys of one mapping start in the same column, so move it to column \(above.indent + 1); a key nested under \"\(aboveKey)\" would need \"\(aboveKey):\" to have no value of its own"
        case "did not find expected key":
            let name = here.key.map { "\"\($0)\"" } ?? "this line"
            let columns = Set(earlier.filter { $0.key != nil && $0.indent != indent }.map(\.indent))
            guard let parent = earlier.first(where: { $0.indent < indent && $0.key != nil && !$0.hasValue }),
                let parentKey = parent.key
            else { return nil }
            let siblings = earlier.first { $0.indent > parent.indent && $0.line > parent.line && $0.key != nil }
            guard let sibling = siblings, sibling.indent != indent, columns.contains(sibling.indent) else { return nil }
            return
                "\(name) starts in column \(indent + 1), but the keys under \"\(parentKey)\" (line \(parent.line)) start in column \(sibling.indent + 1): indent it to column \(sibling.indent + 1) to keep it under \"\(parentKey)\", or to column \(parent.indent + 1) to end \"\(parentKey)\""
        case "did not find expected '-' indicator":
            guard here.isListItem, let first = earlier.first(where: { $0.isListItem && $0.indent != indent })
            else { return nil }
            return
                "this list item starts in column \(indent + 1), but the list above it (line \(first.line)) puts its \"- \" in column \(first.indent + 1): start every item of one list in the same column"
        default:
            return nil
        }
    }

    /// A meaningful line: its indentation, key (if it is `key:`), and whether it starts a list item.
    struct Entry {
        var line: Int
        var indent: Int
        var key: String?
        var hasValue: Bool
        var isListItem: Bool
    }

    private static func indentation(of text: String) -> Int? {
        let spaces = text.prefix { $0 == " " }.count
        let rest = text.dropFirst(spaces)
        return rest.isEmpty || rest.hasPrefix("#") ? nil : spaces
    }

    private static func entry(_ text: String, line: Int = 0) -> Entry {
        let indent = text.prefix { $0 == " " }.count
        let body = text.dropFirst(indent)
        let isListItem = body.hasPrefix("- ") || body == "-"
        var key: String?
        var hasValue = false
        if !isListItem, let colon = body.firstIndex(of: ":"), !body.hasPrefix("{"), !body.hasPrefix("\""),
            !body.hasPrefix("'")
        {
            let after = body[body.index(after: colon)...]
            if after.isEmpty || after.first == " " {
                key = String(body[..<colon])
                let value = after.drop { $0 == " " }
                hasValue = !value.isEmpty && !value.hasPrefix("#")
            }
        }
        return Entry(line: line, indent: indent, key: key, hasValue: hasValue, isListItem: isListItem)
    }

    /// The meaningful lines before `line`, nearest first (at most 200 looked at).
    private static func previousEntries(before line: Int, in source: SourceText) -> [Entry] {
        var found: [Entry] = []
        var number = line - 1
        while number >= 1 && line - number <= 200 {
            if let text = source.line(number), indentation(of: text) != nil {
                found.append(entry(text, line: number))
            }
            number -= 1
        }
        return found
    }
}
