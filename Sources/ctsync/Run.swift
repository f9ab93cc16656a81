import ArgumentParser
import CTSyncSession
import CTSyncState
import Foundation

extension CTSync {
    /// `ctsync run`: send the plan, record state, write the run report.
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send new and changed rows to CleverTap, record state and write a JSON run report.",
            discussion: """
                Exit status: 0 succeeded (rejections within max_rejected), 1 more rejected rows than max_rejected \
                or failed records, 2 invalid job spec, 3 aborted (credentials, region, source command, interrupt, \
                job already running elsewhere, state database lost), 64 usage.

                Processes sharing a state coordinate: a job runs in one process at a time, and all of them together \
                keep at most 15 requests in flight per account (lock files beside a SQLite state, lease rows in \
                PostgreSQL).
                """)

        @Argument(help: "Job files, or directories of *.yaml / *.yml job files.")
        var paths: [String]

        @OptionGroup var state: StateOptions

        @Option(name: .long, help: "Report file (one job) or directory (default reports/<job>-<UTC time>.json).")
        var report: String?

        @Flag(name: .long, help: "Ignore state: send every valid row.")
        var full = false

        @Flag(name: .long, help: "No progress output; only the final summary.")
        var quiet = false

        @Flag(name: .customLong("report-pii"), help: "Keep primary keys in report samples instead of redacting them.")
        var reportPII = false

        @Flag(
            name: .customLong("wait-for-lock"),
            help: "When another process is running a job, wait for it to finish instead of skipping the job (exit 3).")
        var waitForLock = false

        @Flag(name: .customLong("dry-run"), help: .hidden)
        var dryRun = false

        func validate() throws {
            if dryRun {
                throw ValidationError(
                    "run has no --dry-run: `ctsync plan` reads the source and state and shows what a run would send, without sending or writing anything")
            }
        }

        func run() async throws {
            let environment = ProcessInfo.processInfo.environment
            var options = RunOptions(state: try state.location(environment))
            options.full = full
            options.revealPII = reportPII
            options.waitForLock = waitForLock
            options.report = report
            options.apply(environment: environment)
            options.version = CTSync.configuration.version
            let status = try await Terminal.reporting(command: "run") { () async throws(SessionError) -> ExitStatus in
                let jobs = try JobSet.prepare(paths: paths, environment: environment, endpointOverride: state.endpoint)
                let session = RunSession(jobs: jobs, options: options)
                let interrupts = InterruptWatcher { session.interrupt() }
                defer { interrupts.stop() }
                let progress = ProgressDisplay(enabled: !quiet)
                return try await session.run { event in progress.show(event) }
            }
            if status != .success { throw ExitCode(status.rawValue) }
        }
    }
}
