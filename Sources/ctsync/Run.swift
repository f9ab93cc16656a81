import ArgumentParser
import CTSyncSession
import CTSyncSpec
import CTSyncState
import Foundation

extension CTSync {
    /// `ctsync run`: send the plan, record state, write the run report.
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send new and changed rows to CleverTap, record state and write a JSON run report.",
            discussion: """
                Exit status: 0 succeeded (rejections within max_rejected), 1 more rejected rows than max_rejected \
                or failed records, 2 invalid job spec, 3 aborted (credentials, region, endpoint unreachable or its \
                certificate not trusted, source command, interrupt, job already running elsewhere, state database \
                lost, a tripped guard), 64 usage. Interrupt (Ctrl-C) once to stop after the requests in flight, twice to stop at \
                once, cancelling them; both write the report and exit 3. A third interrupt quits without the report \
                (130).

                A batch answered 429 (the account's 15 requests in flight are taken) is retried until \
                options.retry_timeout (default 10m) runs out; 5xx, timeouts and dropped connections also use up \
                options.max_attempts. HTTPS goes through the proxy in HTTPS_PROXY/https_proxy except to hosts in \
                NO_PROXY/no_proxy; CA certificates in --ca-file or SSL_CERT_FILE are trusted besides the system's.

                A job with guards: (min_source_rows, max_source_drop, max_changed, max_invalid) plans completely \
                before it sends; a tripped guard stops it before any request (exit 3) unless --force. --rejects writes \
                every refused row, one JSON line each, to one file for all jobs.

                Processes sharing a state coordinate: a job runs in one process at a time, and all of them together \
                keep at most 15 requests in flight per account (lock files beside a SQLite state, lease rows in \
                PostgreSQL).

                Up to --parallel jobs run at once (default 4; 1 runs them one after another). Each keeps its own \
                lease, report and exit status (the most serious one is the command's); the jobs of one account \
                share its 15 request slots fairly. An interrupt stops every running job, and each writes its report.

                With --job, only the jobs of those names run, and only they are validated: a broken job file \
                elsewhere in the directory does not stop them.

                Examples:
                  ctsync run jobs/ --job 'crm-*' --report reports/ --parallel 8
                  ctsync run jobs/ --state postgres://ctsync@db:5432/ctsync --wait-for-lock
                  ctsync run jobs/crm-profiles.yaml --rejects rejects/crm.jsonl --force
                """)

        @Argument(help: "Job files, or directories of *.yaml / *.yml job files.")
        var paths: [String]

        @Option(
            name: .customLong("job"),
            help: "Run only the jobs of this name; a glob with * and ?. Repeatable. Other jobs are not validated.")
        var jobs: [String] = []

        @OptionGroup var state: StateOptions

        @Option(name: .long, help: "Report file (one job) or directory (default reports/<job>-<UTC time>.json).")
        var report: String?

        @Flag(name: .long, help: "Ignore state: send every valid row.")
        var full = false

        @Option(
            name: .long,
            help: ArgumentHelp(
                "How many jobs run at once (default \(JobPool.defaultParallel); 1 runs them one after another).",
                valueName: "n"))
        var parallel = JobPool.defaultParallel

        @Option(
            name: .long,
            help: ArgumentHelp(
                "Write every invalid, rejected or failed row to this file, one JSON line each (every job's, with its name).",
                discussion: "Keys and values are redacted unless --report-pii; `ctsync schema rejects` describes a line.",
                valueName: "path"))
        var rejects: String?

        @OptionGroup var guards: GuardOptions

        @Flag(name: .long, help: "No progress output; only the final summary.")
        var quiet = false

        @Flag(
            name: .customLong("report-pii"),
            help: "Keep primary keys in report samples, and keys and values in the rejects file, instead of redacting them.")
        var reportPII = false

        @Option(
            name: .customLong("retry-timeout"),
            help: ArgumentHelp(
                "How long a batch keeps retrying 429s and server errors (e.g. 90s, 10m); replaces options.retry_timeout.",
                valueName: "duration"))
        var retryTimeout: String?

        @Option(
            name: .customLong("ca-file"),
            help: ArgumentHelp(
                "PEM file of CA certificates to trust besides the system's (as SSL_CERT_FILE does).", valueName: "path"))
        var caFile: String?

        @Flag(
            name: .customLong("wait-for-lock"),
            help: "When another process is running a job, wait for it to finish instead of skipping the job (exit 3).")
        var waitForLock = false

        @Flag(name: .customLong("dry-run"), help: .hidden)
        var dryRun = false

        func validate() throws {
            if let problem = JobPool.problem(parallel: parallel) { throw ValidationError(problem) }
            if dryRun {
                throw ValidationError(
                    "run has no --dry-run: `ctsync plan` reads the source and state and shows what a run would send, without sending or writing anything")
            }
            if let retryTimeout {
                guard let seconds = DurationText.parseSeconds(retryTimeout),
                    CTSyncSpec.Options.retryTimeoutRange.contains(seconds)
                else {
                    throw ValidationError(
                        "--retry-timeout must be a duration between 1s and 24h such as 90s or 10m, found \"\(retryTimeout)\"")
                }
            }
        }

        func run() async throws {
            let environment = ProcessInfo.processInfo.environment
            var options = RunOptions(state: try state.location(environment))
            options.full = full
            options.revealPII = reportPII
            options.waitForLock = waitForLock
            options.parallel = parallel
            options.report = report
            options.rejects = rejects
            options.guards = guards.policy
            options.retryTimeout = retryTimeout.flatMap(DurationText.parseSeconds)
            options.caFile = caFile
            options.apply(environment: environment)
            options.version = CTSync.configuration.version
            let status = try await Terminal.reporting(command: "run") { () async throws(SessionError) -> ExitStatus in
                let jobs = try JobSet.prepare(
                    paths: paths, environment: environment, endpointOverride: state.endpoint,
                    selection: JobSelection(self.jobs))
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
