import CTSyncYAML

/// How serious a finding is. Errors fail `lint`; warnings fail it only with `--strict`.
public enum Severity: String, Sendable, Hashable, Comparable, Codable {
    case warning
    case error

    public static func < (lhs: Severity, rhs: Severity) -> Bool {
        lhs == .warning && rhs == .error
    }
}

/// One finding about a job file, with the place it points at and the rule that found it.
public struct Diagnostic: Sendable, Hashable {
    public var severity: Severity
    /// The rule that produced the finding; its id (`unknown-key`) is what output shows.
    public var rule: LintRule
    public var message: String
    public var mark: Mark

    /// A finding with the rule's own severity, unless `severity` overrides it (an unset
    /// variable is a warning for `lint` and an error for `plan` and `run`).
    public init(_ rule: LintRule, _ message: String, _ mark: Mark, severity: Severity? = nil) {
        self.severity = severity ?? rule.severity
        self.rule = rule
        self.message = message
        self.mark = mark
    }
}

extension Diagnostic {
    /// Orders findings by file, then line, then column, then rule id, so output is stable.
    public static func sorted(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
        diagnostics.sorted { a, b in
            if a.mark != b.mark { return a.mark < b.mark }
            if a.rule != b.rule { return a.rule.id < b.rule.id }
            return a.message < b.message
        }
    }

    /// Converts a loader error into a finding with the rule `yaml-<kind>`.
    public init(_ error: YAMLError) {
        self.init(LintRule(error.kind), error.message, error.mark)
    }
}
