/// `ctsync lint --format json`: the versioned contract described by
/// `schemas/lint.schema.json`. Findings in file, line, column order.
public struct LintDocument: Codable, Sendable, Equatable {
    public var formatVersion: Int
    public var filesChecked: Int
    public var errors: Int
    public var warnings: Int
    public var findings: [Finding]

    public struct Finding: Codable, Sendable, Equatable {
        public var file: String
        public var line: Int
        public var column: Int
        public var severity: Severity
        /// The stable rule id (`ctsync rules` lists them).
        public var rule: String
        public var message: String
    }

    enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version"
        case filesChecked = "files_checked"
        case errors, warnings, findings
    }

    public init(_ diagnostics: [Diagnostic], filesChecked: Int) {
        formatVersion = DiagnosticRenderer.jsonFormatVersion
        self.filesChecked = filesChecked
        errors = diagnostics.count { $0.severity == .error }
        warnings = diagnostics.count { $0.severity == .warning }
        findings = diagnostics.map { d in
            Finding(
                file: d.mark.file, line: d.mark.line, column: d.mark.column, severity: d.severity, rule: d.rule.id,
                message: d.message)
        }
    }
}
