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
                Exit status: 0 success, 1 error or more invalid rows than the job's max_rejected (as run would \
                fail), 2 invalid job spec, 3 a guard of the job would trip (run would stop before sending; not with \
                --force or --no-guards), 64 usage. With --detailed-exitcode: 0 nothing to send, 2 changes to send, \
                1 error.

                With several jobs (files or directories), --format json prints one compact document per job, one \
                per line (JSON Lines). Up to --parallel jobs are planned at once (default 4); the output keeps job \
                order either way. With --records - the jobs are planned one after another, so that their records \
                stay in job order. With --job, only the jobs of those names are planned, and only they are validated.

                Examples:
                  ctsync plan jobs/crm-profiles.yaml --rejects invalid.jsonl
                  ctsync plan jobs/ --job order-events --format json --records planned.jsonl
                  ctsync plan jobs/crm-profiles.yaml --detailed-exitcode --state ci.sqlite
                """)

        @Argument(help: "Job files, or directories of *.yaml / *.yml job files.")
        var paths: [String]

        @Option(
            name: .customLong("job"),
            help: "Plan only the jobs of this name; a glob with * and ?. Repeatable. Other jobs are not validated.")
        var jobs: [String] = []

        @OptionGroup var state: StateOptions

        @Option(name: .long, help: "Output format: text or json (stdout).")
        var format: PlanFormat = .text

        @Option(
            name: .long,
            help: ArgumentHelp(
                "Write every planned record, one JSON object a line, in source order; - for stdout.",
                discussion: "With -, the plan summary goes to stderr; --format json cannot share stdout with it."))
        var records: String?

        @Flag(name: .long, help: "Ignore state: plan every valid row.")
        var full = false

        @Option(
            name: .long,
            help: ArgumentHelp(
                "Write every invalid row to this file, one JSON line each (every job's, with its name).",
                discussion: "Keys and values are redacted unless --show-pii; `ctsync schema rejects` describes a line.",
                valueName: "path"))
        var rejects: String?

        @OptionGroup var guards: GuardOptions

        @Flag(name: .long, help: "Exit 0 when there is nothing to send, 2 when there are changes.")
        var detailedExitcode = false

        @Flag(
            name: [.customLong("show-pii"), .customLong("report-pii")],
            help: "Show primary keys in rejection samples, and keys and values in the rejects file, instead of redacting them.")
        var showPII = false

        @Option(
            name: .long,
            help: ArgumentHelp(
                "How many jobs are planned at once (default \(JobPool.defaultParallel); 1 plans one after another).",
                valueName: "n"))
        var parallel = JobPool.defaultParallel

        enum PlanFormat: String, ExpressibleByArgument, CaseIterable {
            case text, json
        }

        func validate() throws {
            if let problem = JobPool.problem(parallel: parallel) { throw ValidationError(problem) }
            if records == "-" && format == .json {
                throw ValidationError("--records - writes records to stdout, where --format json would print the plan; write the records to a file")
            }
        }

        func run() async throws {
            let environment = ProcessInfo.processInfo.environment
            let location = try state.location(environment)
            let status = try await Terminal.reporting(command: "plan") { () async throws(SessionError) -> ExitStatus in
                let jobs = try JobSet.prepare(
                    paths: paths, environment: environment, endpointOverride: state.endpoint,
                    selection: JobSelection(self.jobs))
                if jobs.count > 1, let records, records != "-" {
                    throw .usage("--records \(records) names one file, but \(jobs.count) jobs were given; plan one job at a time, or use --records -")
                }
                let rejects = try RejectsFile.open(self.rejects, revealPII: showPII)
                let settings = Settings(
                    location: location, full: full, records: records, format: format, showPII: showPII,
                    detailed: detailedExitcode, compact: jobs.count > 1, rejects: rejects, guards: guards.policy)
                var status = ExitStatus.success
                // Each job's output is kept until the jobs before it are printed: job order, whatever
                // finishes first. Records on stdout are written as they are planned: one job at a time.
                await JobPool.run(count: jobs.count, limit: records == "-" ? 1 : parallel) { index in
                    await Self.plan(jobs[index], settings)
                } deliver: { _, output in
                    output.print()
                    status = status.combined(with: output.status)
                }
                do {
                    try rejects?.close()
                } catch {
                    Terminal.error("ctsync plan: \(error)")
                    status = status.combined(with: .failure)
                }
                return status
            }
            if status != .success { throw ExitCode(status.rawValue) }
        }

        /// What `plan` needs of its options to plan one job.
        struct Settings: Sendable {
            var location: StateLocation
            var full: Bool
            var records: String?
            var format: PlanFormat
            var showPII: Bool
            var detailed: Bool
            /// Several jobs: JSON Lines.
            var compact: Bool
            /// `--rejects`: shared by the jobs planned at once.
            var rejects: RejectsFile?
            var guards: GuardPolicy
        }

        /// One job's plan as printed, held until the jobs before it are printed.
        struct Output: Sendable {
            var stdout = ""
            var stderr = ""
            var status = ExitStatus.success

            func print() {
                if !stderr.isEmpty { Terminal.error(stderr, newline: false) }
                if !stdout.isEmpty { Terminal.output(stdout, newline: false) }
            }
        }

        /// Plans one job; what it prints and its exit status.
        private static func plan(_ job: PreparedJob, _ settings: Settings) async -> Output {
            var output = Output()
            var session = PlanSession(job: job, state: settings.location)
            session.full = settings.full
            session.rejects = settings.rejects
            session.guards = settings.guards
            let writer: LineWriter?
            do {
                writer = try settings.records.map { try $0 == "-" ? LineWriter.standardOutput() : LineWriter(path: $0) }
            } catch {
                output.stderr = "ctsync plan: \(error)\n"
                output.status = .failure
                return output
            }
            let summary: PlanSummary
            do {
                summary = try await session.run { chunk in
                    guard let writer else { return }
                    for record in chunk.records { try writer.writeLine(record.json) }
                }
                try writer?.close()
            } catch {
                output.stderr = "ctsync plan: \(job.spec.file): \(error)\n"
                output.status = .failure
                return output
            }
            let spec = job.spec
            let written = settings.rejects.map { RejectsFileSummary(file: $0.path, lines: summary.counts.invalid) }
            switch settings.format {
            case .text:
                let text = PlanRenderer.text(summary, spec: spec, revealPII: settings.showPII, rejects: written)
                // Records on stdout: the summary for people goes to stderr.
                if settings.records == "-" { output.stderr = text } else { output.stdout = text }
            case .json:
                let document = PlanDocument(summary, spec: spec, revealPII: settings.showPII, rejects: written)
                output.stdout = settings.compact ? JSONValue.line(document) : JSONValue.document(document)
            }
            output.status = session.exitStatus(of: summary, detailed: settings.detailed)
            return output
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

    /// The state location, after printing what puts its data at risk (a state file other
    /// users can read, a PostgreSQL server reached without certificate checks).
    func location(_ environment: [String: String]) throws -> StateLocation {
        let location: StateLocation
        if let text = state ?? environment["CTSYNC_STATE"] {
            do {
                location = try StateLocation(parsing: text, environment: environment)
            } catch {
                Terminal.error("ctsync: \(error)")
                throw ExitCode(64)
            }
        } else {
            location = .defaultLocation
        }
        for warning in location.warnings() { Terminal.error("ctsync: warning: \(warning)") }
        return location
    }
}

/// `--force` and `--no-guards`, for `plan` and `run`.
struct GuardOptions: ParsableArguments {
    @Flag(
        name: .long,
        help: "Send even when one of a job's guards trips; the report (or plan) still shows it. plan exits 0 instead of 3.")
    var force = false

    @Flag(name: .customLong("no-guards"), help: "Do not evaluate the jobs' guards: they plan and send as jobs without guards.")
    var noGuards = false

    func validate() throws {
        if force && noGuards {
            throw ValidationError(
                "--force and --no-guards exclude each other: --force evaluates the guards and sends anyway, --no-guards does not evaluate them")
        }
    }

    var policy: GuardPolicy { force ? .force : noGuards ? .skip : .enforce }
}
