import ClevertapSandbox
import Foundation
import Synchronization
import Testing

@testable import CTSyncSupport
@testable import CleverTapContract
@testable import CTSyncSpec
@testable import CTSyncPlan
@testable import CTSyncState
@testable import CTSyncReport
@testable import CTSyncSession

/// CleverTap's account-wide limits kept across runs (issue 14.4): state remembers the
/// event names and property keys CleverTap acknowledged per destination, runs reserve
/// the new ones they plan, and rows that would pass a budget are rejected with how much
/// of it is used — across processes, on both backends.
@Suite("event budgets across runs")
struct EventBudgetTests {
    /// Writes `file` with one row per (name, copy): id, email, event, and a column per property.
    static func writeEvents(
        _ fixture: RunFixture, _ file: String, names: [String], copies: Int = 1, properties: [String: String] = [:]
    ) {
        let columns = properties.keys.sorted()
        var csv = "id,email,event" + columns.map { ",\($0)" }.joined() + "\n"
        for (n, name) in names.enumerated() {
            for copy in 0..<copies {
                csv += "\(file)-\(n)-\(copy),user\(n)@example.com,\(name)" + columns.map { ",\(properties[$0]!)" }.joined() + "\n"
            }
        }
        fixture.dir.write(file, csv)
    }

    /// An events job named `name` reading `file`, mapping `properties` (column = key).
    static func eventsJob(
        _ fixture: RunFixture, _ name: String, file: String, properties: [String] = [], limits: String = ""
    ) -> String {
        let mapped = properties.map { "  - { from: \($0), to: \($0) }\n" }.joined()
        return fixture.dir.write(
            "\(name).yaml",
            """
            version: 1
            name: \(name)
            destination:
              region: in1
              account_id: "${CLEVERTAP_ACCOUNT_ID}"
              passcode: "${CLEVERTAP_PASSCODE}"
            \(limits.isEmpty ? "" : "  limits: \(limits)")
            source: { file: \(file) }
            object: events
            primary_key: id
            mappings:
              - { from: email, to: identity }
              - { from: event, to: evtName }
              - { value: 1700000000, to: ts }
            \(mapped)
            options: { batch_size: 50, concurrency: 4, max_rejected: 100% }
            """)
    }

    /// The done-when of issue 14.4: run 1 acknowledges 500 event names; run 2 brings 20
    /// new ones in two jobs of the account, run as two ctsync processes at once: 12 are
    /// sent, 8 rejected with the budget's reason, never more than 512 between them.
    @Test(arguments: StateBackend.configured)
    func twoProcessesNeverPassTheEventNameBudget(_ backend: StateBackend) async throws {
        try await RunFixture.with { fixture in
            let state = try await TestState(backend, directory: fixture.dir)
            Self.writeEvents(fixture, "first.csv", names: (0..<500).map { "Event \($0)" })
            let first = Self.eventsJob(fixture, "first", file: "first.csv")
            let (run1, report1) = try await fixture.run(first, state: state.argument)
            #expect(run1.status == 0, "\(run1.stderr)")
            #expect(report1.counts.succeeded == 500)
            #expect(fixture.server.stats().accounts["123"]?.eventNames == 500)

            // Three rows a name, so a refused name's every row is rejected alike.
            Self.writeEvents(fixture, "a.csv", names: (0..<10).map { "New A\($0)" }, copies: 3)
            Self.writeEvents(fixture, "b.csv", names: (0..<10).map { "New B\($0)" }, copies: 3)
            let a = Self.eventsJob(fixture, "a", file: "a.csv")
            let b = Self.eventsJob(fixture, "b", file: "b.csv")
            let processA = try fixture.start(a, state: state.argument, report: fixture.dir.path + "/a.json")
            let processB = try fixture.start(b, state: state.argument, report: fixture.dir.path + "/b.json")
            #expect(try await processA.exitStatus() == 0)
            #expect(try await processB.exitStatus() == 0)
            let reportA = try OutputContract.decode(RunReportDocument.self, file: fixture.dir.path + "/a.json", schema: "report")
            let reportB = try OutputContract.decode(RunReportDocument.self, file: fixture.dir.path + "/b.json", schema: "report")
            let reports = [reportA, reportB]
            #expect(reports.map(\.counts.succeeded).reduce(0, +) == 12 * 3, "\(reports.map(\.counts))")
            #expect(reports.map(\.counts.invalid).reduce(0, +) == 8 * 3)
            #expect(reports.map(\.counts.rejected).reduce(0, +) == 0, "CleverTap refused nothing")
            let refused = reports.compactMap { $0.errors["too_many_event_names"] }
            #expect(refused.map(\.count).reduce(0, +) == 8 * 3)
            for sample in refused.flatMap(\.samples) {
                #expect(sample.message.hasPrefix("event name budget: 512 of 512 used ("), "\(sample.message)")
                #expect(sample.field == "evtName")
            }
            #expect(fixture.server.stats().accounts["123"]?.eventNames == 512)

            // State holds 512 acknowledged names and no reservation: status shows it.
            let status = try await runProcessDetached(
                Products.ctsync, ["status", "--format", "json", "--state", state.argument],
                environment: fixture.environment, directory: fixture.dir.path)
            #expect(status.status == 0, "\(status.stderr)")
            let document = try OutputContract.decode(StatusDocument.self, status.stdout, schema: "status")
            let budget = try #require(document.budgets.first)
            #expect(document.budgets.count == 1)
            #expect(budget.destination.account == "123")
            #expect(budget.eventNames == StatusDocument.BudgetUseDocument(BudgetUse(acknowledged: 512, reserved: 0, limit: 512)))
            #expect(budget.events.count == 512)
            let text = try await runProcessDetached(
                Products.ctsync, ["status", "--state", state.argument], environment: fixture.environment,
                directory: fixture.dir.path)
            #expect(text.stdout.contains("event names: 512 of 512 used (512 acknowledged, 0 reserved)"), "\(text.stdout)")

            // A plan counts against state without reserving: another new name is refused.
            Self.writeEvents(fixture, "c.csv", names: ["Event 7", "Brand new"])
            let c = Self.eventsJob(fixture, "c", file: "c.csv")
            let plan = try await runProcessDetached(
                Products.ctsync, ["plan", c, "--format", "json", "--state", state.argument],
                environment: fixture.environment, directory: fixture.dir.path)
            let planned = try JSONDocument.parse(plan.stdout)
            #expect(planned["counts"]?["planned"]?.int == 1, "\(plan.stdout)")
            #expect(planned["counts"]?["invalid"]?.int == 1)
        }
    }

    /// In one process the figures are exact: the run reserves its first 12 new names
    /// while planning, and the 13th finds the budget full.
    @Test func aConfiguredBudgetRejectsWithHowMuchIsUsed() async throws {
        try await RunFixture.with { fixture in
            Self.writeEvents(fixture, "first.csv", names: (0..<18).map { "Event \($0)" })
            let first = Self.eventsJob(fixture, "first", file: "first.csv", limits: "{ event_names: 30 }")
            let (run1, _) = try await fixture.run(first)
            #expect(run1.status == 0, "\(run1.stderr)")
            Self.writeEvents(fixture, "second.csv", names: (0..<20).map { "Later \($0)" } + ["Event 3"])
            let second = Self.eventsJob(fixture, "second", file: "second.csv", limits: "{ event_names: 30 }")
            let (run2, report) = try await fixture.run(second)
            #expect(run2.status == 0, "\(run2.stderr)")
            #expect(report.counts.succeeded == 13, "12 new names and one known")
            #expect(report.counts.invalid == 8)
            let group = try #require(report.errors["too_many_event_names"])
            #expect(group.count == 8)
            #expect(
                group.samples.first?.message
                    == "event name budget: 30 of 30 used (18 acknowledged, 12 reserved) for account 123 (in1); \"Later 12\" is a new event name and would pass it (destination.limits.event_names; CleverTap keeps 512 an account, its system events included)"
            )
            #expect(fixture.server.stats().accounts["123"]?.eventNames == 30)
            // The run's reservations became acknowledged names; nothing stays reserved.
            let store = try SQLiteStateStore(path: fixture.statePath, readOnly: true)
            let destination = try #require(try store.allJobs().first?.key.destination)
            let snapshot = try store.budget(at: destination, run: nil)
            #expect(snapshot.nameUse(limit: 30) == BudgetUse(acknowledged: 30, reserved: 0, limit: 30))
            #expect(snapshot.limits == AccountLimits(eventNames: 30, propertiesPerEvent: 256))
        }
    }

    /// Property keys per event name: counted across runs like names.
    @Test(arguments: StateBackend.configured)
    func propertiesPerEventAreCountedAcrossRuns(_ backend: StateBackend) async throws {
        try await RunFixture.with { fixture in
            let state = try await TestState(backend, directory: fixture.dir)
            let limits = "{ properties_per_event: 3 }"
            Self.writeEvents(fixture, "first.csv", names: ["Order"], properties: ["Amount": "1", "Color": "red"])
            let first = Self.eventsJob(fixture, "first", file: "first.csv", properties: ["Amount", "Color"], limits: limits)
            let (run1, _) = try await fixture.run(first, state: state.argument)
            #expect(run1.status == 0, "\(run1.stderr)")
            // Rows: Amount alone (known), Amount+Size (the third key), Amount+Size+Weight (a fourth).
            fixture.dir.write(
                "second.csv",
                """
                id,email,event,Amount,Size,Weight
                s1,a@example.com,Order,2,,
                s2,b@example.com,Order,3,XL,
                s3,c@example.com,Order,4,L,12
                s4,d@example.com,Order,5,M,
                """)
            let second = Self.eventsJob(
                fixture, "second", file: "second.csv", properties: ["Amount", "Size", "Weight"], limits: limits)
            let (run2, report) = try await fixture.run(second, state: state.argument)
            #expect(run2.status == 0, "\(run2.stderr)")
            #expect(report.counts.succeeded == 3)
            let group = try #require(report.errors["too_many_event_properties"])
            #expect(group.count == 1)
            #expect(
                group.samples.first?.message
                    == "property budget of event \"Order\": 3 of 3 used (2 acknowledged, 1 reserved); the row adds 1 new key (\"Weight\") and would pass it (destination.limits.properties_per_event)"
            )
            #expect(group.samples.first?.row == 4)
            let status = try await runProcessDetached(
                Products.ctsync, ["status", "--format", "json", "--state", state.argument],
                environment: fixture.environment, directory: fixture.dir.path)
            let document = try OutputContract.decode(StatusDocument.self, status.stdout, schema: "status")
            let order = try #require(document.budgets.first?.events.first)
            #expect(order.name == "Order" && order.acknowledged)
            #expect(order.properties == StatusDocument.BudgetUseDocument(BudgetUse(acknowledged: 3, reserved: 0, limit: 3)))
        }
    }

    // MARK: The stores

    static let destination = CleverTapDestination(account: "123", region: "in1", endpoint: "http://127.0.0.1:1/in1")

    /// Records a run of `job` that has started, so its reservations count for others.
    static func started(_ store: any StateStore, _ id: String, job: String) throws -> RunRecord {
        let run = RunRecord(
            id: id, job: JobKey(name: job, destination: destination), startedAt: Date(), ctsyncVersion: "test",
            host: "test", pid: 1)
        try store.runStarted(run, source: "file:\(job)")
        return run
    }

    /// Two stores (two connections, as two processes have) reserving 20 new names each
    /// at once against a budget of 12: 12 are granted between them, never more.
    @Test(arguments: StateBackend.configured)
    func concurrentReservationsNeverPassTheBudget(_ backend: StateBackend) async throws {
        let state = try await TestState(backend)
        let limits = AccountLimits(eventNames: 12)
        let granted = try await withThrowingTaskGroup(of: Int.self) { group in
            for side in ["a", "b"] {
                group.addTask {
                    try await runDetached {
                        let store = try state.openForWriting()
                        defer { store.shutdown() }
                        let run = try Self.started(store, "run-\(side)", job: "job-\(side)")
                        _ = try store.beginBudget(at: Self.destination, run: run.id, limits: limits)
                        var granted = 0
                        for n in 0..<20 {
                            let decision = try store.reserve(
                                BudgetRequest(eventName: "\(side)\(n)", keys: ["k"]), at: Self.destination, run: run.id,
                                limits: limits)
                            if decision == .granted { granted += 1 }
                        }
                        return granted
                    }
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(granted == 12)
        try await runDetached {
            let store = try state.openForWriting()
            defer { store.shutdown() }
            let snapshot = try store.budget(at: Self.destination, run: nil)
            #expect(snapshot.nameUse(limit: 12) == BudgetUse(acknowledged: 0, reserved: 12, limit: 12))
        }
    }

    /// Reservations turn into acknowledged names with the records; those never
    /// acknowledged are released at the run's end, and a finished run's stop counting.
    @Test(arguments: StateBackend.configured)
    func reservationsAreAcknowledgedOrReleased(_ backend: StateBackend) async throws {
        let state = try await TestState(backend)
        try await runDetached {
            let store = try state.openForWriting()
            defer { store.shutdown() }
            let limits = AccountLimits(eventNames: 3, propertiesPerEvent: 2)
            var a = try Self.started(store, "run-a", job: "a")
            let b = try Self.started(store, "run-b", job: "b")
            for name in ["x", "y"] {
                #expect(
                    try store.reserve(
                        BudgetRequest(eventName: name, keys: ["p"]), at: Self.destination, run: a.id, limits: limits)
                        == .granted)
            }
            // The same name reserved by both runs counts once.
            #expect(
                try store.reserve(BudgetRequest(eventName: "x", keys: []), at: Self.destination, run: b.id, limits: limits)
                    == .granted)
            #expect(
                try store.reserve(BudgetRequest(eventName: "z", keys: []), at: Self.destination, run: b.id, limits: limits)
                    == .granted)
            #expect(
                try store.reserve(BudgetRequest(eventName: "w", keys: []), at: Self.destination, run: b.id, limits: limits)
                    == .eventNamesExhausted(BudgetUse(acknowledged: 0, reserved: 3, limit: 3)))
            // Keys of one name: p is reserved, q fits, r would be the third.
            #expect(
                try store.reserve(
                    BudgetRequest(eventName: "x", keys: ["q", "r"]), at: Self.destination, run: b.id, limits: limits)
                    == .propertiesExhausted(BudgetUse(acknowledged: 0, reserved: 1, limit: 2), newKeys: ["q", "r"]))
            // CleverTap acknowledged a record of x with p: x and p are acknowledged.
            try store.acknowledge(
                [], job: a.job, spec: 1,
                budget: BudgetAcknowledgement(destination: Self.destination, run: a.id, events: ["x": ["p"]]))
            var snapshot = try store.budget(at: Self.destination, run: nil)
            #expect(snapshot.events["x"] == BudgetSnapshot.Event(acknowledged: true, acknowledgedKeys: ["p"]))
            #expect(snapshot.nameUse(limit: 3) == BudgetUse(acknowledged: 1, reserved: 2, limit: 3))
            // Run a ends: y, never acknowledged, is released; x stays.
            try store.releaseReservations(run: a.id)
            a.finishedAt = Date()
            a.outcome = .succeeded
            try store.runFinished(a)
            snapshot = try store.budget(at: Self.destination, run: nil)
            #expect(Set(snapshot.events.keys) == ["x", "z"])
            // Run b was killed (never finished) and a later run of its job marked it
            // interrupted: its reservations stop counting, and the next run drops them.
            _ = try Self.started(store, "run-b2", job: "b")
            snapshot = try store.beginBudget(at: Self.destination, run: "run-b2", limits: limits)
            #expect(Set(snapshot.events.keys) == ["x"])
            #expect(snapshot.limits == limits)
        }
    }
}
