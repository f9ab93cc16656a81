import ArgumentParser
import CTSyncSession
import CTSyncReport
import Foundation
import CTSyncPlan
import CTSyncSpec
import CTSyncState
import CTSyncSupport
import CleverTapContract

extension CTSync {
    /// `ctsync plan`: what a run would send, without sending or writing anything.
    struct Plan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read the source and state and show what a run would send. Sends nothing, writes no state.",
            discussion: """
                Plans one job: a job file, or a directory (several paths) narrowed to one job with --job. Only \
                that job is validated.

                Exit status: 0 success, 1 error, 2 invalid job spec, 64 usage.
                With --detailed-exitcode: 0 nothing to send, 2 changes to send, 1 error.

                Examples:
                  ctsync plan jobs/crm-profiles.yaml
                  ctsync plan jobs/ --job order-events --format json --records planned.jsonl
                  ctsync plan jobs/crm-profiles.yaml --detailed-exitcode --state ci.sqlite
                """)

        @Argument(help: "The job file, or files and directories with --job picking one job out of them.")
        var paths: [String]

        @Option(
            name: .customLong("job"),
            help: "The job of this name among the paths; a glob with * and ? (it must match one job). Repeatable.")
        var jobs: [String] = []

        @OptionGroup var state: StateOptions

        @Option(name: .long, help: "Output format: text or json (stdout).")
        var format: PlanFormat = .text

        @Option(name: .long, help: "Write every planned record, one JSON object a line, in source order.")
        var records: String?

        @Flag(name: .long, help: "Ignore state: plan every valid row.")
        var full = false

        @Flag(name: .long, help: "Exit 0 when there is nothing to send, 2 when there are changes.")
        var detailedExitcode = false

        @Flag(name: .customLong("show-pii"), help: "Show primary keys in rejection samples instead of redacting them.")
        var showPII = false

        enum PlanFormat: String, ExpressibleByArgument, CaseIterable {
            case text, json
        }

        func run() async throws {
            let environment = ProcessInfo.processInfo.environment
            let location = try state.location(environment)
            let status = try await Terminal.reporting(command: "plan") { () async throws(SessionError) -> ExitStatus in
                let job = try JobSet.prepareOne(
                    paths: paths, environment: environment, endpointOverride: state.endpoint,
                    selection: JobSelection(jobs))
                var session = PlanSession(job: job, state: location)
                session.full = full
                let writer: LineWriter?
                do {
                    writer = try records.map { try LineWriter(path: $0) }
                } catch {
                    Terminal.error("ctsync plan: \(error)")
                    return .failure
                }
                let summary: PlanSummary
                do {
                    summary = try await session.run { chunk in
                        guard let writer else { return }
                        for record in chunk.records { try writer.writeLine(record.json) }
                    }
                    try writer?.close()
                } catch {
                    Terminal.error("ctsync plan: \(session.job.spec.file): \(error)")
                    return .failure
                }
                let spec = session.job.spec
                switch format {
                case .text: Terminal.output(PlanRenderer.text(summary, spec: spec, revealPII: showPII), newline: false)
                case .json: Terminal.output(PlanRenderer.json(summary, spec: spec, revealPII: showPII), newline: false)
                }
                return detailedExitcode && summary.counts.planned > 0 ? .changesPlanned : .success
            }
            if status != .success { throw ExitCode(status.rawValue) }
        }
    }
}

/// Options shared by commands that read or write state.
struct StateOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "State location: a path, sqlite:PATH or postgres://USER@HOST:PORT/DATABASE (default .ctsync/state.sqlite, or $CTSYNC_STATE).",
            discussion: "A PostgreSQL password comes from $CTSYNC_STATE_PASSWORD or $PGPASSWORD, never from the URL."))
    var state: String?

    @Option(name: .long, help: "Upload base URL override; may contain {region} (or $CTSYNC_ENDPOINT).")
    var endpoint: String?

    func location(_ environment: [String: String]) throws -> StateLocation {
        guard let text = state ?? environment["CTSYNC_STATE"] else { return .defaultLocation }
        do {
            return try StateLocation(parsing: text, environment: environment)
        } catch {
            Terminal.error("ctsync: \(error)")
            throw ExitCode(64)
        }
    }
}
