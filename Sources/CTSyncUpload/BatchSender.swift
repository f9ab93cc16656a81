import Foundation
import Synchronization
import CTSyncPlan
import CTSyncReport
import CleverTapContract
import CTSyncSupport

/// Sends batches to one account: the sliding window, retries with backoff,
/// splitting a 400 batch to isolate bad records, and mapping every `unprocessed`
/// item back to its record.
final class BatchSender: Sendable {
    let url: String
    let headers: [(String, String)]
    let timeout: Double
    let retry: RetryPolicy
    let client: UploadHTTPClient
    let jobWindow: RequestWindow
    let accountWindow: RequestWindow
    let account: String
    let region: Region
    private let stopped = Atomic<Bool>(false)

    init(
        endpoint: Endpoint, account: String, passcode: String, region: Region, timeout: Double, retry: RetryPolicy,
        client: UploadHTTPClient, jobWindow: RequestWindow, accountWindow: RequestWindow
    ) {
        url = endpoint.uploadURL
        headers = [
            ("X-CleverTap-Account-Id", account), ("X-CleverTap-Passcode", passcode),
            ("Content-Type", "application/json; charset=utf-8"), ("User-Agent", BuildInfo.userAgent),
        ]
        self.account = account
        self.region = region
        self.timeout = timeout
        self.retry = retry
        self.client = client
        self.jobWindow = jobWindow
        self.accountWindow = accountWindow
    }

    /// No new request starts after this; requests in flight finish.
    func stop() { stopped.store(true, ordering: .relaxed) }
    var isStopped: Bool { stopped.load(ordering: .relaxed) }

    func send(_ records: [PlannedRecord]) async -> BatchOutcome {
        var outcome = BatchOutcome()
        await deliver(records, into: &outcome)
        return outcome
    }

    // MARK: - One batch, with retries

    private func deliver(_ records: [PlannedRecord], into outcome: inout BatchOutcome) async {
        var pending = records
        var attempt = 0
        var everSent = false
        while !pending.isEmpty {
            if isStopped || outcome.abort != nil { return }
            attempt += 1
            if attempt > 1 { outcome.stats.retries += 1 }
            if !everSent {
                outcome.sent += pending.count
                everSent = true
            }
            guard let reply = await post(pending, stats: &outcome.stats) else {
                // The run stopped while the request waited for a window slot: nothing went out.
                if attempt == 1 { outcome.sent -= pending.count }
                return
            }
            var retryAfter: Double?
            var failure: (reason: RejectReason, message: String)
            switch reply {
            case .failure(let transport):
                // The request may have been processed: a retry can duplicate events.
                failure = (transport.reason, transport.message)
                // Whether this attempt or the next run re-sends them, they may be stored twice.
                outcome.stats.possiblyDuplicated += pending.count
            case .success(let http):
                retryAfter = http.retryAfter
                switch classify(http, pending: pending) {
                case .done(let acknowledged, let rejected, let retryable):
                    outcome.acknowledged += acknowledged
                    outcome.rejected += rejected
                    guard !retryable.isEmpty else { return }
                    pending = retryable
                    failure = (.clevertap(.miscellaneous), "CleverTap error 555 (miscellaneous server error)")
                case .retry(let reason, let message):
                    if http.status == 429 { outcome.stats.throttled += 1 }
                    failure = (reason, message)
                case .split(let reason, let message):
                    if pending.count == 1 {
                        outcome.rejected.append(RecordFailure(record: pending[0], reason: reason, message: message))
                        return
                    }
                    let middle = pending.count / 2
                    await deliver(Array(pending[..<middle]), into: &outcome)
                    await deliver(Array(pending[middle...]), into: &outcome)
                    return
                case .failBatch(let failures):
                    outcome.failed += failures
                    return
                case .abort(let reason):
                    // Every other batch of the job stops before its next request.
                    stop()
                    outcome.abort = reason
                    return
                }
            }
            if attempt >= retry.maxAttempts {
                let message = "\(failure.message) (gave up after \(attempt) attempts)"
                outcome.failed += pending.map { RecordFailure(record: $0, reason: failure.reason, message: message) }
                return
            }
            await pause(retry.delay(afterAttempt: attempt, retryAfter: retryAfter))
        }
    }

    /// Sends one request; nil when the run stopped before a window slot was free.
    private func post(_ records: [PlannedRecord], stats: inout HTTPStats) async -> Result<HTTPReply, TransportFailure>? {
        var body: [UInt8] = []
        body.reserveCapacity(records.reduce(8) { $0 + $1.json.count + 1 })
        body += Array(#"{"d":["#.utf8)
        for (index, record) in records.enumerated() {
            if index > 0 { body.append(UInt8(ascii: ",")) }
            body += record.json
        }
        body += Array("]}".utf8)
        await jobWindow.acquire()
        await accountWindow.acquire()
        if isStopped {
            await accountWindow.release()
            await jobWindow.release()
            return nil
        }
        let start = ContinuousClock.now
        let result = await client.post(url: url, headers: headers, body: body, timeout: timeout)
        let elapsed = ContinuousClock.now - start
        if case .failure(.timeout) = result {
            // CleverTap may still be working on a request we gave up on, and it counts
            // against the account's concurrent requests: keep its slot for another
            // timeout, or the retry and the abandoned request together overrun the limit.
            await pause(timeout)
        }
        await accountWindow.release()
        await jobWindow.release()
        stats.requests += 1
        let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        stats.latenciesMs.append(ms)
        return result
    }

    /// Sleeps, waking early when the run is stopped.
    private func pause(_ seconds: Double) async {
        let end = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < end && !isStopped {
            try? await Task.sleep(for: min(.milliseconds(100), end - ContinuousClock.now))
        }
    }

    // MARK: - Reading an answer

    enum Verdict {
        case done(acknowledged: [PlannedRecord], rejected: [RecordFailure], retry: [PlannedRecord])
        case retry(RejectReason, message: String)
        case split(RejectReason, message: String)
        case failBatch([RecordFailure])
        case abort(AbortReason)
    }

    private func classify(_ reply: HTTPReply, pending: [PlannedRecord]) -> Verdict {
        let response = UploadResponse(body: reply.body)
        if reply.status == 200 {
            switch response {
            case .records(_, _, let items): return BatchSender.map(items, to: pending)
            case .request(let code, let message): return classifyStatus(code ?? 200, message: message, pending: pending)
            case .unrecognized(let why):
                return .retry(.unrecognizedResponse, message: "HTTP 200 with a body CleverTap does not send: \(why)")
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
            return .failBatch(pending.map { RecordFailure(record: $0, reason: .http(status: status), message: message) })
        }
    }

    /// Maps `unprocessed` items to the records of the request: by `Skipped record
    /// number`, else by identity. Records no item names are acknowledged; if an item
    /// cannot be placed, nothing of the batch is acknowledged (it is sent again next
    /// run) rather than risk marking a refused record as delivered.
    static func map(_ items: [UnprocessedItem], to records: [PlannedRecord]) -> Verdict {
        var outcome: [Int: UnprocessedItem] = [:]
        var unplaced: [UnprocessedItem] = []
        for item in items {
            if let number = item.recordNumber, (1...records.count).contains(number), outcome[number - 1] == nil {
                outcome[number - 1] = item
            } else {
                unplaced.append(item)
            }
        }
        for item in unplaced {
            guard let identity = item.identity,
                let index = records.indices.first(where: { records[$0].identity == identity && outcome[$0] == nil })
            else {
                let failures = records.map {
                    RecordFailure(
                        record: $0, reason: .unmatchedResponse,
                        message: "CleverTap refused a record the response does not identify; the batch will be sent again next run")
                }
                return .failBatch(failures)
            }
            outcome[index] = item
        }
        var acknowledged: [PlannedRecord] = []
        var rejected: [RecordFailure] = []
        var retry: [PlannedRecord] = []
        for (index, record) in records.enumerated() {
            guard let item = outcome[index] else {
                acknowledged.append(record)
                continue
            }
            let reason = item.code.map { RejectReason.clevertap(CleverTapCode(rawValue: $0)) } ?? .clevertapWithoutCode
            if reason == .clevertap(.miscellaneous) {
                retry.append(record)
            } else {
                rejected.append(RecordFailure(record: record, reason: reason, message: item.reason))
            }
        }
        return .done(acknowledged: acknowledged, rejected: rejected, retry: retry)
    }

    func unauthorizedMessage() -> String {
        """
        CleverTap answered 401 Unauthorized for account \(account) in region \(region.rawValue) (\(url)). \
        Either the Account ID or Passcode is wrong (Dashboard → Settings → Project shows both), or the region is wrong: \
        read it from your dashboard URL (https://us1.dashboard.clevertap.com means region us1) and set destination.region. \
        Nothing more was sent for this job.
        """
    }
}
