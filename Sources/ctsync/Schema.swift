import ArgumentParser
import CTSyncReport
import CTSyncSession
import CTSyncSpec

extension CTSync {
    /// `ctsync schema`: prints the JSON Schemas that `schemas/` commits, or the job reference.
    struct Schema: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a JSON Schema (draft 2020-12), or the job file reference in Markdown.",
            discussion: """
                job describes job files; plan, report, lint and check describe the JSON that plan --format json, \
                run's report, lint --format json and check --format json print; rejects describes one line of the \
                file plan and run --rejects write. schemas/ commits each one.

                Examples:
                  ctsync schema job > schemas/job.schema.json
                  ctsync schema job --format markdown > docs/job-reference.md
                  ctsync schema report
                """)

        enum Kind: String, ExpressibleByArgument, CaseIterable {
            case job, plan, report, lint, check, status, history, rejects
        }

        enum Format: String, ExpressibleByArgument, CaseIterable {
            case json, markdown
        }

        @Argument(help: "Which schema: \(Kind.allCases.map(\.rawValue).joined(separator: ", ")).")
        var kind: Kind

        @Option(help: "json (the schema), or markdown (job only: docs/job-reference.md).")
        var format: Format = .json

        func validate() throws {
            if format == .markdown && kind != .job {
                throw ValidationError("--format markdown is only for the job schema (docs/job-reference.md)")
            }
        }

        func run() async throws {
            switch (kind, format) {
            case (.job, .markdown): Terminal.output(JobReference.markdown, newline: false)
            case (.job, _): Terminal.output(JobSchema.document.serialized())
            case (.plan, _): Terminal.output(OutputSchemas.plan.serialized())
            case (.report, _): Terminal.output(OutputSchemas.report.serialized())
            case (.lint, _): Terminal.output(OutputSchemas.lint.serialized())
            case (.status, _): Terminal.output(OutputSchemas.status(version: StatusReport.formatVersion).serialized())
            case (.history, _): Terminal.output(OutputSchemas.history(version: HistoryReport.formatVersion).serialized())
            case (.check, _): Terminal.output(OutputSchemas.check.serialized())
            case (.rejects, _): Terminal.output(OutputSchemas.rejects.serialized())
            }
        }
    }
}
