import ArgumentParser
import CTSyncReport
import CTSyncSession
import CTSyncSpec

extension CTSync {
    /// `ctsync schema`: prints the JSON Schemas that `schemas/` commits.
    struct Schema: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a JSON Schema (draft 2020-12).",
            discussion: """
                job describes job files; plan, report, lint and check describe the JSON that plan --format json, \
                run's report, lint --format json and check --format json print. schemas/ commits each one.

                Examples:
                  ctsync schema job > schemas/job.schema.json
                  ctsync schema report
                  ctsync schema check | jq '.properties.jobs'
                """)

        enum Kind: String, ExpressibleByArgument, CaseIterable {
            case job, plan, report, lint, check, status, history
        }

        @Argument(help: "Which schema: \(Kind.allCases.map(\.rawValue).joined(separator: ", ")).")
        var kind: Kind

        func run() async throws {
            switch kind {
            case .job: Terminal.output(JobSchema.document.serialized())
            case .plan: Terminal.output(OutputSchemas.plan.serialized())
            case .report: Terminal.output(OutputSchemas.report.serialized())
            case .lint: Terminal.output(OutputSchemas.lint.serialized())
            case .status: Terminal.output(OutputSchemas.status(version: StatusReport.formatVersion).serialized())
            case .history: Terminal.output(OutputSchemas.history(version: HistoryReport.formatVersion).serialized())
            case .check: Terminal.output(OutputSchemas.check.serialized())
            }
        }
    }
}
