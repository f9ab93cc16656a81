import Testing

@testable import CTSyncYAML

/// libyaml's indentation errors come with a hint in plain words: which key or list
/// item is in the wrong column, and which column it belongs in.
@Suite("indentation hints")
struct IndentationHintTests {
    static func message(_ text: String) -> String {
        let source = SourceText(path: "job.yaml", bytes: Array(text.utf8))
        do {
            _ = try YAMLLoader.load(source)
            return ""
        } catch {
            return error.message
        }
    }

    @Test func keyIndentedMoreThanItsSibling() {
        let text = Self.message("version: 1\ndestination:\n  region: in1\n   account_id: 1\n")
        #expect(text.hasPrefix("mapping values are not allowed in this context; "))
        #expect(
            text.contains(
                "\"account_id\" is indented more than \"region\" on line 3: keys of one mapping start in the same column, so move it to column 3"
            ))
    }

    @Test func keyIndentedLessThanItsSiblings() {
        let text = Self.message("version: 1\ndestination:\n  region: in1\n account_id: 1\n")
        #expect(
            text.contains(
                "\"account_id\" starts in column 2, but the keys under \"destination\" (line 2) start in column 3: indent it to column 3 to keep it under \"destination\", or to column 1 to end \"destination\""
            ))
    }

    @Test func listItemInTheWrongColumn() {
        let text = Self.message("mappings:\n  - { from: a, to: b }\n   - { from: c, to: d }\n")
        #expect(
            text.contains(
                "this list item starts in column 4, but the list above it (line 2) puts its \"- \" in column 3: start every item of one list in the same column"
            ))
    }

    @Test func otherErrorsGetNoIndentationHint() {
        let text = Self.message("a: [1, 2\n")
        #expect(!text.contains(";"), "\(text)")
    }
}
