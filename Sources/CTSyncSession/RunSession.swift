import CTSyncPlan
import CTSyncReport
import CTSyncState
import CTSyncUpload
import Foundation
import Synchronization

/// One `ctsync run`: opens the state and its coordinator, then runs the prepared jobs,
/// up to `options.parallel` at once (started in job order), each under its lease,
/// through the request window of its account (whose 15 slots the jobs of the account
/// share fairly), writes each job's report and combines their exit statuses.
/// Interrupts and a lost state database stop every running job gracefully (each
/// writes its report; a second interrupt stops them at once); jobs not started yet do not start.
public final class RunSession: Sendable {
    public let jobs: [PreparedJob]
    private let options: RunOptions
    private let interrupts = Atomic<Int>(0)
    /// What an interrupt must stop now, by job index: each running job, or its wait for a lease.
    private let running = Mutex<[Int: Stoppable]>([:])

    private enum Stoppable {
        case runner(JobRunner)
        case leaseWait(Task<Void, any Error>)
    }

    /// What the jobs of one session share: the state, its coordinator, the HTTP
    /// client, the accounts' request windows and the rejects file.
    private struct Shared: Sendable {
        let store: any StateStore
        let coordinator: any RunCoordinator
        let client: UploadHTTPClient
        let windows: AccountWindows
        let rejects: RejectsFile?
    }

    public init(jobs: [PreparedJob], options: RunOptions) {
        self.jobs = jobs.map { $0.withholdingSecrets(of: options.state) }
        self.options = options
    }

    /// Stops the session (SIGINT, SIGTERM), more urgently at each call; no further job starts.
    ///
    /// The first: every running job stops sending, waits for its requests in flight and
    /// records them. The second: they stop at once, cancelling its requests in flight
    /// (`JobRunner.stopNow`); its report (`aborted`) and its end in state are still
    /// written. The caller may quit without them once `forcedStopDeadline` has passed, or
    /// at a third interrupt.
    @discardableResult
    public func interrupt() -> InterruptResponse {
        let count = interrupts.add(1, ordering: .relaxed).newValue
        switch count {
        case 1:
            stopRunning()
            return .stopping
        case 2:
            stopRunning()
            return .stoppingNow(deadline: Self.forcedStopDeadline)
        default:
            return .quitNow
        }
    }

    /// How long a session stopping at once (second interrupt) may take to write its
    /// report and record its end before its caller quits without them.
    public static let forcedStopDeadline: Duration = .seconds(5)

    public var isInterrupted: Bool { interrupts.load(ordering: .relaxed) > 0 }
    private var mustStopNow: Bool { interrupts.load(ordering: .relaxed) > 1 }

    /// Runs every job; `observe` hears of each step, from the task of the job concerned
    /// (jobs running at once call it concurrently).
    public func run(_ observe: @escaping @Sendable (RunEvent) -> Void) async throws(SessionError) -> ExitStatus {
        if jobs.count > 1, let report = options.report, !ReportFile.isDirectory(report) {
            throw .usage(
                "--report \(report) names one file, but \(jobs.count) jobs run; pass a directory (ending in /) for one report per job")
        }
        if let problem = JobPool.problem(parallel: options.parallel) { throw .usage(problem) }
        let rejects = try RejectsFile.open(options.rejects, revealPII: options.revealPII)
        let transport = try options.transport()
        let client: UploadHTTPClient
        do {
            client = try UploadHTTPClient(settings: transport)
        } catch {
            throw .usage(error.message)
        }
        let store: any StateStore
        let coordinator: any RunCoordinator
        do {
            (store, coordinator) = try options.state.openForRun()
        } catch {
            await client.shutdown()
            try? rejects?.close()
            throw .state(error)
        }
        let shared = Shared(
            store: store, coordinator: coordinator, client: client, windows: AccountWindows(coordinator: coordinator),
            rejects: rejects)
        // Coordination lost (the database is gone): every running job stops sending.
        coordinator.onLost { [weak self] reason in
            self?.stopRunners(because: .state(reason))
        }
        var status = ExitStatus.success
        await JobPool.run(count: jobs.count, limit: options.parallel, shouldStart: { !isInterrupted }) { index in
            await self.runJob(index, shared: shared, observe: observe)
        } deliver: { _, jobStatus in
            status = status.combined(with: jobStatus)
        }
        await coordinator.close()
        await client.shutdown()
        store.shutdown()
        do {
            try rejects?.close()
        } catch {
            // Each job stopped at the first failed write and says so; this is the final flush.
            observe(.warning(job: "rejects", message: "\(error); some refused rows may be missing from it"))
            status = status.combined(with: .failure)
        }
        return status
    }

    /// Runs the job at `index` under its lease and writes its report; its exit status.
    private func runJob(
        _ index: Int, shared: Shared, observe: @Sendable (RunEvent) -> Void
    ) async -> ExitStatus {
        let job = jobs[index]
        let (store, coordinator) = (shared.store, shared.coordinator)
        if let reason = coordinator.lostReason {
            observe(.notRun(job: job.name, reason: reason))
            return .aborted
        }
        if let reason = await takeLease(index, coordinator: coordinator, observe: observe) {
            observe(.notRun(job: job.name, reason: reason))
            return .aborted
        }
        // Before anything is recorded: what state holds for the job at its destination,
        // adopting state an earlier ctsync wrote without destinations when it matches.
        let planner = Planner(spec: job.spec, state: store, endpoint: job.endpoint, full: options.full)
        let baseline: StateBaseline
        do {
            baseline = try planner.baseline()
            if baseline.kind == .adopted { try store.adoptLegacyState(job: job.name, to: planner.destination) }
        } catch {
            await coordinator.releaseJob(job.name)
            observe(.notRun(job: job.name, reason: "\(error)"))
            return .aborted
        }
        let account = job.spec.destination.accountID.value
        let runner = JobRunner(
            spec: job.spec, store: store, transport: shared.client,
            accountWindow: await shared.windows.window(for: account),
            settings: RunSettings(
                endpoint: job.endpoint, full: options.full, retryBase: options.retryBase,
                retryTimeout: options.retryTimeout, guards: options.guards),
            rejects: shared.rejects)
        var record = RunRecord(
            id: runner.runID, job: planner.key, startedAt: Date(), ctsyncVersion: options.version,
            host: HolderIdentity.current.host, pid: HolderIdentity.current.pid)
        do {
            try store.runStarted(record, source: SourceIdentity.of(job.spec))
        } catch {
            await coordinator.releaseJob(job.name)
            observe(.notRun(job: job.name, reason: "cannot record the run in state: \(error)"))
            return .aborted
        }
        running.withLock { $0[index] = .runner(runner) }
        if mustStopNow { runner.stopNow() } else if isInterrupted { runner.stop() }
        if let reason = coordinator.lostReason { runner.stop(because: .state(reason)) }
        observe(
            .started(
                job: job.name, destination: planner.destination,
                notes: baseline.messages(object: job.spec.object.value), progress: runner.progress))
        let report = await runner.run()
        running.withLock { $0[index] = nil }
        let path = ReportFile.path(for: report, option: options.report, jobCount: jobs.count)
        var written: String?
        do {
            try ReportFile.write(report.json(revealPII: options.revealPII), to: path)
            written = path
            observe(.finished(report: report, reportPath: path, reportError: nil))
        } catch {
            observe(.finished(report: report, reportPath: nil, reportError: "cannot write the report to \(path): \(error.reason)"))
        }
        record.finished(by: report, exitStatus: report.exitStatus, fullSync: Self.fullSync(baseline, options, job), reportPath: written)
        do {
            try store.runFinished(record)
        } catch {
            observe(.warning(job: job.name, message: "cannot record the run's end in state (status will show it as interrupted): \(error)"))
        }
        // Fresh statistics after a big load, before later jobs plan.
        store.jobFinished()
        await coordinator.releaseJob(job.name)
        return report.exitStatus
    }

    /// Takes the lease of the job at `index`; the reason it was not taken otherwise
    /// (another process runs the job and we do not wait, or the wait was interrupted).
    private func takeLease(
        _ index: Int, coordinator: any RunCoordinator, observe: @Sendable (RunEvent) -> Void
    ) async -> String? {
        let job = jobs[index].name
        let wait = options.waitForLock
        // The holder callback may come from another task: it reports through a stream.
        let (holders, sink) = AsyncStream.makeStream(of: LeaseHolder?.self)
        let attempt = Task {
            defer { sink.finish() }
            try await coordinator.acquireJob(job, wait: wait) { holder in sink.yield(holder) }
        }
        running.withLock { $0[index] = .leaseWait(attempt) }
        if isInterrupted { attempt.cancel() }
        for await holder in holders { observe(.waitingForLease(job: job, holder: holder)) }
        defer { running.withLock { $0[index] = nil } }
        do {
            try await attempt.value
            return nil
        } catch CoordinationError.jobHeld(_, let holder) {
            return "another ctsync process is running it (\(holder?.description ?? "holder unknown")); pass --wait-for-lock to wait for it"
        } catch CoordinationError.cancelled {
            return "interrupted while waiting for another process to finish it"
        } catch {
            return "\(error)"
        }
    }

    /// Stops every running job (at once after a second interrupt) and cancels every wait for a lease.
    private func stopRunning() {
        for stoppable in running.withLock({ Array($0.values) }) {
            switch stoppable {
            case .runner(let runner): if mustStopNow { runner.stopNow() } else { runner.stop() }
            case .leaseWait(let task): task.cancel()
            }
        }
    }

    /// Stops every running job for `reason` (waits for leases end on their own).
    private func stopRunners(because reason: AbortReason) {
        for case .runner(let runner) in running.withLock({ Array($0.values) }) {
            runner.stop(because: reason)
        }
    }
}

extension RunSession {
    /// Why a run brought every row in line, if it did: `full` (`--full`), `first_run`
    /// (no completed run to this destination before it; after a killed first attempt
    /// it sends what that one did not), `spec_changed` (profiles after a change).
    static func fullSync(_ baseline: StateBaseline, _ options: RunOptions, _ job: PreparedJob) -> String? {
        if options.full { return "full" }
        switch baseline.kind {
        case .noState, .noCompletedRun: return "first_run"
        case .specChanged where job.spec.object.value == .profiles: return "spec_changed"
        default: return nil
        }
    }
}

extension RunRecord {
    /// Fills in how the run ended from its report.
    mutating func finished(by report: RunReport, exitStatus: ExitStatus, fullSync: String?, reportPath: String?) {
        finishedAt = report.finishedAt
        outcome =
            switch report.status {
            case .succeeded: .succeeded
            case .completedWithErrors: .completedWithErrors
            case .failed: .failed
            case .aborted: .aborted
            }
        self.exitStatus = Int(exitStatus.rawValue)
        var counts = Counts()
        let c = report.counts
        counts.sourceRows = c.plan.sourceRows
        counts.invalid = c.plan.invalid
        counts.unchanged = c.plan.unchanged
        counts.added = c.plan.added
        counts.changed = c.plan.changed
        counts.sent = c.sent
        counts.succeeded = c.succeeded
        counts.rejected = c.rejected
        counts.failed = c.failed
        counts.possiblyDuplicated = c.possiblyDuplicated
        self.counts = counts
        // A run that stopped early planned only part of the source: not a full resync.
        self.fullSync = report.status == .aborted ? nil : fullSync
        abortReason = report.abortReason
        self.reportPath = reportPath
    }
}

extension RunReport {
    /// The exit status `ctsync run` gives this job.
    public var exitStatus: ExitStatus {
        switch status {
        case .succeeded: .success
        case .completedWithErrors: overThreshold ? .failure : .success
        case .failed: .failure
        case .aborted: .aborted
        }
    }
}

/// What an interrupt does to a run session, for the CLI to say (and act on `quitNow`).
public enum InterruptResponse: Sendable, Equatable {
    /// The first: the running job stops sending and waits for its requests in flight.
    case stopping
    /// The second: the running job stops at once, cancelling its requests in flight, and
    /// its report is written; past `deadline` the caller may quit without it.
    case stoppingNow(deadline: Duration)
    /// The third: quit at once; no report for the running job (state shows the run
    /// `interrupted`, and the next run of the job says so).
    case quitNow
}
