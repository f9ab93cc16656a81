import Foundation
import Testing

@testable import CTSyncPlan
@testable import CTSyncReport
@testable import CTSyncSpec
@testable import CTSyncState
@testable import CTSyncSupport
@testable import CTSyncUpload
@testable import CleverTapContract

/// A whole job over a scripted transport, with a real SQLite state: state records
/// exactly what was acknowledged, and the next run sends exactly the rest.
@Suite("job runner, scripted")
struct JobRunnerScriptedTests {
    /// A profiles job over `rows` contacts in a fresh folder, batches of `batchSize`.
    static func job(rows: Int, batchSize: Int, in dir: TemporaryDirectory) throws -> JobSpec {
        var csv = "id,email,name\n"
        for i in 0..<rows { csv += "\(i),user\(i)@example.com,User \(i)\n" }
        dir.write("contacts.csv", csv)
        let path = dir.write(
            "profiles.yaml",
            """
            version: 1
            name: profiles
            destination: { region: in1, account_id: "${CLEVERTAP_ACCOUNT_ID}", passcode: "${CLEVERTAP_PASSCODE}" }
            source: { file: contacts.csv }
            object: profiles
            primary_key: id
            mappings:
              - { from: email, to: identity }
              - { from: name, to: Name }
            options:
              batch_size: \(batchSize)
              concurrency: 2
              max_attempts: 2
            """)
        let loaded = JobLoader.load(
            path: path, environment: ["CLEVERTAP_ACCOUNT_ID": "123", "CLEVERTAP_PASSCODE": "s3cr3t"],
            unsetVariableSeverity: .error)
        return try #require(loaded.spec, "\(loaded.diagnostics)")
    }

    static func run(_ spec: JobSpec, store: any StateStore, transport: ScriptedTransport, clock: ManualClock)
        async throws
        -> RunReport
    {
        let runner = JobRunner(
            spec: spec, store: store, transport: transport, accountWindow: RequestWindow(capacity: 15),
            settings: RunSettings(
                endpoint: try Endpoint(region: .in1, override: Self.endpoint), full: false),
            pacing: clock.pacing())
        return await runner.run()
    }

    /// CleverTap's own host: the scripted transport never connects to it.
    static let endpoint: String? = nil

    /// Which keys of `0..<rows` state holds for the job at its destination.
    static func recorded(_ store: SQLiteStateStore, spec: JobSpec, rows: Int) throws -> Set<String> {
        let key = Planner(
            spec: spec, state: store, endpoint: try Endpoint(region: .in1, override: endpoint), full: false
        ).key
        let lookup = try store.makeLookup(job: key)
        defer { lookup.close() }
        return Set(try (0..<rows).map(String.init).filter { try lookup.find($0) != nil })
    }

    @Test func stateRecordsOnlyAcknowledgedRecordsAndTheRerunSendsTheRest() async throws {
        let dir = TemporaryDirectory()
        let spec = try Self.job(rows: 10, batchSize: 5, in: dir)
        let store = try SQLiteStateStore(path: dir.path + "/state.sqlite", readOnly: false)
        let clock = ManualClock()
        // Rows 0–4: row 1 refused (515), row 3 a 555 that keeps failing; rows 5–9: a 500 until max_attempts.
        let transport = ScriptedTransport(clock: clock) { request in
            if request.identities.contains("user5@example.com") { return .status(500) }
            if request.identities.count == 5 {
                return .partial([(code: 515, number: 2, identity: nil), (code: 555, number: 4, identity: nil)])
            }
            return .partial([(code: 555, number: 1, identity: nil)])
        }
        let report = try await Self.run(spec, store: store, transport: transport, clock: clock)
        #expect(report.status == .failed)
        #expect(report.counts.plan.added == 10)
        #expect(report.counts.succeeded == 3)
        #expect(report.counts.rejected == 1)
        #expect(report.counts.failed == 6)
        #expect(report.counts.sent == 10)
        #expect(try Self.recorded(store, spec: spec, rows: 10) == ["0", "2", "4"])
        #expect(report.errors.groups.keys.map(\.rawValue).sorted() == ["515", "555", "http_500"])

        // The rerun, answered in full, sends exactly the seven records not acknowledged.
        let again = ScriptedTransport(clock: clock)
        let rerun = try await Self.run(spec, store: store, transport: again, clock: clock)
        #expect(rerun.status == .succeeded)
        #expect(rerun.counts.plan.unchanged == 3)
        #expect(rerun.counts.succeeded == 7)
        #expect(
            Set(again.requests.flatMap(\.identities)) == Set([1, 3, 5, 6, 7, 8, 9].map { "user\($0)@example.com" }))
        #expect(try Self.recorded(store, spec: spec, rows: 10) == Set((0..<10).map(String.init)))
    }

    @Test func anAbortedJobRecordsWhatWasAcknowledgedBeforeIt() async throws {
        let dir = TemporaryDirectory()
        let spec = try Self.job(rows: 20, batchSize: 5, in: dir)
        let store = try SQLiteStateStore(path: dir.path + "/state.sqlite", readOnly: false)
        let clock = ManualClock()
        // The first batch gets in; then the host stops answering connections.
        let transport = ScriptedTransport([.ok], clock: clock) { _ in .unreachable(.refused, host: "api.example.test") }
        let report = try await Self.run(spec, store: store, transport: transport, clock: clock)
        #expect(report.status == .aborted)
        #expect(report.counts.succeeded == 5)
        #expect(report.counts.sent == 5, "requests that never connected are not sent")
        #expect(report.http.possiblyDuplicated == 0)
        #expect(report.abortReason?.contains("api.example.test") == true)
        #expect(try Self.recorded(store, spec: spec, rows: 20).count == 5)
    }
}
