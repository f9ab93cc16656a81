import ArgumentParser
import Foundation
import Synchronization
import CTSyncPlan
import CTSyncReport
import CTSyncSpec
import CTSyncState
import CTSyncUpload
import CleverTapContract

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

        func run() async throws {
            let environment = ProcessInfo.processInfo.environment
            let files: [String]
            do {
                files = try JobLoader.expand(paths)
            } catch {
                Terminal.error("ctsync run: \(error)")
                throw ExitCode(64)
            }
            guard !files.isEmpty else {
                Terminal.error("ctsync run: no job files (*.yaml, *.yml) in \(paths.joined(separator: ", "))")
                throw ExitCode(64)
            }
            // Every job is checked before anything is sent.
            var specs: [(JobSpec, Endpoint)] = []
            for file in files {
                let spec = try JobCommand.loadValidSpec(file, environment: environment)
                specs.append((spec, try JobCommand.endpoint(for: spec, flag: state.endpoint, environment: environment)))
            }
            let names = specs.map(\.0.name.value)
            if let duplicate = names.first(where: { name in names.count { $0 == name } > 1 }) {
                Terminal.error("ctsync run: two jobs are named \"\(duplicate)\"; names key state and reports, so they must differ")
                throw ExitCode(2)
            }
            let location = try state.location(environment)
            let store: any StateStore
            let coordinator: any RunCoordinator
            do {
                store = try location.openForWriting()
                coordinator = try location.makeCoordinator(store: store)
            } catch {
                Terminal.error("ctsync run: \(error)")
                throw ExitCode(1)
            }
            let retryBase = environment["CTSYNC_RETRY_BASE_MS"].flatMap(Double.init).map { $0 / 1000 } ?? 0.5
            let client = UploadHTTPClient()
            let windows = AccountWindows(coordinator: coordinator)
            var budgets: [String: EventNameBudget] = [:]
            let interrupts = InterruptWatcher()
            // Coordination lost (the database is gone): the job running now stops sending.
            let running = CurrentRunner()
            coordinator.onLost { reason in running.runner?.stop(because: .state(reason)) }
            var worst: Int32 = 0
            for (spec, endpoint) in specs {
                if let reason = coordinator.lostReason {
                    Terminal.error("ctsync run: \(spec.name.value): not started: \(reason)")
                    worst = Run.combine(worst, 3)
                    continue
                }
                guard await takeLease(spec.name.value, coordinator: coordinator, interrupts: interrupts) else {
                    worst = Run.combine(worst, 3)
                    if interrupts.fired { break }
                    continue
                }
                let account = spec.destination.accountID.value
                let budget = budgets[account] ?? EventNameBudget()
                budgets[account] = budget
                let runner = JobRunner(
                    spec: spec, store: store, client: client, accountWindow: await windows.window(for: account),
                    settings: RunSettings(endpoint: endpoint, full: full, retryBase: retryBase), eventNames: budget)
                running.runner = runner
                if let reason = coordinator.lostReason { runner.stop(because: .state(reason)) }
                interrupts.onInterrupt { runner.stop() }
                let reporter = quiet ? nil : ProgressPrinter(progress: runner.progress)
                let reportTask = reporter.map { printer in Task { await printer.run() } }
                let result = await runner.run()
                running.runner = nil
                // Before the next job plans: fresh statistics after a big load.
                (store as? PostgresStateStore)?.analyzeIfGrown()
                await coordinator.releaseJob(spec.name.value)
                reportTask?.cancel()
                _ = await reportTask?.value
                reporter?.finish()
                let path = reportPath(for: result, jobCount: specs.count)
                var written: String? = path
                do {
                    try writeReport(result.json(revealPII: reportPII), to: path)
                } catch {
                    Terminal.error("ctsync run: cannot write the report to \(path): \(error)")
                    written = nil
                }
                Terminal.error(result.summary(reportPath: written))
                worst = Run.combine(worst, result.exitCode)
                if interrupts.fired { break }
            }
            await coordinator.close()
            await client.shutdown()
            (store as? PostgresStateStore)?.shutdown()
            if worst != 0 { throw ExitCode(worst) }
        }

        /// Takes the job's lease: false (after saying why) when another process runs
        /// the job and we do not wait, or the wait was interrupted.
        func takeLease(_ job: String, coordinator: any RunCoordinator, interrupts: InterruptWatcher) async -> Bool {
            let wait = waitForLock
            let attempt = Task {
                try await coordinator.acquireJob(job, wait: wait) { holder in
                    Terminal.error(
                        "ctsync run: \(job): another ctsync process is running it (\(holder?.description ?? "holder unknown")); waiting for it to finish (--wait-for-lock)"
                    )
                }
            }
            interrupts.onInterrupt { attempt.cancel() }
            do {
                try await attempt.value
                return true
            } catch CoordinationError.jobHeld(_, let holder) {
                Terminal.error(
                    "ctsync run: \(job): not run: another ctsync process is running it (\(holder?.description ?? "holder unknown")); pass --wait-for-lock to wait for it"
                )
            } catch CoordinationError.cancelled {
                Terminal.error("ctsync run: \(job): not run: interrupted while waiting for another process to finish it")
            } catch {
                Terminal.error("ctsync run: \(job): not run: \(error)")
            }
            return false
        }

        /// Aborted (3) outranks failed (1), which outranks success.
        static func combine(_ a: Int32, _ b: Int32) -> Int32 {
            if a == 3 || b == 3 { return 3 }
            return max(a, b)
        }

        func reportPath(for report: RunReport, jobCount: Int) -> String {
            let stamp = Run.fileStamp(report.startedAt)
            let name = "\(report.jobName)-\(stamp).json"
            guard let report = self.report else { return "reports/" + name }
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: report, isDirectory: &isDirectory)
            if jobCount > 1 || report.hasSuffix("/") || (exists && isDirectory.boolValue) {
                return (report.hasSuffix("/") ? String(report.dropLast()) : report) + "/" + name
            }
            return report
        }

        func writeReport(_ text: String, to path: String) throws {
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            }
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        }

        static func fileStamp(_ date: Date) -> String {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = "yyyyMMdd'T'HHmmss.SSS'Z'"
            return formatter.string(from: date)
        }
    }
}

/// The job being run, for the coordinator's loss handler.
final class CurrentRunner: Sendable {
    private let value = Mutex<JobRunner?>(nil)

    var runner: JobRunner? {
        get { value.withLock { $0 } }
        set { value.withLock { $0 = newValue } }
    }
}
