import ArgumentParser
import Foundation
import CTSyncSpec

extension CTSync {
    /// `ctsync lint`: the CI gate. Offline; reads job files only.
    struct Lint: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check job files without reading sources or sending anything.",
            discussion: "Exit status: 0 clean (warnings allowed unless --strict), 1 errors, 64 usage (including an unknown rule, or one that cannot be disabled, after --disable).")

        @Option(name: .long, help: "Output format: text (stderr), json or github (stdout).")
        var format: DiagnosticFormat = .text

        @Flag(name: .long, help: "Treat warnings as errors.")
        var strict = false

        @Option(
            name: .long,
            help: ArgumentHelp(
                "Drop the findings of a rule (repeatable); only warnings can be disabled (ctsync rules lists them).",
                valueName: "rule"))
        var disable: [String] = []

        @Argument(help: "Job files, or directories of *.yaml / *.yml job files.")
        var paths: [String]

        func run() async throws {
            let disabled: Set<LintRule>
            do {
                disabled = try LintRule.disabling(disable)
            } catch {
                Terminal.error("ctsync lint: --disable: \(error)")
                throw ExitCode(64)
            }
            let files: [String]
            do {
                files = try JobLoader.expand(paths)
            } catch {
                Terminal.error("ctsync lint: \(error)")
                throw ExitCode(64)
            }
            if files.isEmpty {
                Terminal.error("ctsync lint: no job files (*.yaml, *.yml) in \(paths.joined(separator: ", "))")
                throw ExitCode(64)
            }
            let result = Linter(environment: ProcessInfo.processInfo.environment, disabled: disabled).lint(files: files)
            switch format {
            case .text:
                Terminal.error(
                    DiagnosticRenderer.text(
                        result.diagnostics, sources: result.sources, filesChecked: files.count,
                        color: Terminal.stderrIsTerminal),
                    newline: false)
            case .json:
                Terminal.output(DiagnosticRenderer.json(result.diagnostics, filesChecked: files.count), newline: false)
            case .github:
                Terminal.output(DiagnosticRenderer.github(result.diagnostics), newline: false)
                Terminal.error(DiagnosticRenderer.summary(result.diagnostics, filesChecked: files.count))
            }
            if result.errorCount > 0 || (strict && result.warningCount > 0) {
                throw ExitCode(1)
            }
        }
    }
}
