import Foundation
import Synchronization
import Testing

@testable import CTSyncSupport
@testable import CleverTapContract
@testable import CTSyncSpec
@testable import CTSyncSource
@testable import CTSyncMapping
@testable import CTSyncPlan
@testable import CTSyncState
@testable import CTSyncReport
@testable import CTSyncUpload
@testable import CTSyncSession

/// The planner's state diff, the same scenarios over every configured backend
/// (SQLite, and PostgreSQL when CTSYNC_TEST_POSTGRES_URL is set).
@Suite("state diff over each backend")
struct StateBackendTests {
    typealias P = PlannerTests

    /// Opens the backend's store for a test and closes its pool afterwards. The
    /// body runs on a thread of its own: store calls block.
    static func withStore(
        _ backend: StateBackend, _ body: @escaping @Sendable (any StateStore, TemporaryDirectory) throws -> Void
    ) async throws {
        let dir = TemporaryDirectory()
        let state = try await TestState(backend, directory: dir)
        try await runDetached {
            let store = try state.openForWriting()
            defer { (store as? PostgresStateStore)?.shutdown() }
            try body(store, dir)
        }
    }

    static func acknowledge(_ records: [PlannedRecord], in store: any StateStore, job: JobKey, spec: UInt64) throws {
        try store.acknowledge(records.map { Acknowledgement(key: $0.key, hash: $0.hash) }, job: job, spec: spec)
    }

    @Test("PostgreSQL tests need a server", .enabled(if: PostgresTestDatabase.isConfigured, PostgresTestDatabase.skipMessage))
    func postgresIsAvailable() async throws {
        let database = try await PostgresTestDatabase()
        #expect(try await database.scalar("SELECT 1") == "1")
    }

    @Test(arguments: StateBackend.configured)
    func secondPlanSendsOnlyChangedRows(_ backend: StateBackend) async throws {
        try await Self.withStore(backend) { store, dir in
            dir.write("contacts.csv", P.contacts)
            let spec = try P.job(dir, P.profilesJob)
            let (first, records, _) = try P.plan(spec, state: store)
            try Self.acknowledge(records, in: store, job: first.key("crm"), spec: first.specFingerprint)
            try store.setSpec(first.canonicalSpec, job: first.key("crm"))

            let (again, none, _) = try P.plan(spec, state: store)
            #expect(none.isEmpty)
            #expect(again.counts.unchanged == 3)
            #expect(again.counts.invalid == 4)
            #expect(again.mappingChanged == false)

            dir.write(
                "contacts.csv",
                P.contacts.replacing("Eve,", with: "Eve Changed,") + "7,new@example.com,New,+14155557777,1468308340\r\n")
            let (changed, planned, _) = try P.plan(spec, state: store)
            #expect(changed.counts.changed == 1)
            #expect(changed.counts.added == 1)
            #expect(planned.map(\.change) == [.changed, .added])

            let (full, fullRecords, _) = try P.plan(spec, state: store, full: true)
            #expect(full.counts.planned == 4)
            #expect(fullRecords.count == 4)
        }
    }

    @Test(arguments: StateBackend.configured)
    func insertModeNeverResendsAcknowledgedKeys(_ backend: StateBackend) async throws {
        try await Self.withStore(backend) { store, dir in
            dir.write("contacts.csv", P.contacts)
            let spec = try P.job(dir, P.profilesJob.replacing("mode: upsert", with: "mode: insert"))
            let (first, records, _) = try P.plan(spec, state: store)
            try Self.acknowledge(records, in: store, job: first.key("crm"), spec: first.specFingerprint)
            dir.write("contacts.csv", P.contacts.replacing("Eve,", with: "Eve Changed,"))
            let (second, planned, _) = try P.plan(spec, state: store)
            #expect(planned.isEmpty)
            #expect(second.counts.unchanged == 3)
        }
    }

    @Test(arguments: StateBackend.configured)
    func rowRejectedLastTimeIsPlannedAgain(_ backend: StateBackend) async throws {
        try await Self.withStore(backend) { store, dir in
            dir.write("contacts.csv", P.contacts)
            let spec = try P.job(dir, P.profilesJob)
            let (first, records, _) = try P.plan(spec, state: store)
            try Self.acknowledge(records.filter { $0.line != 6 }, in: store, job: first.key("crm"), spec: first.specFingerprint)
            let (second, planned, _) = try P.plan(spec, state: store)
            #expect(planned.map(\.line) == [6])
            #expect(second.counts.added == 1)
        }
    }

    @Test(arguments: StateBackend.configured)
    func mappingChangeResyncsProfilesButNeverEvents(_ backend: StateBackend) async throws {
        try await Self.withStore(backend) { store, dir in
            dir.write("contacts.csv", P.contacts)
            let spec = try P.job(dir, P.profilesJob)
            let (first, records, _) = try P.plan(spec, state: store)
            try Self.acknowledge(records, in: store, job: first.key("crm"), spec: first.specFingerprint)
            try store.setSpec(first.canonicalSpec, job: first.key("crm"))
            let remapped = try P.job(dir, P.profilesJob.replacing("to: Phone }", with: "to: Phone, transform: [trim] }"))
            let (second, planned, _) = try P.plan(remapped, state: store)
            #expect(second.mappingChanged)
            #expect(planned.count == 3)
            #expect(second.counts.changed == 3)
            let moved = try P.job(dir, P.profilesJob.replacing("${CLEVERTAP_ACCOUNT_ID}", with: "999"))
            let (elsewhere, _, _) = try P.plan(moved, state: store)
            #expect(elsewhere.baseline.kind == .noState && elsewhere.counts.added == 3)

            dir.write("orders.jsonl", #"{"id":"o1","email":"a@example.com","at":1468208340123}"# + "\n")
            let yaml = """
                version: 1
                name: orders
                destination: { region: in1, account_id: "1", passcode: "${CLEVERTAP_PASSCODE}" }
                source: { file: orders.jsonl }
                object: events
                mode: insert
                primary_key: id
                mappings:
                  - { from: email, to: identity }
                  - { value: Charged, to: evtName }
                  - { from: at, to: ts, transform: [ms_to_s] }
                """
            let events = try P.job(dir, yaml, name: "orders.yaml")
            let (firstEvents, sent, _) = try P.plan(events, state: store)
            try Self.acknowledge(sent, in: store, job: firstEvents.key("orders"), spec: firstEvents.specFingerprint)
            try store.setSpec(firstEvents.canonicalSpec, job: firstEvents.key("orders"))
            let changed = try P.job(dir, yaml + "\n  - { from: id, to: Order }", name: "orders.yaml")
            let (again, none, _) = try P.plan(changed, state: store)
            #expect(again.mappingChanged)
            #expect(none.isEmpty)
            #expect(again.counts.unchanged == 1)
        }
    }

    /// Enough rows for several prefetch chunks (2048 keys each), a third of them
    /// acknowledged, some of those since changed; acknowledgements in batches of
    /// 1000 with repeated and re-acknowledged keys.
    @Test(arguments: StateBackend.configured)
    func manyChunksDiffExactly(_ backend: StateBackend) async throws {
        try await Self.withStore(backend) { store, dir in
            let rows = 10_000
            func write(changedEvery: Int) {
                var csv = "id,email,name,phone,seen_ms\n"
                for i in 0..<rows {
                    let name = changedEvery > 0 && i % changedEvery == 0 ? "Changed \(i)" : "User \(i)"
                    csv += "k\(i),user\(i)@example.com,\(name),+14155550000,1468308340\n"
                }
                dir.write("contacts.csv", csv)
            }
            write(changedEvery: 0)
            let spec = try P.job(dir, P.profilesJob)
            let (first, records, _) = try P.plan(spec, state: store)
            #expect(first.counts.added == rows)
            let chosen = records.enumerated().filter { $0.offset % 3 == 0 }.map(\.element)
            for start in stride(from: 0, to: chosen.count, by: 1000) {
                let batch = Array(chosen[start..<min(start + 1000, chosen.count)])
                // A key twice in one batch, and the batch again: the last hash wins, once.
                try Self.acknowledge(batch + batch.prefix(3), in: store, job: first.key("crm"), spec: first.specFingerprint)
                try Self.acknowledge(batch, in: store, job: first.key("crm"), spec: first.specFingerprint)
            }
            try store.setSpec(first.canonicalSpec, job: first.key("crm"))
            #expect(try store.acknowledgedCount(job: first.key("crm")) == chosen.count)

            write(changedEvery: 5)
            let (second, planned, _) = try P.plan(spec, state: store)
            // Acknowledged (i % 3 == 0) and changed (i % 5 == 0): i % 15 == 0.
            let changed = (0..<rows).filter { $0 % 15 == 0 }.count
            #expect(second.counts.changed == changed)
            #expect(second.counts.unchanged == chosen.count - changed)
            #expect(second.counts.added == rows - chosen.count)
            #expect(planned.count == rows - chosen.count + changed)
            #expect(planned.filter { $0.change == .changed }.allSatisfy { Int($0.key.dropFirst())! % 15 == 0 })
        }
    }
}
