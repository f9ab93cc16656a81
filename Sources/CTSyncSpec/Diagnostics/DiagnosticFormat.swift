import CTSyncYAML
import CTSyncSupport

/// Output formats for findings, chosen by name on the command line.
public enum DiagnosticFormat: String, Sendable, CaseIterable {
    case text, json, github
}

/// Renders findings; stateless, one function per format. The CLI decides where the text goes.
public enum DiagnosticRenderer {
    /// Version of the JSON document; bumped only on incompatible change.
    public static let jsonFormatVersion = 1

    /// Compiler-style text: `file:line:col: severity: message [rule]`, the source line and a caret.
    public static func text(
        _ diagnostics: [Diagnostic], sources: [String: CTSyncYAML.SourceText], filesChecked: Int, color: Bool = false
    ) -> String {
        var out = ""
        for d in diagnostics {
            let severity = color ? (d.severity == .error ? "\u{1B}[1;31merror\u{1B}[0m" : "\u{1B}[1;33mwarning\u{1B}[0m") : d.severity.rawValue
            out += "\(d.mark): \(severity): \(d.message) [\(d.rule.id)]\n"
            if let source = sources[d.mark.file], source.line(d.mark.line) != nil {
                out += source.excerpt(line: d.mark.line, column: d.mark.column)
                if !out.hasSuffix("\n") { out += "\n" }
            }
        }
        out += summary(diagnostics, filesChecked: filesChecked) + "\n"
        return out
    }

    /// One line: how many errors and warnings in how many files.
    public static func summary(_ diagnostics: [Diagnostic], filesChecked: Int) -> String {
        let errors = diagnostics.count { $0.severity == .error }
        let warnings = diagnostics.count { $0.severity == .warning }
        let files = "\(filesChecked) \(filesChecked == 1 ? "file" : "files")"
        if errors == 0 && warnings == 0 { return "\(files) checked: no problems found" }
        return "\(files) checked: \(plural(errors, "error")), \(plural(warnings, "warning"))"
    }

    /// The versioned JSON document (sorted keys, findings in file/line order).
    public static func json(_ diagnostics: [Diagnostic], filesChecked: Int) -> String {
        JSONValue.document(LintDocument(diagnostics, filesChecked: filesChecked))
    }

    /// GitHub Actions workflow commands: `::error file=F,line=L,col=C::message`.
    public static func github(_ diagnostics: [Diagnostic]) -> String {
        var out = ""
        for d in diagnostics {
            let command = d.severity == .error ? "error" : "warning"
            out += "::\(command) file=\(escapeProperty(d.mark.file)),line=\(d.mark.line),col=\(d.mark.column),title=\(escapeProperty(d.rule.id))::\(escapeData(d.message + " [\(d.rule.id)]"))\n"
        }
        return out
    }

    static func escapeData(_ s: String) -> String {
        s.replacing("%", with: "%25").replacing("\r", with: "%0D").replacing("\n", with: "%0A")
    }

    static func escapeProperty(_ s: String) -> String {
        escapeData(s).replacing(":", with: "%3A").replacing(",", with: "%2C")
    }

    static func plural(_ n: Int, _ word: String) -> String {
        "\(n) \(word)\(n == 1 ? "" : "s")"
    }
}
