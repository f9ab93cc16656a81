import Foundation
import Testing

@testable import CTSyncPlan
@testable import CTSyncReport
@testable import CTSyncSupport
@testable import CTSyncUpload
@testable import CleverTapContract

/// The uploader's decisions over a scripted transport and a scripted clock: retries
/// and backoff, 429 as back-pressure, splitting, the mapping of answers to records,
/// and the honest accounting of what was sent. Nothing waits and nothing is random
/// unless seeded.
@Suite("batch sender, scripted")
struct BatchSenderTests {
    static func sender(
        _ transport: ScriptedTransport, clock: ManualClock, retry: RetryPolicy = RetryPolicy(maxAttempts: 6),
        timeout: Double = 30, jitter: @escaping @Sendable (Double) -> Double = { $0 }
    ) throws -> BatchSender {
        BatchSender(
            endpoint: try Endpoint(region: .in1, override: nil), account: "123",
            passcode: "s3cr3t", region: .in1, timeout: timeout, retry: retry, transport: transport,
            pacing: clock.pacing(jitter: jitter), jobWindow: RequestWindow(capacity: 5),
            accountWindow: RequestWindow(capacity: 15))
    }

    /// Seconds between consecutive requests.
    static func gaps(_ requests: [ScriptedTransport.Request]) -> [Double] {
        zip(requests.dropFirst(), requests).map { ($0.at - $1.at) }
    }

    static func expectGaps(
        _ requests: [ScriptedTransport.Request], _ expected: [Double], sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let gaps = gaps(requests)
        #expect(gaps.count == expected.count, "gaps \(gaps)", sourceLocation: sourceLocation)
        for (gap, want) in zip(gaps, expected) {
            #expect(abs(gap - want) < 1e-6, "gaps \(gaps), expected \(expected)", sourceLocation: sourceLocation)
        }
    }

    // MARK: - Retries and backoff

    @Test func aBatchTakenAtOnceIsOneRequest() async throws {
        let clock = ManualClock()
        let transport = ScriptedTransport([.ok], clock: clock)
        let outcome = try await Self.sender(transport, clock: clock).send(plannedRecords(3))
        #expect(outcome.acknowledged.map(\.identity) == ["user0", "user1", "user2"])
        #expect(outcome.sent == 3)
        #expect(outcome.stats.requests == 1 && outcome.stats.retries == 0 && outcome.stats.possiblyDuplicated == 0)
        let request = try #require(transport.requests.first)
        #expect(request.url == "https://in1.api.clevertap.com/1/upload")
        #expect(request.headers["X-CleverTap-Account-Id"] == "123")
        #expect(request.headers["X-CleverTap-Passcode"] == "s3cr3t")
        #expect(request.identities == ["user0", "user1", "user2"])
        #expect(clock.now == 0)
    }

    @Test func serverErrorsBackOffExponentiallyUpToTheCap() async throws {
        let clock = ManualClock()
        let transport = ScriptedTransport(
            [.status(503), .status(500), .status(502), .status(504), .status(503), .status(500)], clock: clock)
        let retry = RetryPolicy(maxAttempts: 10, base: 0.5, cap: 3)
        let outcome = try await Self.sender(transport, clock: clock, retry: retry).send(plannedRecords(4))
        #expect(outcome.acknowledged.count == 4)
        #expect(outcome.failed.isEmpty)
        #expect(outcome.stats.retries == 6)
        #expect(outcome.stats.requests == 7)
        #expect(outcome.sent == 4)
        #expect(outcome.stats.possiblyDuplicated == 0, "a 5xx answer means not processed")
        Self.expectGaps(transport.requests, [0.5, 1, 2, 3, 3, 3])
    }

    @Test func retryAfterIsHonoured() async throws {
        let clock = ManualClock()
        let transport = ScriptedTransport([.status(503, retryAfter: 7)], clock: clock)
        let outcome = try await Self.sender(transport, clock: clock).send(plannedRecords(1))
        #expect(outcome.acknowledged.count == 1)
        Self.expectGaps(transport.requests, [7])
    }

    @Test func jitterIsDrawnBelowTheCeiling() async throws {
        let clock = ManualClock()
        let transport = ScriptedTransport([.status(500), .status(500), .status(500)], clock: clock)
        let outcome = try await Self.sender(transport, clock: clock, jitter: { $0 / 4 }).send(plannedRecords(1))
        #expect(outcome.acknowledged.count == 1)
        Self.expectGaps(transport.requests, [0.125, 0.25, 0.5])
    }

    @Test func serverErrorsGiveUpAfterMaxAttempts() async throws {
        let clock = ManualClock()
        let transport = ScriptedTransport(clock: clock) { _ in .status(500) }
        let outcome = try await Self.sender(transport, clock: clock, retry: RetryPolicy(maxAttempts: 3))
            .send(plannedRecords(2))
        #expect(outcome.acknowledged.isEmpty)
        #expect(outcome.failed.map(\.reason.rawValue) == ["http_500", "http_500"])
        #expect(outcome.failed[0].message.contains("gave up after 3 attempts"))
        #expect(transport.requests.count == 3)
        #expect(outcome.sent == 2)
    }

    // MARK: - 429 is back-pressure

    @Test func throttlingNeverUsesUpAttempts() async throws {
        let clock = ManualClock()
        let transport = ScriptedTransport(Array(repeating: .status(429), count: 20), clock: clock)
        let outcome = try await Self.sender(transport, clock: clock, retry: RetryPolicy(maxAttempts: 2))
            .send(plannedRecords(3))
        #expect(outcome.acknowledged.count == 3)
        #expect(outcome.failed.isEmpty)
        #expect(outcome.stats.throttled == 20)
        #expect(transport.requests.count == 21)
        // Capped at throttleCap (10 s), not the 30 s cap of other failures.
        #expect(Self.gaps(transport.requests).max()! <= 10 + 1e-6)
        Self.expectGaps(Array(transport.requests.prefix(7)), [0.5, 1, 2, 4, 8, 10])
    }

    @Test func throttlingGivesUpWhenRetryTimeoutRunsOut() async throws {
        let clock = ManualClock()
        let transport = ScriptedTransport(clock: clock) { _ in .status(429) }
        let retry = RetryPolicy(maxAttempts: 2, retryTimeout: 60)
        let outcome = try await Self.sender(transport, clock: clock, retry: retry).send(plannedRecords(2))
        #expect(outcome.acknowledged.isEmpty)
        #expect(outcome.failed.map(\.reason.rawValue) == ["http_429", "http_429"])
        #expect(outcome.failed[0].message.contains("retry_timeout"))
        #expect(clock.now <= 60, "waited past the budget: \(clock.now)")
        #expect(clock.now > 40, "gave up early: \(clock.now)")
        // Requests at 0, 0.5, 1.5, 3.5, 7.5, 15.5, 25.5, 35.5, 45.5, 55.5: one more 10 s wait would pass 60.
        #expect(transport.requests.count == 10)
        #expect(outcome.stats.possiblyDuplicated == 0)
    }

    @Test func aRetryAfterBeyondTheBudgetGivesUpAtOnce() async throws {
        let clock = ManualClock()
        let transport = ScriptedTransport([.status(429, retryAfter: 600)], clock: clock)
        let retry = RetryPolicy(maxAttempts: 6, retryTimeout: 120)
        let outcome = try await Self.sender(transport, clock: clock, retry: retry).send(plannedRecords(1))
        #expect(outcome.failed.map(\.reason.rawValue) == ["http_429"])
        #expect(transport.requests.count == 1)
        #expect(clock.now == 0)
    }

    @Test func throttlesAndServerErrorsCountSeparately() async throws {
        let clock = ManualClock()
        // 2 server errors within max_attempts 3, with 429s between them: delivered.
        let transport = ScriptedTransport(
            [.status(429), .status(500), .status(429), .status(429), .status(503), .status(429)], clock: clock)
        let outcome = try await Self.sender(transport, clock: clock, retry: RetryPolicy(maxAttempts: 3))
            .send(plannedRecords(1))
        #expect(outcome.acknowledged.count == 1)
        #expect(outcome.stats.throttled == 4)
        // Each kind backs off on its own count: 429 #1, 500 #1, 429 #2, 429 #3, 503 #2, 429 #4.
        Self.expectGaps(transport.requests, [0.5, 0.5, 1, 2, 1, 4])
    }

    // MARK: - Splitting on 400 and 413

    @Test func a400IsSplitDownToTheBadRecord() async throws {
        let clock = ManualClock()
        let transport = ScriptedTransport(clock: clock) { request in
            request.identities.contains("user5") ? .status(400) : .ok
        }
        let outcome = try await Self.sender(transport, clock: clock).send(plannedRecords(8))
        #expect(
            outcome.acknowledged.map(\.identity).sorted() == (0..<8).filter { $0 != 5 }.map { "user\($0)" }.sorted())
        #expect(outcome.rejected.map(\.record.identity) == ["user5"])
        #expect(outcome.rejected.map(\.reason.rawValue) == ["http_400"])
        // Depth first: 0–7 refused; 0–3 taken; 4–7 refused; 4–5 refused; 4 taken, 5 alone refused; 6–7 taken.
        #expect(transport.requests.map(\.identities.count) == [8, 4, 4, 2, 1, 1, 2])
        #expect(outcome.sent == 8, "each record counted once however many requests carried it")
        #expect(outcome.stats.retries == 0)
        #expect(clock.now == 0, "a split is not a retry: no backoff")
    }

    @Test func a413IsSplitToo() async throws {
        let clock = ManualClock()
        let transport = ScriptedTransport(clock: clock) { request in
            request.identities.count > 2 ? .status(413) : .ok
        }
        let outcome = try await Self.sender(transport, clock: clock).send(plannedRecords(8))
        #expect(outcome.acknowledged.count == 8)
        #expect(outcome.rejected.isEmpty)
        #expect(transport.requests.map(\.identities.count) == [8, 4, 2, 2, 4, 2, 2])
    }

    // MARK: - Mapping unprocessed items

    @Test func unprocessedItemsAreMappedBySkippedRecordNumber() async throws {
        let clock = ManualClock()
        let transport = ScriptedTransport(
            [.partial([(code: 515, number: 2, identity: nil), (code: 516, number: 4, identity: nil)])], clock: clock)
        let outcome = try await Self.sender(transport, clock: clock).send(plannedRecords(5))
        #expect(outcome.acknowledged.map(\.identity) == ["user0", "user2", "user4"])
        #expect(outcome.rejected.map(\.record.identity) == ["user1", "user3"])
        #expect(outcome.rejected.map(\.reason.rawValue) == ["515", "516"])
        #expect(outcome.rejected[0].message == "Scripted refusal.")
        #expect(transport.requests.count == 1)
    }

    @Test func unprocessedItemsWithoutANumberAreMappedByIdentity() async throws {
        let clock = ManualClock()
        let transport = ScriptedTransport(
            [.partial([(code: 523, number: nil, identity: "user3"), (code: 515, number: 1, identity: nil)])],
            clock: clock)
        let outcome = try await Self.sender(transport, clock: clock).send(plannedRecords(4))
        #expect(outcome.acknowledged.map(\.identity) == ["user1", "user2"])
        #expect(
            Set(outcome.rejected.map { "\($0.record.identity):\($0.reason.rawValue)" }) == ["user0:515", "user3:523"])
    }

    @Test func anItemThatCannotBePlacedAcknowledgesNothing() async throws {
        let clock = ManualClock()
        let transport = ScriptedTransport([.partial([(code: 515, number: nil, identity: "stranger")])], clock: clock)
        let outcome = try await Self.sender(transport, clock: clock).send(plannedRecords(3))
        #expect(outcome.acknowledged.isEmpty)
        #expect(
            outcome.failed.map(\.reason.rawValue) == ["unmatched_response", "unmatched_response", "unmatched_response"])
    }

    @Test func records555AreRetriedAlone() async throws {
        let clock = ManualClock()
        let transport = ScriptedTransport(
            [.partial([(code: 555, number: 2, identity: nil), (code: 515, number: 3, identity: nil)])], clock: clock)
        let outcome = try await Self.sender(transport, clock: clock).send(plannedRecords(3))
        #expect(outcome.acknowledged.map(\.identity) == ["user0", "user1"])
        #expect(outcome.rejected.map(\.record.identity) == ["user2"])
        #expect(transport.requests.map(\.identities) == [["user0", "user1", "user2"], ["user1"]])
        #expect(outcome.stats.retries == 1)
    }

    @Test func unauthorizedAbortsAndStopsTheSender() async throws {
        let clock = ManualClock()
        let transport = ScriptedTransport([.status(401)], clock: clock)
        let sender = try Self.sender(transport, clock: clock)
        let outcome = await sender.send(plannedRecords(2))
        guard case .unauthorized(let message) = outcome.abort else {
            Issue.record("not aborted: \(String(describing: outcome.abort))")
            return
        }
        #expect(message.contains("Account ID or Passcode is wrong"))
        #expect(sender.isStopped)
        let next = await sender.send(plannedRecords(2, prefix: "later"))
        #expect(next.sent == 0 && transport.requests.count == 1, "a stopped sender sends nothing")
    }

    // MARK: - What counts as sent

    @Test func aLostAnswerCountsEachRecordPossiblyDuplicatedOnce() async throws {
        let clock = ManualClock()
        let transport = ScriptedTransport(
            [.failure(.dropped("reset")), .failure(.dropped("reset")), .failure(.bodyTooLarge)], clock: clock)
        let outcome = try await Self.sender(transport, clock: clock).send(plannedRecords(4))
        #expect(outcome.acknowledged.count == 4)
        #expect(outcome.sent == 4)
        #expect(outcome.stats.possiblyDuplicated == 4)
        #expect(outcome.stats.retries == 3)
    }

    @Test func aTimedOutRequestKeepsItsSlotAndCountsPossiblyDuplicated() async throws {
        let clock = ManualClock()
        let transport = ScriptedTransport([.failure(.timeout)], clock: clock)
        let outcome = try await Self.sender(transport, clock: clock, timeout: 5).send(plannedRecords(2))
        #expect(outcome.acknowledged.count == 2)
        #expect(outcome.stats.possiblyDuplicated == 2)
        // The slot is held one more timeout (5 s), then the 0.5 s backoff.
        Self.expectGaps(transport.requests, [5.5])
    }

    @Test func aConnectionThatFailsBeforeTheBodyIsNotSent() async throws {
        let clock = ManualClock()
        let transport = ScriptedTransport(
            [.failure(.notDelivered("closed")), .failure(.notDelivered("closed"))], clock: clock)
        let outcome = try await Self.sender(transport, clock: clock, retry: RetryPolicy(maxAttempts: 2))
            .send(plannedRecords(3))
        #expect(outcome.failed.map(\.reason.rawValue) == ["connection_error", "connection_error", "connection_error"])
        #expect(outcome.sent == 0)
        #expect(outcome.stats.possiblyDuplicated == 0)
    }

    @Test func anUnreachableHostAbortsAfterTheConnectBudgetWithNothingSent() async throws {
        let clock = ManualClock()
        let transport = ScriptedTransport(clock: clock) { _ in .unreachable(.unresolved, host: "nonexistent.invalid") }
        let sender = try Self.sender(transport, clock: clock, retry: RetryPolicy(maxAttempts: 6, connectBudget: 10))
        let outcome = await sender.send(plannedRecords(5))
        guard case .unreachable(let host, let message) = outcome.abort else {
            Issue.record("not aborted: \(String(describing: outcome.abort))")
            return
        }
        #expect(host == "nonexistent.invalid")
        #expect(message.contains("cannot resolve host nonexistent.invalid"))
        #expect(message.contains("--endpoint") && message.contains("CTSYNC_ENDPOINT"))
        #expect(outcome.sent == 0 && outcome.stats.possiblyDuplicated == 0 && outcome.stats.requests == 0)
        #expect(outcome.failed.isEmpty, "unsent rows are not failures: the job is aborted")
        #expect(clock.now >= 10 - 1e-9 && clock.now < 10.5, "gave up at \(clock.now) s, the budget is 10 s")
        #expect(transport.requests.count > 1, "retried within the budget")
        #expect(sender.isStopped)
    }

    @Test func anUntrustedCertificateAbortsAtOnce() async throws {
        let clock = ManualClock()
        let transport = ScriptedTransport(clock: clock) { _ in .unreachable(.certificateNotTrusted) }
        let outcome = try await Self.sender(transport, clock: clock).send(plannedRecords(2))
        guard case .unreachable(_, let message) = outcome.abort else {
            Issue.record("not aborted: \(String(describing: outcome.abort))")
            return
        }
        #expect(message.contains("certificate not trusted"))
        #expect(message.contains("--ca-file") && message.contains("SSL_CERT_FILE"))
        #expect(transport.requests.count == 1)
    }

    @Test func aHostThatComesBackWithinTheBudgetIsNotAnAbort() async throws {
        let clock = ManualClock()
        let transport = ScriptedTransport(
            [.unreachable(.refused), .unreachable(.refused), .unreachable(.noRoute)], clock: clock)
        let retry = RetryPolicy(maxAttempts: 1, connectBudget: 10)
        let outcome = try await Self.sender(transport, clock: clock, retry: retry).send(plannedRecords(2))
        #expect(outcome.abort == nil)
        #expect(outcome.acknowledged.count == 2, "failures to connect use no attempts")
        #expect(outcome.sent == 2 && outcome.stats.requests == 1)
    }

    /// Random scripts of every answer, seeded: whatever happens, each record ends once
    /// (acknowledged, rejected, failed, or unsent when aborted) and
    /// `possibly_duplicated ≤ sent ≤ planned`.
    @Test func accountingInvariantsHoldUnderRandomScripts() async throws {
        let seed = UInt64.random(in: 1...UInt64(UInt32.max))
        var generator = SeededGenerator(seed: seed)
        let answers: [ScriptedTransport.Answer] = [
            .ok, .ok, .ok, .status(429), .status(500), .status(400), .status(413), .failure(.timeout),
            .failure(.dropped("x")), .failure(.notDelivered("x")), .failure(.bodyTooLarge), .unreachable(.refused),
            .partial([(code: 515, number: 1, identity: nil)]), .partial([(code: 555, number: 2, identity: nil)]),
            .partial([(code: 523, number: nil, identity: "user0")]),
        ]
        for trial in 0..<200 {
            let count = Int.random(in: 1...12, using: &generator)
            let script = (0..<Int.random(in: 0...30, using: &generator)).map { _ in
                answers.randomElement(using: &generator)!
            }
            let clock = ManualClock()
            let transport = ScriptedTransport(script, clock: clock)
            let retry = RetryPolicy(maxAttempts: Int.random(in: 1...6, using: &generator), retryTimeout: 120)
            let outcome = try await Self.sender(transport, clock: clock, retry: retry, timeout: 2).send(
                plannedRecords(count))
            let context = "seed \(seed), trial \(trial), \(count) records"
            let settled =
                outcome.acknowledged.map(\.identity) + outcome.rejected.map(\.record.identity)
                + outcome.failed.map(\.record.identity)
            #expect(Set(settled).count == settled.count, "a record ended twice: \(context)")
            if outcome.abort == nil {
                #expect(settled.count == count, "records lost: \(context)")
            } else {
                #expect(settled.count <= count, "\(context)")
            }
            #expect(outcome.stats.possiblyDuplicated <= outcome.sent, "\(context)")
            #expect(outcome.sent <= count, "\(context)")
            #expect(
                outcome.acknowledged.count + outcome.rejected.count <= outcome.sent, "answered but not sent: \(context)"
            )
        }
    }
}
