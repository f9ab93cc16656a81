import HTTPTypes
import Hummingbird
import NIOCore
import ServiceLifecycle

/// `POST /1/upload` and `POST /{region}/1/upload`: credentials, the per-account
/// concurrency limit, injected faults, then parse, validate and store.
struct UploadEndpoint: Sendable {
    let state: SandboxState

    /// `region` is the path prefix, `nil` for the bare `/1/upload`.
    func respond(to request: Request, region: SandboxRegion?) async -> UploadReply {
        state.count { $0.requests += 1 }

        let account: SandboxAccount
        switch AccountAuthentication.authenticate(request, region: region, in: state) {
        case .success(let authenticated):
            account = authenticated
        case .failure(let failure):
            state.count { $0.unauthorized += 1 }
            return .respond(failure.response)
        }

        guard state.enter(account: account.id) else {
            return .respond(tooManyRequests())
        }
        let ticket = state.uploadEntered(account: account.id)
        var seen = BatchSummary()
        defer {
            state.uploadLeft(ticket: ticket, records: seen.records, firstIdentity: seen.firstIdentity)
            state.leave(account: account.id)
        }

        let plan = state.nextFaultPlan()
        let arrived = ContinuousClock.now
        switch plan.outcome {
        case .status(let code):
            if plan.delayMilliseconds > 0, await !pause(milliseconds: plan.delayMilliseconds) {
                return .closeConnection
            }
            return .respond(injectedFailure(code))
        case .drop:
            if plan.delayMilliseconds > 0, await !pause(milliseconds: plan.delayMilliseconds) {
                return .closeConnection
            }
            state.count { $0.dropped += 1 }
            return .closeConnection
        case .none, .lose, .slow:
            break
        }

        let dryRun = ["1", "true"].contains(request.uri.queryParameters["dryRun"] ?? "")
        let (reply, summary) = await process(request, account: account.id, dryRun: dryRun)
        seen = summary
        guard case .respond(let response) = reply else {
            return .closeConnection
        }
        // The injected latency is the request's whole time on the server, processing
        // included, as a client measures CleverTap's: sleep only what is left of it.
        let spent = ContinuousClock.now - arrived
        let remaining = Duration.milliseconds(plan.delayMilliseconds) - spent
        if remaining > .zero {
            let milliseconds = Int(
                remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000)
            if milliseconds > 0, await !pause(milliseconds: milliseconds) { return .closeConnection }
        }

        switch plan.outcome {
        case .lose:
            state.count { $0.lostResponses += 1 }
            return .closeConnection
        case .slow(let milliseconds):
            state.count { $0.slowResponses += 1 }
            return await pause(milliseconds: milliseconds) ? .respond(response) : .closeConnection
        case .none, .status, .drop:
            return .respond(response)
        }
    }

    // MARK: - Processing

    /// What the upload log notes of a request's body.
    struct BatchSummary {
        var records = 0
        var firstIdentity: String?
    }

    /// Closes the connection only when the client went away before its body arrived.
    private func process(_ request: Request, account: String, dryRun: Bool) async -> (UploadReply, BatchSummary) {
        let limits = state.limits
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: limits.maxBodyBytes)
        } catch is NIOTooManyBytesError {
            return (
                .respond(malformed("Malformed request. The body is larger than \(limits.maxBodyBytes) bytes")),
                BatchSummary()
            )
        } catch {
            return (.closeConnection, BatchSummary())
        }
        var summary = BatchSummary()
        let response = answer(to: body, account: account, dryRun: dryRun, summary: &summary)
        return (.respond(response), summary)
    }

    private func answer(to body: ByteBuffer, account: String, dryRun: Bool, summary: inout BatchSummary) -> Response {
        let limits = state.limits
        let parsed: SandboxValue
        do {
            parsed = try body.withUnsafeReadableBytes { bytes in try JSONParser.parse(bytes) }
        } catch {
            return malformed("Malformed request")
        }
        guard case .array(let records) = parsed["d"] else {
            return malformed("Malformed request")
        }
        summary.records = records.count
        if let first = records.first {
            if case .string(let identity) = first["identity"] {
                summary.firstIdentity = identity
            } else if case .string(let objectID) = first["objectId"] {
                summary.firstIdentity = objectID
            }
        }
        guard records.count <= limits.maxRecordsPerRequest else {
            return malformed(
                "Malformed request. At most \(limits.maxRecordsPerRequest) records are allowed per request"
            )
        }

        var valid: [(number: Int, record: UploadRecord)] = []
        valid.reserveCapacity(records.count)
        var refused: [(number: Int, rejection: RecordRejection)] = []
        for (index, record) in records.enumerated() {
            switch state.validator.validate(record) {
            case .success(let upload): valid.append((index + 1, upload))
            case .failure(let rejection): refused.append((index + 1, rejection))
            }
        }
        if !dryRun, !valid.isEmpty {
            let refusedByStore = state.store(valid, account: account)
            if !refusedByStore.isEmpty {
                refused.append(contentsOf: refusedByStore)
                refused.sort { $0.number < $1.number }
            }
        }

        let result = UploadResult(
            processed: records.count - refused.count,
            unprocessed: refused.map {
                .init(number: $0.number, rejection: $0.rejection, record: records[$0.number - 1])
            }
        )
        state.count { stats in
            stats.batchesProcessed += 1
            stats.recordsProcessed += result.processed
            stats.recordsUnprocessed += result.unprocessed.count
        }
        return SandboxResponses.json(result.encoded())
    }

    // MARK: - Answers

    private func malformed(_ message: String) -> Response {
        state.count { $0.malformed += 1 }
        return SandboxResponses.failure(.badRequest, message)
    }

    private func tooManyRequests() -> Response {
        SandboxResponses.failure(
            .tooManyRequests,
            "Too many concurrent requests",
            headers: SandboxResponses.retryAfter(state.faultConfiguration.retryAfterSeconds)
        )
    }

    private func injectedFailure(_ code: Int) -> Response {
        let retryAfter = SandboxResponses.retryAfter(state.faultConfiguration.retryAfterSeconds)
        switch code {
        case 429:
            state.count { $0.injected429 += 1 }
            return SandboxResponses.failure(.tooManyRequests, "Too many concurrent requests", headers: retryAfter)
        case 502:
            state.count { $0.injected502 += 1 }
            return SandboxResponses.badGateway()
        case 503:
            state.count { $0.injected503 += 1 }
            return SandboxResponses.failure(
                .serviceUnavailable,
                "Service Unavailable. Please retry later.",
                headers: retryAfter
            )
        default:
            state.count { $0.injected500 += 1 }
            return SandboxResponses.failure(.internalServerError, "Internal Server Error")
        }
    }

    /// Sleeps unless the server starts shutting down; `false` when cut short.
    private func pause(milliseconds: Int) async -> Bool {
        do {
            try await cancelWhenGracefulShutdown {
                try await Task.sleep(for: .milliseconds(milliseconds))
            }
            return true
        } catch {
            return false
        }
    }
}
