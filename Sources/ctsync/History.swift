import ArgumentParser
import CTSyncSession
import Foundation

extension CTSync {
    /// `ctsync history JOB`: a job's recorded runs.
    struct History: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List a job's recorded runs, newest first.",
            discussion: """
                Reads state only. Each run: status (interrupted: started, never finished), when, how long, \
                counts, destination and report. Exit status: 0, 1 when state cannot be read or holds no such job, 64 usage.

                Examples:
                  ctsync history crm-profiles
                  ctsync history jobs/crm-profiles.yaml --limit 5
                  ctsync history crm-profiles --format json | jq '.runs[] | select(.status != "succeeded")'
                """)

        @Argument(help: "The job's name, or its job file.")
        var job: String

        @Option(name: .long, help: "At most this many runs (default 20).")
        var limit: Int = 20

        @OptionGroup var state: StateLocationOptions

        @Option(name: .long, help: "Output format: text or json (stdout; schema: ctsync schema history).")
        var format: OutputFormat = .text

        func validate() throws {
            guard limit > 0 else { throw ValidationError("--limit must be at least 1") }
        }

        func run() async throws {
            let environment = ProcessInfo.processInfo.environment
            let location = try state.location(environment)
            let (job, limit) = (self.job, self.limit)
            let status = try await Terminal.reporting(command: "history") { () async throws(SessionError) -> ExitStatus in
                let report = try await StatusSession.history(
                    location: location, job: job, limit: limit, environment: environment)
                switch format {
                case .json: Terminal.output(report.json(), newline: false)
                case .text: Terminal.output(Self.text(report), newline: false)
                }
                return .success
            }
            if status != .success { throw ExitCode(status.rawValue) }
        }

        static func text(_ report: HistoryReport) -> String {
            var out = "\(report.job): \(report.runs.count) run\(report.runs.count == 1 ? "" : "s") (newest first)"
            if let lease = report.lease { out += "; running now (\(lease))" }
            out += "\n"
            for summary in report.runs {
                out += "  \(StatusText.run(summary))\n"
                out += "    to \(StatusText.destination(summary.record.job.destination)); run \(summary.record.id)"
                if let full = summary.record.fullSync { out += "; full resync (\(StatusText.fullSync(full)))" }
                if let report = summary.record.reportPath { out += "; report \(report)" }
                out += "\n"
            }
            return out
        }
    }
}
