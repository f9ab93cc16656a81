import CTSyncSupport

/// The rule registry as `ctsync rules` prints it: for people, for scripts (versioned
/// JSON) and for the README (a markdown table a test keeps equal to the registry).
public enum RuleCatalog {
    /// Version of the JSON document; bumped only on incompatible change.
    public static let jsonFormatVersion = 1

    public enum Format: String, Sendable, CaseIterable {
        case text, json, markdown
    }

    /// The JSON document: every rule in registry order.
    public struct Document: Codable, Sendable, Equatable {
        public var formatVersion: Int
        public var rules: [Entry]

        enum CodingKeys: String, CodingKey {
            case formatVersion = "format_version"
            case rules
        }
    }

    /// One rule in the JSON document.
    public struct Entry: Codable, Sendable, Equatable {
        public var id: String
        public var severity: Severity
        public var category: LintRule.Category
        public var canDisable: Bool
        public var description: String

        enum CodingKeys: String, CodingKey {
            case id, severity, category, description
            case canDisable = "can_disable"
        }

        public init(_ rule: LintRule) {
            id = rule.id
            severity = rule.severity
            category = rule.category
            canDisable = rule.canBeDisabled
            description = rule.summary
        }
    }

    public static var document: Document {
        Document(formatVersion: jsonFormatVersion, rules: LintRule.allCases.map(Entry.init))
    }

    public static func render(_ format: Format) -> String {
        switch format {
        case .text: text()
        case .json: json()
        case .markdown: markdown()
        }
    }

    /// Aligned columns: id, severity, whether `--disable` takes it, what it finds.
    public static func text() -> String {
        let width = LintRule.allCases.map(\.id.count).max() ?? 0
        var out = "RULE".padded(width) + "  SEVERITY  DISABLE  FINDS\n"
        for rule in LintRule.allCases {
            out += rule.id.padded(width) + "  " + rule.severity.rawValue.padded(8) + "  "
                + (rule.canBeDisabled ? "yes" : "no").padded(7) + "  " + rule.summary + "\n"
        }
        return out
    }

    /// Sorted keys, in the canonical form of ctsync's other JSON documents.
    public static func json() -> String {
        JSONValue.document(document)
    }

    /// The README's table.
    public static func markdown() -> String {
        var out = "| rule | severity | category | `--disable` | finds |\n|---|---|---|---|---|\n"
        for rule in LintRule.allCases {
            let cells = [
                "`\(rule.id)`", rule.severity.rawValue, rule.category.rawValue, rule.canBeDisabled ? "yes" : "no",
                rule.summary.replacing("|", with: "\\|"),
            ]
            out += "| " + cells.joined(separator: " | ") + " |\n"
        }
        return out
    }
}

extension String {
    fileprivate func padded(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
