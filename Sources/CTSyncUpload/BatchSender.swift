import CTSyncPlan
import CTSyncReport
import CTSyncSupport
import CleverTapContract
import Foundation
import Synchronization

/// Sends batches to one account: the sliding window, retries with backoff (429 as
/// back-pressure within `retry_timeout`), splitting a 400/413 batch to isolate bad
/// records, mapping every `unprocessed` item back to its record, and aborting the job
/// when its host cannot be reached at all.
final class BatchSender: Sendable {
    let url: String
    /// The host requests go to, for messages.
    let host: String
    let headers: [(name: String, value: String)]
    let timeout: Double
    let retry: RetryPolicy
    let transport: any UploadTransport
    let pacing: UploadPacing
    let jobWindow: RequestWindow
    let accountWindow: RequestWindow
    let account: String
    let region: Region
    private let stopped = Atomic<Bool>(false)
    private let reachability = Reachability()
    private let inFlight = InFlightRequests()

    init(
        endpoint: Endpoint, account: String, passcode: String, region: Region, timeout: Double, retry: RetryPolicy,
        transport: any UploadTransport, pacing: UploadPacing = .live, jobWindow: RequestWindow,
        accountWindow: RequestWindow
    ) {
        url = endpoint.uploadURL
        host = Endpoint.hostPart(of: endpoint.base)
        headers = [
            ("X-CleverTap-Account-Id", account), ("X-CleverTap-Passcode", passcode),
            ("Content-Type", "application/json; charset=utf-8"), ("User-Agent", BuildInfo.userAgent),
        ]
        self.account = account
        self.region = region
        self.timeout = timeout
        self.retry = retry
        self.transport = transport
        self.pacing = pacing
        self.jobWindow = jobWindow
        self.accountWindow = accountWindow
    }

    /// No new request starts after this; requests in flight finish.
    func stop() { stopped.store(true, ordering: .relaxed) }
    var isStopped: Bool { stopped.load(ordering: .relaxed) }

    /// Stops at once (a second interrupt): no new request starts, and the requests in
    /// flight are cancelled. Their records stay unsettled (the next run sends them);
    /// those of a request that may have reached the server count as sent and possibly
    /// duplicated, the others as not sent.
    func cancel() {
        stop()
        inFlight.cancelAll()
    }

    func send(_ records: [PlannedRecord]) async -> BatchOutcome {
        var outcome = BatchOutcome()
        var ledger = Ledger(count: records.count, deadline: pacing.now() + retry.retryTimeout)
        await deliver(Array(records.indices), of: records, ledger: &ledger, into: &outcome)
        outcome.sent = ledger.sent.count { $0 }
        outcome.stats.possiblyDuplicated = ledger.doubtful.count { $0 }
        return outcome
    }

    // MARK: - One batch, with retries

    /// Per record of a batch, across its attempts and splits: whether it went out in a
    /// request that may have reached the server, and whether such a request went
    /// unanswered (so CleverTap may hold it twice). Each record counts once.
    struct Ledger {
        var sent: [Bool]
        var doubtful: [Bool]
        /// When the batch stops retrying (`retry_timeout` after its first attempt).
        var deadline: Double

        init(count: Int, deadline: Double) {
            sent = Array(repeating: false, count: count)
            doubtful = Array(repeating: false, count: count)
            self.deadline = deadline
        }
    }

    /// Why the last attempt did not settle the records still pending.
    private struct Trouble {
        var reason: RejectReason
        var message: String
    }

    private func deliver(
        _ positions: [Int], of batch: [PlannedRecord], ledger: inout Ledger, into outcome: inout BatchOutcome
    ) async {
        var pending = positions
        // Attempts that count against max_attempts (not 429s, not failures to connect).
        var failures = 0
        var throttles = 0
        var unreachable = 0
        var connected = 0
        while !pending.isEmpty {
            if isStopped || outcome.abort != nil { return }
            let started = pacing.now()
            // Nil: the run stopped while the request waited for a window slot; nothing went out.
            guard let reply = await post(pending.map { batch[$0] }, stats: &outcome.stats) else { return }
            if inFlight.isCancelled, case .failure(let failure) = reply {
                // Cancelled (or failed) as the job stops at once: not a failure of the
                // records, which stay unsettled; counted as sent only if they may have arrived.
                if failure.mayHaveReachedServer {
                    for position in pending {
                        ledger.sent[position] = true
                        ledger.doubtful[position] = true
                    }
                }
                return
            }
            let trouble: Trouble
            var retryAfter: Double?
            var throttled = false
            // Failures of this kind in a row so far: the backoff's exponent.
            let kindFailures: Int
            switch reply {
            case .failure(.unreachable(let failure)):
                // Nothing went out. A host that stays unreachable ends the job.
                let left = reachability.failed(startedAt: started, now: pacing.now(), budget: retry.connectBudget)
                if failure.isPermanent || left <= 0 {
                    stop()
                    outcome.abort = .unreachable(host: failure.host, message: unreachableMessage(failure))
                    return
                }
                unreachable += 1
                // The last try comes when the budget ends, not a whole backoff after it.
                let delay = min(
                    left,
                    retry.delay(afterFailure: unreachable, retryAfter: nil, throttled: false, jitter: pacing.jitter))
                if pacing.now() + delay > ledger.deadline {
                    outcome.failed += giveUp(
                        pending, of: batch,
                        Trouble(reason: TransportFailure.unreachable(failure).reason, message: failure.description),
                        because: outOfTime)
                    return
                }
                await pause(delay)
                continue
            case .failure(let transport):
                reachability.reached()
                if connected > 0 { outcome.stats.retries += 1 }
                connected += 1
                if transport.mayHaveReachedServer {
                    // The server may have stored these: a retry, or the next run, may store them twice.
                    for position in pending {
                        ledger.sent[position] = true
                        ledger.doubtful[position] = true
                    }
                }
                failures += 1
                kindFailures = failures
                trouble = Trouble(reason: transport.reason, message: transport.message)
            case .success(let http):
                reachability.reached()
                if connected > 0 { outcome.stats.retries += 1 }
                connected += 1
                for position in pending { ledger.sent[position] = true }
                retryAfter = http.retryAfter
                switch classify(http, pending: pending.map { batch[$0] }) {
                case .done(let placement):
                    var retryable: [Int] = []
                    for (offset, position) in pending.enumerated() {
                        guard let item = placement[offset] else {
                            outcome.acknowledged.append(batch[position])
                            continue
                        }
                        let reason =
                            item.code.map { RejectReason.clevertap(CleverTapCode(rawValue: $0)) }
                            ?? .clevertapWithoutCode
                        if reason == .clevertap(.miscellaneous) {
                            retryable.append(position)
                        } else {
                            outcome.rejected.append(
                                RecordFailure(record: batch[position], reason: reason, message: item.reason))
                        }
                    }
                    guard !retryable.isEmpty else { return }
                    pending = retryable
                    failures += 1
                    kindFailures = failures
                    trouble = Trouble(
                        reason: .clevertap(.miscellaneous), message: "CleverTap error 555 (miscellaneous server error)")
                case .retry(let reason, let message):
                    if http.status == 429 {
                        outcome.stats.throttled += 1
                        throttles += 1
                        kindFailures = throttles
                        throttled = true
                    } else {
                        failures += 1
                        kindFailures = failures
                    }
                    trouble = Trouble(reason: reason, message: message)
                case .split(let reason, let message):
                    if pending.count == 1 {
                        outcome.rejected.append(
                            RecordFailure(record: batch[pending[0]], reason: reason, message: message))
                        return
                    }
                    let middle = pending.count / 2
                    await deliver(Array(pending[..<middle]), of: batch, ledger: &ledger, into: &outcome)
                    await deliver(Array(pending[middle...]), of: batch, ledger: &ledger, into: &outcome)
                    return
                case .failBatch(let records):
                    outcome.failed += records
                    return
                case .abort(let reason):
                    // Every other batch of the job stops before its next request.
                    stop()
                    outcome.abort = reason
                    return
                }
            }
            if failures >= retry.maxAttempts {
                outcome.failed += giveUp(pending, of: batch, trouble, because: "gave up after \(failures) attempts")
                return
            }
            let delay = retry.delay(
                afterFailure: kindFailures, retryAfter: retryAfter, throttled: throttled, jitter: pacing.jitter)
            if pacing.now() + delay > ledger.deadline {
                outcome.failed += giveUp(pending, of: batch, trouble, because: outOfTime)
                return
            }
            await pause(delay)
        }
    }

    private var outOfTime: String {
        "gave up: still failing after retrying for \(Self.duration(retry.retryTimeout)) "
            + "(options.retry_timeout, or --retry-timeout)"
    }

    /// The records of `positions`, failed for `trouble`; the next run sends them again.
    private func giveUp(_ positions: [Int], of batch: [PlannedRecord], _ trouble: Trouble, because why: String)
        -> [RecordFailure]
    {
        let message = "\(trouble.message) (\(why))"
        return positions.map { RecordFailure(record: batch[$0], reason: trouble.reason, message: message) }
    }

    /// Sends one request; nil when the run stopped before a window slot was free.
    private func post(_ records: [PlannedRecord], stats: inout HTTPStats) async -> Result<HTTPReply, TransportFailure>?
    {
        var body: [UInt8] = []
        body.reserveCapacity(records.reduce(8) { $0 + $1.json.count + 1 })
        body += Array(#"{"d":["#.utf8)
        for (index, record) in records.enumerated() {
            if index > 0 { body.append(UInt8(ascii: ",")) }
            body += record.json
        }
        body += Array("]}".utf8)
        // The job's window names the job at the account's, which shares its slots fairly between jobs.
        let job = ObjectIdentifier(jobWindow)
        await jobWindow.acquire()
        await accountWindow.acquire(for: job)
        if isStopped {
            await accountWindow.release(for: job)
            await jobWindow.release()
            return nil
        }
        let start = pacing.now()
        let request = UploadRequest(url: url, headers: headers, body: body, timeout: timeout)
        let result = await inFlight.run { [transport] in await transport.send(request) }
        let elapsed = pacing.now() - start
        if case .failure(.timeout) = result {
            // CleverTap may still be working on a request we gave up on, and it counts
            // against the account's concurrent requests: keep its slot for another
            // timeout, or the retry and the abandoned request together overrun the limit.
            await pause(timeout)
        }
        await accountWindow.release(for: job)
        await jobWindow.release()
        switch result {
        case .failure(.unreachable): break
        default:
            stats.requests += 1
            stats.latenciesMs.append(elapsed * 1000)
        }
        return result
    }

    /// Waits `seconds`, waking early when the run is stopped.
    private func pause(_ seconds: Double) async {
        let end = pacing.now() + seconds
        while !isStopped {
            let left = end - pacing.now()
            if left <= 0 { return }
            await pacing.sleep(min(0.1, left))
        }
    }

    // MARK: - Reading an answer

    enum Verdict {
        /// Per-record outcome: the `unprocessed` item of each refused record, by its
        /// position in the request; records without one were acknowledged.
        case done([Int: UnprocessedItem])
        case retry(RejectReason, message: String)
        case split(RejectReason, message: String)
        case failBatch([RecordFailure])
        case abort(AbortReason)
    }

    private func classify(_ reply: HTTPReply, pending: [PlannedRecord]) -> Verdict {
        let response = UploadResponse(body: reply.body)
        if reply.status == 200 {
            switch response {
            case .records(_, _, let items):
                guard let placement = BatchSender.place(items, in: pending) else {
                    return .failBatch(BatchSender.unmatched(pending))
                }
                return .done(placement)
            case .request(let code, let message): return classifyStatus(code ?? 200, message: message, pending: pending)
            case .unrecognized(let why):
                return .retry(
                    .unrecognizedResponse, message: "HTTP 200 with a body CleverTap does not send: \(why)")
            }
        }
        var message = "HTTP \(reply.status)"
        if case .request(_, let text) = response { message += ": \(text)" }
        return classifyStatus(reply.status, message: message, pending: pending)
    }

    private func classifyStatus(_ status: Int, message: String, pending: [PlannedRecord]) -> Verdict {
        switch status {
        case 400, 413:
            return .split(.http(status: status), message: message)
        case 401:
            return .abort(.unauthorized(unauthorizedMessage()))
        case 403, 404, 405:
            return .abort(
                .refused(
                    status: status,
                    message:
                        "CleverTap refused the request (\(message)) at \(url); check destination.region and any endpoint override"
                ))
        case 429, 500, 502, 503, 504, 555:
            return .retry(.http(status: status), message: message)
        default:
            if status >= 500 { return .retry(.http(status: status), message: message) }
            return .failBatch(
                pending.map { RecordFailure(record: $0, reason: .http(status: status), message: message) })
        }
    }

    /// Places `unprocessed` items on the records of the request by position: by
    /// `Skipped record number`, else by identity. Records no item names were
    /// acknowledged. Nil when an item cannot be placed: then nothing of the batch is
    /// acknowledged (it is sent again next run) rather than risk marking a refused
    /// record as delivered.
    static func place(_ items: [UnprocessedItem], in records: [PlannedRecord]) -> [Int: UnprocessedItem]? {
        var placement: [Int: UnprocessedItem] = [:]
        var unplaced: [UnprocessedItem] = []
        for item in items {
            if let number = item.recordNumber, (1...records.count).contains(number), placement[number - 1] == nil {
                placement[number - 1] = item
            } else {
                unplaced.append(item)
            }
        }
        for item in unplaced {
            guard let identity = item.identity,
                let index = records.indices.first(where: { records[$0].identity == identity && placement[$0] == nil })
            else { return nil }
            placement[index] = item
        }
        return placement
    }

    /// Every record of a request whose answer refused a record it does not identify.
    static func unmatched(_ records: [PlannedRecord]) -> [RecordFailure] {
        records.map {
            RecordFailure(
                record: $0, reason: .unmatchedResponse,
                message:
                    "CleverTap refused a record the response does not identify; the batch will be sent again next run")
        }
    }

    // MARK: - Messages

    func unauthorizedMessage() -> String {
        """
        CleverTap answered 401 Unauthorized for account \(account) in region \(region.rawValue) (\(url)). \
        Either the Account ID or Passcode is wrong (Dashboard → Settings → Project shows both), or the region is wrong: \
        read it from your dashboard URL (https://us1.dashboard.clevertap.com means region us1) and set destination.region. \
        Nothing more was sent for this job.
        """
    }

    func unreachableMessage(_ failure: ConnectFailure) -> String {
        let fix: String
        switch failure.kind {
        case .certificateNotTrusted:
            fix = """
                If a TLS-inspecting proxy or a private CA signs this host's certificate, pass its CA certificate \
                (PEM) with --ca-file PATH or the SSL_CERT_FILE environment variable.
                """
        case .proxy:
            fix = """
                Check HTTPS_PROXY (or https_proxy), or list the host in NO_PROXY to connect directly.
                """
        default:
            fix = """
                Check the network (and HTTPS_PROXY if a proxy is required), or point ctsync at another endpoint \
                with --endpoint URL or the CTSYNC_ENDPOINT environment variable (destination.endpoint in the job file).
                """
        }
        let waited = failure.isPermanent ? "" : " for \(Self.duration(retry.connectBudget))"
        return """
            cannot reach \(url): \(failure.description). No connection could be made\(waited), so nothing more was \
            sent for this job; its unsent rows go with the next run. \(fix)
            """
    }

    /// A duration as job files write it: `90s`, `10m`, `1h30m`.
    static func duration(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        if whole < 60 { return "\(whole)s" }
        let (hours, minutes, rest) = (whole / 3600, whole % 3600 / 60, whole % 60)
        var text = hours > 0 ? "\(hours)h" : ""
        if minutes > 0 { text += "\(minutes)m" }
        if rest > 0 { text += "\(rest)s" }
        return text
    }
}

/// Whether the job's host can be reached: how long connections have failed with no
/// request reaching the server in between. Shared by every batch of the job.
final class Reachability: Sendable {
    private let failingSince = Mutex<Double?>(nil)

    /// A request reached the server: the streak of failures is over.
    func reached() {
        failingSince.withLock { $0 = nil }
    }

    /// An attempt started at `start` could not connect: the seconds left of `budget`
    /// since connections began to fail (zero or less: the budget is spent).
    func failed(startedAt start: Double, now: Double, budget: Double) -> Double {
        failingSince.withLock { since in
            let first = min(since ?? start, start)
            since = first
            return first + budget - now
        }
    }
}

/// The requests a job has in flight, so that a second interrupt can cancel them.
/// Each runs in a task of its own: cancelling it cancels the HTTP request, whose
/// failure the transport classifies by whether the body had started to go out.
final class InFlightRequests: Sendable {
    typealias Reply = Result<HTTPReply, TransportFailure>
    private struct State {
        var cancelled = false
        var next = 0
        var tasks: [Int: Task<Reply, Never>] = [:]
    }
    private let state = Mutex(State())

    var isCancelled: Bool { state.withLock { $0.cancelled } }

    /// Runs `send` as a request in flight; cancelled at once when `cancelAll` came first.
    func run(_ send: @escaping @Sendable () async -> Reply) async -> Reply {
        let task = Task { await send() }
        let id = state.withLock { state -> Int? in
            guard !state.cancelled else { return nil }
            state.next += 1
            state.tasks[state.next] = task
            return state.next
        }
        if id == nil { task.cancel() }
        let reply = await task.value
        if let id { _ = state.withLock { $0.tasks.removeValue(forKey: id) } }
        return reply
    }

    /// Cancels every request in flight, and any that starts after.
    func cancelAll() {
        let tasks = state.withLock { state -> [Task<Reply, Never>] in
            state.cancelled = true
            defer { state.tasks = [:] }
            return Array(state.tasks.values)
        }
        for task in tasks { task.cancel() }
    }
}
