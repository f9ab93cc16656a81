import Foundation
import Synchronization
import CTSyncPlan
import CTSyncReport
import CTSyncSpec
import CleverTapContract

/// Settings of one `ctsync run` invocation that are not in the job file.
public struct RunSettings: Sendable {
    public var endpoint: Endpoint
    public var full: Bool
    public var retryBase: Double
    public var retryCap: Double
    /// `--retry-timeout`: replaces the job's `options.retry_timeout`, in seconds.
    public var retryTimeout: Double?
    /// `--force` / `--no-guards`: what the job's `guards:` do.
    public var guards: GuardPolicy

    public init(
        endpoint: Endpoint, full: Bool, retryBase: Double = 0.5, retryCap: Double = 30, retryTimeout: Double? = nil,
        guards: GuardPolicy = .enforce
    ) {
        self.endpoint = endpoint
        self.full = full
        self.retryBase = retryBase
        self.retryCap = retryCap
        self.retryTimeout = retryTimeout
        self.guards = guards
    }
}

/// Runs one job: plans it on background threads, sends the batches through the
/// account's window, advances state for acknowledged records only, and returns
/// the report. Every planned record ends acknowledged, rejected or failed (or,
/// when aborted, unsent).
public final class JobRunner: Sendable {
    public let spec: JobSpec
    public let progress = RunProgress()
    /// The run's id, in its report and in state's run history.
    public let runID = UUID().uuidString.lowercased()
    private let store: any StateStore
    private let settings: RunSettings
    /// `--rejects`: where every refused row goes, shared by the invocation's jobs.
    private let rejects: RejectsFile?
    private let sender: BatchSender
    private let interrupted = Atomic<Bool>(false)
    private let forced = Atomic<Bool>(false)
    private let stoppedFor = Mutex<AbortReason?>(nil)

    package init(
        spec: JobSpec, store: any StateStore, transport: any UploadTransport, accountWindow: RequestWindow,
        settings: RunSettings, rejects: RejectsFile? = nil, pacing: UploadPacing = .live
    ) {
        self.spec = spec
        self.store = store
        self.settings = settings
        self.rejects = rejects
        let retry = RetryPolicy(
            maxAttempts: spec.options.maxAttempts, retryTimeout: settings.retryTimeout ?? spec.options.retryTimeout,
            base: settings.retryBase, cap: settings.retryCap)
        sender = BatchSender(
            endpoint: settings.endpoint, account: spec.destination.accountID.value,
            passcode: spec.destination.passcode.value, region: spec.destination.region.value,
            timeout: spec.options.requestTimeout, retry: retry, transport: transport, pacing: pacing,
            jobWindow: RequestWindow(capacity: spec.options.concurrency.value), accountWindow: accountWindow)
        progress.update { $0.job = spec.name.value }
    }

    /// When the job's batches are retried and given up.
    var retryPolicy: RetryPolicy { sender.retry }

    /// Stops sending (SIGINT): requests in flight finish and are recorded; the report says `aborted`.
    public func stop() {
        interrupted.store(true, ordering: .relaxed)
        sender.stop()
    }

    /// Stops at once (a second SIGINT): like `stop`, and the requests in flight are
    /// cancelled rather than awaited. What they carried stays unacknowledged (the next run
    /// sends it again) and counts as sent, and possibly duplicated, only if it may have
    /// reached CleverTap. The report says `aborted`; acknowledgements already received
    /// are recorded before it is written.
    public func stopNow() {
        forced.store(true, ordering: .relaxed)
        stop()
        sender.cancel()
    }

    /// Stops sending like `stop`, for `reason` (the job's lease or the account's
    /// slots can no longer be vouched for); the report says `aborted` with it.
    public func stop(because reason: AbortReason) {
        stoppedFor.withLock { if $0 == nil { $0 = reason } }
        stop()
    }

    public func run() async -> RunReport {
        let started = Date()
        // The destination's event-name and property budgets, reserved in state as the
        // plan finds new names and keys (events only), released at the end of the run.
        let budget = EventBudget(
            store: store, destination: Planner.destination(of: spec, endpoint: settings.endpoint),
            limits: spec.destination.limits, run: runID)
        let planner = Planner(spec: spec, state: store, endpoint: settings.endpoint, full: settings.full, budget: budget)
        let fingerprint = planner.fingerprint
        let concurrency = spec.options.concurrency.value
        let batchSize = spec.options.batchSize.value
        // At most a quarter of the window's batches recorded late: bounds what a crash
        // leaves delivered but unrecorded (see StateWriter).
        let writer = StateWriter(
            store: store, job: planner.key, spec: fingerprint, budget: budget, maxPending: max(2, concurrency / 4))
        // The planner runs on its own threads, a couple of chunks ahead: planning is far
        // faster than sending, and it blocks while the window is full.
        let plan = PlanStream(planner)
        var tally = Tally()
        let progress = self.progress
        let jobName = spec.name.value
        let rejects = self.rejects
        var rejectLines = 0
        var abort: AbortReason?
        var stopping: Bool { abort != nil || interrupted.load(ordering: .relaxed) }

        /// Writes refused rows to the rejects file (also after the job began stopping: the
        /// batches in flight still end); a write that fails stops the job.
        func reject(_ outcome: RejectsFile.Outcome, _ rejection: PlanRejection, record: [UInt8]?) {
            guard let rejects else { return }
            if rejects.write(job: jobName, outcome: outcome, rejection: rejection, record: record) {
                rejectLines += 1
            } else if abort == nil {
                abort = .localFile(
                    "cannot write the rejects file \(rejects.path): \(rejects.error?.reason ?? "write failed"); stopped sending so that no refused row goes unrecorded")
            }
        }
        /// Counts a planned chunk and records its refused rows.
        func planned(_ chunk: PlanChunk) {
            tally.add(chunk)
            progress.update {
                $0.rowsRead += chunk.records.count + chunk.rejections.count + chunk.unchanged
                $0.planned += chunk.records.count
            }
            for rejection in chunk.rejections { reject(.invalid, rejection, record: rejection.record) }
        }

        // A job with guards plans completely first, keeping its records on disk, and
        // sends only if its guards pass (or --force).
        var guards: GuardEvaluation? = spec.guards == nil ? nil : .skipped
        var spill: PlanSpill?
        var planResult: Result<PlanSummary, PlanError>?
        if let jobGuards = spec.guards, settings.guards != .skip {
            do {
                let file = try PlanSpill()
                spill = file
                for await chunk in plan {
                    planned(chunk)
                    try file.append(chunk.records)
                    if stopping {
                        plan.cancel()
                        break
                    }
                }
            } catch {
                if abort == nil { abort = .localFile("cannot keep the planned records in a temporary file: \(error)") }
                plan.cancel()
            }
            do {
                planResult = .success(try await plan.summary())
            } catch {
                planResult = .failure(error)
            }
            if abort == nil, case .success = planResult, !interrupted.load(ordering: .relaxed) {
                progress.update { $0.planFinished = true }
                do {
                    let basis = try GuardBasis.read(from: store, job: planner.key)
                    let evaluation = GuardEvaluation.evaluate(
                        jobGuards, counts: tally.plan, basis: basis, policy: settings.guards)
                    guards = evaluation
                    if evaluation.stops, let message = evaluation.trippedMessage(sent: false) { abort = .guards(message) }
                } catch {
                    abort = .state("cannot read the run history the job's guards compare against: \(error)")
                }
            }
        }

        // The sliding window: half again as many batches in progress as request
        // slots, so a batch backing off rarely idles a slot; the windows cap requests.
        let maxBatches = concurrency + concurrency / 2 + 1
        if !stopping {
            await withTaskGroup(of: BatchOutcome.self) { group in
                var running = 0
                func handle(_ outcome: BatchOutcome) {
                    running -= 1
                    tally.add(outcome)
                    progress.update {
                        $0.sent += outcome.sent
                        $0.succeeded += outcome.acknowledged.count
                        $0.rejected += outcome.rejected.count
                        $0.failed += outcome.failed.count
                    }
                    for failure in outcome.rejected { reject(.rejected, Tally.rejection(failure), record: failure.record.json) }
                    for failure in outcome.failed { reject(.failed, Tally.rejection(failure), record: failure.record.json) }
                    if let reason = outcome.abort, abort == nil { abort = reason }
                    if let error = writer.error, abort == nil { abort = .state("cannot record acknowledgements: \(error)") }
                    if stopping {
                        sender.stop()
                        plan.cancel()
                    }
                }
                /// Starts sending `batch` once the window has room; false when the job is stopping.
                func dispatch(_ batch: [PlannedRecord]) async -> Bool {
                    if running >= maxBatches, let outcome = await group.next() { handle(outcome) }
                    guard !stopping else { return false }
                    running += 1
                    group.addTask { [sender] in
                        let outcome = await sender.send(batch)
                        // Recorded the moment the batch is done, not when the window next
                        // needs a slot: finished batches would otherwise wait unrecorded, and
                        // a crash re-sends them.
                        await writer.write(outcome.acknowledged)
                        return outcome
                    }
                    return true
                }
                var pending: [PlannedRecord] = []
                pending.reserveCapacity(batchSize)
                /// Sends full batches of `records`; false when the job is stopping.
                func enqueue(_ records: [PlannedRecord]) async -> Bool {
                    for record in records {
                        pending.append(record)
                        guard pending.count == batchSize else { continue }
                        guard await dispatch(pending) else { return false }
                        pending = []
                        pending.reserveCapacity(batchSize)
                    }
                    return !stopping
                }
                if let spill {
                    while !stopping {
                        let records: [PlannedRecord]
                        do {
                            records = try spill.next(limit: batchSize)
                        } catch {
                            abort = .localFile("cannot read the planned records back from their temporary file: \(error)")
                            break
                        }
                        if records.isEmpty { break }
                        guard await enqueue(records) else { break }
                    }
                } else {
                    for await chunk in plan {
                        planned(chunk)
                        guard !stopping, await enqueue(chunk.records) else { break }
                    }
                }
                if stopping {
                    plan.cancel()
                } else {
                    progress.update { $0.planFinished = true }
                    if !pending.isEmpty { _ = await dispatch(pending) }
                }
                while let outcome = await group.next() { handle(outcome) }
            }
        }
        await writer.drain()
        if abort == nil, let error = writer.error { abort = .state("cannot record acknowledgements: \(error)") }
        // What the run reserved and CleverTap did not acknowledge goes back to the budget.
        do {
            try budget.release()
        } catch {
            if abort == nil { abort = .state("cannot release the run's event-name reservations: \(error)") }
        }
        if abort == nil, let reason = stoppedFor.withLock({ $0 }) { abort = reason }
        if abort == nil && forced.load(ordering: .relaxed) { abort = .interruptedTwice }
        if abort == nil && interrupted.load(ordering: .relaxed) { abort = .interrupted }

        var mappingChanged = false
        if planResult == nil {
            if stopping { plan.cancel() }
            do {
                planResult = .success(try await plan.summary())
            } catch {
                planResult = .failure(error)
            }
        }
        switch planResult! {
        case .success(let summary):
            mappingChanged = summary.mappingChanged
        case .failure(let error):
            if abort == nil {
                switch error {
                case .source(let source): abort = .source("source failed: \(source)")
                case .state(let state): abort = .state("\(state)")
                case .stopped: abort = .interrupted
                }
            }
        }
        if abort == nil {
            do {
                try store.setSpec(planner.canonicalSpec, job: planner.key)
            } catch {
                abort = .state("cannot record the job's spec fingerprint: \(error)")
            }
        }
        var report = report(
            runID: runID, started: started, totals: tally, abort: abort, mappingChanged: mappingChanged,
            fingerprint: fingerprint)
        report.destination = planner.destination
        report.guards = guards
        if let rejects { report.rejects = RejectsFileSummary(file: rejects.path, lines: rejectLines) }
        return report
    }

    private func report(
        runID: String, started: Date, totals: Tally, abort: AbortReason?, mappingChanged: Bool, fingerprint: UInt64
    ) -> RunReport {
        var counts = RunCounts()
        counts.plan = totals.plan
        counts.sent = totals.sent
        counts.succeeded = totals.succeeded
        counts.rejected = totals.rejected
        counts.failed = totals.failed
        counts.possiblyDuplicated = totals.http.possiblyDuplicated
        let status: RunStatus
        if abort != nil {
            status = .aborted
        } else if counts.failed > 0 {
            status = .failed
        } else if counts.plan.invalid + counts.rejected > 0 {
            status = .completedWithErrors
        } else {
            status = .succeeded
        }
        let over = spec.options.maxRejected.isExceeded(
            rejected: counts.plan.invalid + counts.rejected, of: counts.plan.sourceRows)
        return RunReport(
            runID: runID, jobName: spec.name.value, jobFile: spec.file, specHash: String(format: "%016llx", fingerprint),
            object: spec.object.value, mode: spec.mode.value, region: spec.destination.region.value,
            endpoint: settings.endpoint.base, status: status, startedAt: started, finishedAt: Date(), counts: counts,
            http: totals.http, mappingChanged: mappingChanged, full: settings.full, abortReason: abort?.message,
            maxRejected: spec.options.maxRejected, errors: totals.errors, overThreshold: over)
    }
}

/// Running totals of a job, fed by plan chunks and batch outcomes.
struct Tally: Sendable {
    var plan = PlanCounts()
    var sent = 0
    var succeeded = 0
    var rejected = 0
    var failed = 0
    var http = HTTPStats()
    var errors = RejectionLog()

    mutating func add(_ chunk: PlanChunk) {
        plan.sourceRows += chunk.records.count + chunk.rejections.count + chunk.unchanged
        plan.invalid += chunk.rejections.count
        plan.unchanged += chunk.unchanged
        for record in chunk.records {
            if record.change == .added { plan.added += 1 } else { plan.changed += 1 }
        }
        for rejection in chunk.rejections { errors.add(rejection) }
    }

    mutating func add(_ outcome: BatchOutcome) {
        sent += outcome.sent
        succeeded += outcome.acknowledged.count
        rejected += outcome.rejected.count
        failed += outcome.failed.count
        http.merge(outcome.stats)
        for failure in outcome.rejected + outcome.failed { errors.add(Self.rejection(failure)) }
    }

    /// A record CleverTap refused or that was not delivered, as reports and the rejects file name it.
    static func rejection(_ failure: RecordFailure) -> PlanRejection {
        PlanRejection(
            line: failure.record.line, primaryKey: failure.record.key.isEmpty ? nil : failure.record.key,
            field: failure.reason.clevertapCode?.field, reason: failure.reason, message: failure.message)
    }
}
