import Foundation
import Synchronization
import Testing

@testable import CTSyncPlan
@testable import CTSyncReport
@testable import CTSyncSession
@testable import CTSyncSpec
@testable import CTSyncState
@testable import CTSyncSupport
@testable import CTSyncUpload
@testable import CleverTapContract

/// A transport whose first `answered` requests succeed at once and whose later ones
/// hang until cancelled, then fail as `cancelled` says (as AsyncHTTPClient does: by
/// whether the body had gone out).
final class HangingTransport: UploadTransport {
    private let answered: Int
    private let cancelled: TransportFailure
    private let count = Mutex(0)
    private let hanging = Mutex(0)

    init(answered: Int, cancelled: TransportFailure) {
        self.answered = answered
        self.cancelled = cancelled
    }

    /// Requests waiting for their cancellation now.
    var waiting: Int { hanging.withLock { $0 } }

    func send(_ request: UploadRequest) async -> Result<HTTPReply, TransportFailure> {
        let number = count.withLock { count in
            count += 1
            return count
        }
        if number <= answered {
            return .success(
                HTTPReply(status: 200, body: Array(#"{"status":"success","processed":1,"unprocessed":[]}"#.utf8)))
        }
        hanging.withLock { $0 += 1 }
        defer { hanging.withLock { $0 -= 1 } }
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(5))
        }
        return .failure(cancelled)
    }
}

/// `JobRunner.stopNow` (a second interrupt): requests in flight are cancelled, their
/// records are neither acknowledged nor failed, and they count as sent (and possibly
/// duplicated) only when they may have reached the server.
@Suite("job runner, stopped at once")
struct StopNowTests {
    func stopNow(cancelled: TransportFailure) async throws -> RunReport {
        let dir = TemporaryDirectory()
        // Concurrency 2: two batches of 5 acknowledged, then two hang in flight.
        let spec = try JobRunnerScriptedTests.job(rows: 40, batchSize: 5, in: dir)
        let store = try SQLiteStateStore(path: dir.path + "/state.sqlite", readOnly: false)
        defer { store.shutdown() }
        let transport = HangingTransport(answered: 2, cancelled: cancelled)
        let runner = JobRunner(
            spec: spec, store: store, transport: transport, accountWindow: RequestWindow(capacity: 15),
            settings: RunSettings(endpoint: try Endpoint(region: .in1, override: nil), full: false))
        let running = Task { await runner.run() }
        try await eventually(.seconds(120), "two requests in flight") { transport.waiting == 2 }
        runner.stopNow()
        let report = await running.value
        #expect(report.status == .aborted)
        #expect(report.abortReason == AbortReason.interruptedTwice.message)
        #expect(report.counts.succeeded == 10)
        #expect(report.counts.failed == 0)
        #expect(report.counts.rejected == 0)
        #expect(report.errors.total == 0)
        // The two answered batches, whichever took the window first.
        #expect(try JobRunnerScriptedTests.recorded(store, spec: spec, rows: 40).count == 10)
        return report
    }

    @Test func cancelledRequestsThatMayHaveArrivedArePossiblyDuplicated() async throws {
        let report = try await stopNow(cancelled: .dropped("cancelled"))
        #expect(report.counts.sent == 20)
        #expect(report.counts.possiblyDuplicated == 10)
    }

    @Test func cancelledRequestsThatNeverWentOutAreNotSent() async throws {
        let report = try await stopNow(cancelled: .notDelivered("cancelled"))
        #expect(report.counts.sent == 10)
        #expect(report.counts.possiblyDuplicated == 0)
    }

    /// The session decides how an interrupt escalates; the CLI only says it and quits on the third.
    @Test func interruptsEscalate() throws {
        let session = RunSession(jobs: [], options: RunOptions(state: .sqlite(path: "/nonexistent/state.sqlite")))
        #expect(!session.isInterrupted)
        #expect(session.interrupt() == .stopping)
        #expect(session.isInterrupted)
        #expect(session.interrupt() == .stoppingNow(deadline: RunSession.forcedStopDeadline))
        #expect(session.interrupt() == .quitNow)
        #expect(session.interrupt() == .quitNow)
    }
}
