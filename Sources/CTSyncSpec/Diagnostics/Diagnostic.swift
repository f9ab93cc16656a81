import CTSyncYAML

/// How serious a finding is. Errors fail `lint`; warnings fail it only with `--strict`.
public enum Severity: String, Sendable, Hashable, Comparable, Codable {
    case warning
    case error

    public static func < (lhs: Severity, rhs: Severity) -> Bool {
        lhs == .warning && rhs == .error
    }
}

/// One finding about a job file, with the place it points at and a stable rule id.
public struct Diagnostic: Sendable, Hashable {
    public var severity: Severity
    /// Stable identifier of the rule that produced the finding, e.g. `unknown-key`.
    public var rule: String
    public var message: String
    public var mark: Mark

    public init(_ severity: Severity, _ rule: String, _ message: String, at mark: Mark) {
        self.severity = severity
        self.rule = rule
        self.message = message
        self.mark = mark
    }

    public static func error(_ rule: String, _ message: String, _ mark: Mark) -> Diagnostic {
        Diagnostic(.error, rule, message, at: mark)
    }

    public static func warning(_ rule: String, _ message: String, _ mark: Mark) -> Diagnostic {
        Diagnostic(.warning, rule, message, at: mark)
    }
}

extension Diagnostic {
    /// Orders findings by file, then line, then column, then rule, so output is stable.
    public static func sorted(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
        diagnostics.sorted { a, b in
            if a.mark != b.mark { return a.mark < b.mark }
            if a.rule != b.rule { return a.rule < b.rule }
            return a.message < b.message
        }
    }

    /// Converts a loader error into a finding with the rule `yaml-<kind>`.
    public init(_ error: YAMLError) {
        self.init(.error, "yaml-\(error.kind.rawValue)", error.message, at: error.mark)
    }
}
