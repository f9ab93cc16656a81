import Foundation
import Synchronization
import Testing

@testable import CTSyncSupport
@testable import CleverTapContract
@testable import CTSyncSpec
@testable import CTSyncPlan
@testable import CTSyncState
@testable import CTSyncSession

/// State schema migrations, each tested from every earlier version: state that ctsync
/// 0.1 wrote (schema 1, `Fixtures/state/v1`, never edited) is read as it is by `plan`,
/// migrated by a run, and adopted by the first run whose spec matches it.
@Suite("state migrations")
struct StateMigrationTests {
    typealias P = PlannerTests

    /// Plans a fixture job against `store` with the fixtures' endpoint.
    static func plan(_ job: String, in dir: TemporaryDirectory, state: (any StateStore)?) throws -> PlanSummary {
        let spec = try P.job(dir, try String(contentsOfFile: dir.path + "/\(job).yaml", encoding: .utf8), name: "\(job).yaml")
        let endpoint = try Endpoint(region: .in1, override: StateFixtures.endpoint)
        return try Planner(spec: spec, state: state, endpoint: endpoint, full: false).run { _ in }
    }

    static func expectAdopted(_ dir: TemporaryDirectory, _ store: any StateStore) throws {
        let crm = try plan("crm", in: dir, state: store)
        #expect(crm.baseline.kind == .adopted)
        #expect(crm.baseline.readFrom == JobKey(name: "crm", destination: nil))
        #expect(crm.counts.unchanged == 3 && crm.counts.planned == 0, "\(crm.counts)")
        #expect(!crm.mappingChanged)
        let orders = try plan("orders", in: dir, state: store)
        #expect(orders.baseline.kind == .adopted)
        #expect(orders.counts.unchanged == 2 && orders.counts.planned == 0, "\(orders.counts)")
    }

    // MARK: SQLite

    @Test func sqliteV1IsReadAsItIsByAPlan() async throws {
        let dir = TemporaryDirectory()
        try StateFixtures.copyJobs(to: dir)
        let path = dir.path + "/state.sqlite"
        try FileManager.default.copyItem(atPath: try StateFixtures.path("state.sqlite"), toPath: path)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let store = try SQLiteStateStore(path: path, readOnly: true)
        #expect(store.schemaVersion == 1)
        #expect(
            try store.allJobs().map(\.key) == [
                JobKey(name: "crm", destination: nil), JobKey(name: "orders", destination: nil),
            ])
        #expect(try store.runs(named: "crm", limit: 10) == [])
        try Self.expectAdopted(dir, store)
        // The file is not migrated by reading it.
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    @Test func sqliteV1MigratesToV2KeepingEveryRow() async throws {
        let dir = TemporaryDirectory()
        try StateFixtures.copyJobs(to: dir)
        let path = dir.path + "/state.sqlite"
        try FileManager.default.copyItem(atPath: try StateFixtures.path("state.sqlite"), toPath: path)
        let store = try SQLiteStateStore(path: path, readOnly: false)
        #expect(store.schemaVersion == SQLiteStateStore.currentVersion)
        #expect(SQLiteStateStore.currentVersion == 3)
        let jobs = try store.allJobs()
        #expect(jobs.map(\.key.name) == ["crm", "orders"])
        #expect(jobs.allSatisfy { $0.key.destination == nil && $0.spec == nil && $0.fingerprint != nil })
        #expect(try store.acknowledgedCount(job: JobKey(name: "crm", destination: nil)) == 3)
        #expect(try store.acknowledgedCount(job: JobKey(name: "orders", destination: nil)) == 2)
        let ack = try #require(try store.acknowledgement(of: "1", job: JobKey(name: "crm", destination: nil)))
        #expect(ack.hash.hex == "f3f9d16f063c10e4950081596d327bb6")
        #expect(ack.acknowledgedAt == Date(timeIntervalSince1970: 1_796_679_205))
        try Self.expectAdopted(dir, store)
        let tables = try runProcess(
            "/usr/bin/env",
            ["python3", "-c", "import sqlite3; c=sqlite3.connect('\(path)'); print(sorted(r[0] for r in c.execute(\"select name from sqlite_master where type='table'\")), [r[0] for r in c.execute('select identifier from grdb_migrations')], c.execute('pragma foreign_key_check').fetchall())"]
        ).stdout
        #expect(
            tables.trimmingCharacters(in: .whitespacesAndNewlines)
                == "['ctsync_acks', 'ctsync_destinations', 'ctsync_event_names', 'ctsync_event_properties', 'ctsync_jobs', 'ctsync_runs', 'grdb_migrations'] ['v1', 'v2', 'v3'] []")
        // Opening again changes nothing.
        _ = try SQLiteStateStore(path: path, readOnly: false)
        #expect(try SQLiteStateStore(path: path, readOnly: true).schemaVersion == 3)
    }

    /// The first run whose spec matches adopts the state: it moves under the run's
    /// destination, keeps its keys, and the next plan finds nothing changed.
    @Test(arguments: StateBackend.configured)
    func legacyStateIsAdoptedByTheFirstMatchingRun(_ backend: StateBackend) async throws {
        let dir = TemporaryDirectory()
        try StateFixtures.copyJobs(to: dir)
        let state = try await Self.v1State(backend, dir)
        try await runDetached {
            let store = try state.location.openForWriting()
            defer { store.shutdown() }
            let spec = try P.job(dir, try String(contentsOfFile: dir.path + "/crm.yaml", encoding: .utf8), name: "crm.yaml")
            let endpoint = try Endpoint(region: .in1, override: StateFixtures.endpoint)
            let planner = Planner(spec: spec, state: store, endpoint: endpoint, full: false)
            #expect(try planner.baseline().kind == .adopted)
            try store.adoptLegacyState(job: "crm", to: planner.destination)
            #expect(try store.jobs(named: "crm").map(\.key) == [planner.key])
            let adopted = try planner.run { _ in }
            #expect(adopted.baseline.kind == .unchanged)
            #expect(adopted.counts.unchanged == 3)
            try store.setSpec(adopted.canonicalSpec, job: planner.key)
            let after = try planner.run { _ in }
            #expect(after.baseline.kind == .unchanged && after.counts.unchanged == 3)
            // The other job's legacy state stays until its own run adopts it.
            #expect(try store.jobs(named: "orders").map(\.key.destination) == [nil])
        }
    }

    /// Legacy state that does not match (other mappings, or another destination: the
    /// legacy fingerprint cannot tell) is not adopted, and the plan says so.
    @Test(arguments: StateBackend.configured)
    func legacyStateThatDoesNotMatchIsNotAdopted(_ backend: StateBackend) async throws {
        let dir = TemporaryDirectory()
        try StateFixtures.copyJobs(to: dir)
        let state = try await Self.v1State(backend, dir)
        try await runDetached {
            let store = try state.location.openForWriting()
            defer { store.shutdown() }
            let yaml = try String(contentsOfFile: dir.path + "/crm.yaml", encoding: .utf8)
            let spec = try P.job(dir, yaml.replacing("to: Name }", with: "to: Name, transform: [trim] }"), name: "crm.yaml")
            let endpoint = try Endpoint(region: .in1, override: StateFixtures.endpoint)
            let summary = try Planner(spec: spec, state: store, endpoint: endpoint, full: false).run { _ in }
            #expect(summary.baseline.kind == .noState)
            #expect(summary.baseline.unadoptedLegacy)
            #expect(summary.counts.added == 3)
            #expect(summary.baseline.messages(object: .profiles).contains { $0.contains("written by an earlier ctsync") })
            let production = try Planner(
                spec: try P.job(dir, yaml, name: "crm.yaml"), state: store, endpoint: try Endpoint(region: .in1, override: nil),
                full: false
            ).run { _ in }
            #expect(production.baseline.kind == .noState && production.counts.added == 3)
        }
    }

    @Test func sqliteNewerSchemaIsRefusedEitherWay() async throws {
        let dir = TemporaryDirectory()
        let path = dir.path + "/state.sqlite"
        _ = try SQLiteStateStore(path: path, readOnly: false)
        let insert = try runProcess(
            "/usr/bin/env",
            ["python3", "-c", "import sqlite3; c=sqlite3.connect('\(path)'); c.execute(\"insert into grdb_migrations values ('v4')\"); c.commit()"])
        #expect(insert.status == 0, "\(insert.stderr)")
        let expected = StateError.newerSchema(path: path, found: "v4")
        #expect(throws: expected) { _ = try SQLiteStateStore(path: path, readOnly: false) }
        #expect(throws: expected) { _ = try SQLiteStateStore(path: path, readOnly: true) }
        #expect("\(expected)".contains("upgrade ctsync"))
    }

    /// `status` of schema-1 state: its jobs without destination, no runs; nothing migrated.
    @Test func statusReadsSchemaOneState() async throws {
        let dir = TemporaryDirectory()
        let path = dir.path + "/state.sqlite"
        try FileManager.default.copyItem(atPath: try StateFixtures.path("state.sqlite"), toPath: path)
        let result = try await ctsync("status", "--format", "json", "--state", path)
        #expect(result.status == 0, "\(result.stderr)")
        let status = try JSONDocument.parse(result.stdout)
        #expect(DocumentSchemaCheck.violations(of: status, against: try DocumentSchemaCheck.committed("status")) == [])
        #expect(status["jobs"]?.array.map { $0["name"]?.string ?? "" } == ["crm", "orders"])
        let crm = try #require(status["jobs"]?[0]?["destinations"]?[0])
        #expect(crm["destination"]?.isNull == true)
        #expect(crm["keys"]?.int == 3)
        #expect(crm["last_run"]?.isNull == true)
        #expect(try SQLiteStateStore(path: path, readOnly: true).schemaVersion == 1)
    }

    /// `ctsync run` adopts legacy state whose fingerprint matches: it sends nothing that
    /// state already holds, says so, and records the state under its destination.
    @Test(arguments: StateBackend.configured)
    func aRunAdoptsMatchingLegacyState(_ backend: StateBackend) async throws {
        try await StateCommandFixture.with(backend, rows: 120) { fixture in
            let environment = fixture.base.environment
            let loaded = JobLoader.load(path: fixture.job, environment: environment, unsetVariableSeverity: .error)
            let spec = try #require(loaded.spec)
            let endpoint = try Endpoint(region: .in1, override: environment["CTSYNC_ENDPOINT"])
            let legacy = JobKey(name: "profiles", destination: nil)
            let fingerprint = LegacySpecFingerprint.of(spec, endpoint: endpoint.base)
            try await runDetached {
                let store = try fixture.state.location.openForWriting() as! any StateMaintenance
                defer { store.shutdown() }
                let collected = Mutex<[PlannedRecord]>([])
                _ = try Planner(spec: spec, state: nil, endpoint: endpoint, full: false).run { chunk in
                    collected.withLock { $0 += chunk.records }
                }
                // What ctsync 0.1 left: keys under the job's name alone, with its fingerprint.
                try store.restore(StoredJob(key: legacy, fingerprint: fingerprint, spec: nil, source: nil))
                try store.restore(
                    collected.withLock { $0 }.prefix(100).map {
                        StoredAcknowledgement(key: $0.key, hash: $0.hash, spec: fingerprint, acknowledgedAt: Date())
                    }, job: legacy)
            }
            let plan = try await fixture.ctsync(["plan", fixture.job, "--format", "json"])
            #expect(try JSONDocument.parse(plan.stdout)["state"]?["baseline"]?.string == "adopted", "\(plan.stdout)")

            let run = try await fixture.ctsync(["run", fixture.job, "--report", fixture.dir.path + "/r.json"])
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stderr.contains("state written by an earlier ctsync (before destinations were recorded) matches"), "\(run.stderr)")
            let report = try JSONDocument.parse(fixture.dir.read("r.json"))
            #expect(report["counts"]?["unchanged"]?.int == 100)
            #expect(report["counts"]?["added"]?.int == 20)
            #expect(report["mapping_changed"]?.bool == false)
            try await runDetached {
                let store = try #require(try fixture.state.location.openForReading())
                defer { store.shutdown() }
                let jobs = try store.jobs(named: "profiles")
                #expect(jobs.count == 1)
                #expect(jobs.first?.key.destination?.endpoint == endpoint.normalized)
                #expect(jobs.first?.spec != nil)
                #expect(try store.acknowledgedCount(job: jobs[0].key) == 120)
                #expect(try store.runs(named: "profiles", limit: 5).first?.fullSync == nil)
            }
            let again = try await fixture.ctsync(["plan", fixture.job, "--format", "json"])
            let document = try JSONDocument.parse(again.stdout)
            #expect(document["state"]?["baseline"]?.string == "unchanged")
            #expect(document["counts"]?["unchanged"]?.int == 120)
        }
    }

    // MARK: PostgreSQL

    @Test(.enabled(if: PostgresTestDatabase.isConfigured, PostgresTestDatabase.skipMessage))
    func postgresV1IsReadAsItIsThenMigrated() async throws {
        let dir = TemporaryDirectory()
        try StateFixtures.copyJobs(to: dir)
        let state = try await Self.v1State(.postgres, dir)
        let database = try #require(state.postgres)
        try await runDetached {
            let reader = try #require(try PostgresStateStore.open(database.location, readOnly: true))
            defer { reader.shutdown() }
            #expect(reader.schemaVersion == 1)
            #expect(try reader.runs(named: "crm", limit: 5) == [])
            try Self.expectAdopted(dir, reader)
        }
        #expect(try await database.scalar("SELECT max(version) FROM ctsync_schema_version") == "1")
        try await runDetached {
            let store = try #require(try PostgresStateStore.open(database.location, readOnly: false))
            defer { store.shutdown() }
            #expect(store.schemaVersion == PostgresSchema.current)
            #expect(PostgresSchema.current == 3)
            #expect(try store.allJobs().map(\.key) == [JobKey(name: "crm", destination: nil), JobKey(name: "orders", destination: nil)])
            #expect(try store.acknowledgedCount(job: JobKey(name: "crm", destination: nil)) == 3)
            let ack = try #require(try store.acknowledgement(of: "o2", job: JobKey(name: "orders", destination: nil)))
            #expect(ack.hash.hex == "81b57776c4af12fbd0692c93ce997634")
            try Self.expectAdopted(dir, store)
        }
        #expect(try await database.scalar("SELECT string_agg(version::text, ',' ORDER BY version) FROM ctsync_schema_version") == "1,2,3")
        for table in PostgresSchema.tables {
            #expect(try await database.scalar("to_regclass('\(table)') IS NOT NULL") == "true", "\(table)")
        }
        // Job names are unique per destination now, not overall.
        #expect(try await database.scalar("SELECT count(*) FROM pg_constraint WHERE conname = 'ctsync_jobs_name_key'") == "0")
    }

    // MARK: Schema 2 to 3

    /// Schema-2 state (`Fixtures/state/v2`, written by the last ctsync before schema 3)
    /// is read as it is, then migrated by a writer keeping every job, key and run; its
    /// budgets start empty (schema 2 did not record event names) and work at once.
    @Test(arguments: StateBackend.configured)
    func v2MigratesToV3KeepingEveryRow(_ backend: StateBackend) async throws {
        let dir = TemporaryDirectory()
        try StateFixtures.copyJobs(to: dir, version: 2)
        let state = try await Self.v2State(backend, dir)
        let destination = CleverTapDestination(
            account: "123", region: "in1", endpoint: try Endpoint(region: .in1, override: StateFixtures.endpoint).normalized)
        try await runDetached {
            let reader = try #require(try state.location.openForReading())
            defer { reader.shutdown() }
            #expect((reader as? SQLiteStateStore)?.schemaVersion ?? (reader as? PostgresStateStore)?.schemaVersion == 2)
            try Self.expectV2Rows(reader, dir, destination)
            #expect(try reader.budget(at: destination, run: nil) == BudgetSnapshot())
        }
        try await runDetached {
            let store = try state.location.openForWriting()
            defer { store.shutdown() }
            #expect((store as? SQLiteStateStore)?.schemaVersion ?? (store as? PostgresStateStore)?.schemaVersion == 3)
            try Self.expectV2Rows(store, dir, destination)
            let run = RunRecord(
                id: "after-migration", job: JobKey(name: "orders", destination: destination), startedAt: Date(),
                ctsyncVersion: "test", host: "test", pid: 1)
            try store.runStarted(run, source: "x")
            let limits = AccountLimits(eventNames: 1)
            #expect(try store.beginBudget(at: destination, run: run.id, limits: limits).events.isEmpty)
            #expect(
                try store.reserve(BudgetRequest(eventName: "Charged", keys: ["Amount"]), at: destination, run: run.id, limits: limits)
                    == .granted)
            #expect(
                try store.reserve(BudgetRequest(eventName: "Other", keys: []), at: destination, run: run.id, limits: limits)
                    == .eventNamesExhausted(BudgetUse(acknowledged: 0, reserved: 1, limit: 1)))
        }
        switch backend {
        case .sqlite:
            let tables = try runProcess(
                "/usr/bin/env",
                ["python3", "-c", "import sqlite3; c=sqlite3.connect('\(state.argument)'); print([r[0] for r in c.execute('select identifier from grdb_migrations')], c.execute('pragma foreign_key_check').fetchall())"]
            ).stdout
            #expect(tables.trimmingCharacters(in: .whitespacesAndNewlines) == "['v1', 'v2', 'v3'] []")
        case .postgres:
            let database = try #require(state.postgres)
            #expect(
                try await database.scalar("SELECT string_agg(version::text, ',' ORDER BY version) FROM ctsync_schema_version")
                    == "1,2,3")
            for table in PostgresSchema.tables {
                #expect(try await database.scalar("to_regclass('\(table)') IS NOT NULL") == "true", "\(table)")
            }
        }
    }

    /// A ctsync that knows schema 2 meets schema 3 (here: this one meets a schema
    /// newer than it knows) and refuses it, with a message that says to upgrade.
    @Test(.enabled(if: PostgresTestDatabase.isConfigured, PostgresTestDatabase.skipMessage))
    func postgresNewerThanThreeIsRefused() async throws {
        let state = try await TestState(.postgres)
        let database = try #require(state.postgres)
        try await runDetached { try state.openForWriting().shutdown() }
        try await database.execute("INSERT INTO ctsync_schema_version (version, applied_by) VALUES (4, 'ctsync 0.3')")
        let expected = StateError.newerDatabaseSchema(url: database.url, found: 4, known: 3)
        #expect(throws: expected) { _ = try PostgresStateStore.open(database.location, readOnly: true) }
        #expect("\(expected)".contains("written by a newer ctsync (this one knows up to 3); upgrade ctsync"))
        let status = try await runProcessDetached(Products.ctsync, ["status", "--state", database.url])
        #expect(status.status == 1)
        #expect(status.stderr.contains("schema version 4, written by a newer ctsync"), "\(status.stderr)")
    }

    /// The rows of the v2 fixtures, as a store of either schema reads them.
    static func expectV2Rows(_ store: any StateStore, _ dir: TemporaryDirectory, _ destination: CleverTapDestination) throws {
        #expect(try store.allJobs().map(\.key) == [
            JobKey(name: "crm", destination: destination), JobKey(name: "orders", destination: destination),
        ])
        #expect(try store.acknowledgedCount(job: JobKey(name: "crm", destination: destination)) == 3)
        #expect(try store.acknowledgedCount(job: JobKey(name: "orders", destination: destination)) == 2)
        #expect(try store.runs(named: "orders", limit: 5).map(\.outcome) == [.succeeded])
        let orders = try plan("orders", in: dir, state: store)
        #expect(orders.baseline.kind == .unchanged && orders.counts.unchanged == 2, "\(orders.counts)")
    }

    /// Schema-2 state in the backend, as `v1State`.
    static func v2State(_ backend: StateBackend, _ dir: TemporaryDirectory) async throws -> TestState {
        let state = try await TestState(backend, directory: dir)
        switch backend {
        case .sqlite:
            try FileManager.default.copyItem(atPath: try StateFixtures.path("state.sqlite", version: 2), toPath: state.argument)
        case .postgres:
            let database = try #require(state.postgres)
            for statement in try StateFixtures.postgresStatements(version: 2) { try await database.execute(statement) }
        }
        return state
    }

    /// Schema-1 state in the backend: the fixture file, or the fixture dump loaded
    /// into a fresh database.
    static func v1State(_ backend: StateBackend, _ dir: TemporaryDirectory) async throws -> TestState {
        let state = try await TestState(backend, directory: dir)
        switch backend {
        case .sqlite:
            try FileManager.default.copyItem(atPath: try StateFixtures.path("state.sqlite"), toPath: state.argument)
        case .postgres:
            let database = try #require(state.postgres)
            for statement in try StateFixtures.postgresStatements() { try await database.execute(statement) }
        }
        return state
    }
}
