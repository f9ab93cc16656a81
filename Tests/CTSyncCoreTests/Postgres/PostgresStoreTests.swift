import Foundation
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

/// `--state postgres://…`: parsing, never a password from the URL or in a message.
@Suite("PostgreSQL state URL")
struct PostgresLocationTests {
    @Test func parsesUserHostPortDatabaseAndSSLMode() throws {
        let location = try PostgresLocation(
            parsing: "postgres://sync@db.internal:6543/warehouse?sslmode=verify-full", environment: [:])
        #expect(location.host == "db.internal")
        #expect(location.port == 6543)
        #expect(location.user == "sync")
        #expect(location.database == "warehouse")
        #expect(location.sslMode == .verifyFull)
        #expect(location.password == nil)
        #expect(location.description == "postgres://sync@db.internal:6543/warehouse?sslmode=verify-full")
    }

    @Test func defaultsLikeLibpq() throws {
        let location = try PostgresLocation(parsing: "postgresql://[::1]", environment: ["PGUSER": "etl"])
        #expect(location.host == "::1")
        #expect(location.port == 5432)
        #expect(location.user == "etl")
        #expect(location.database == "etl")
        #expect(location.sslMode == .prefer)
        #expect(location.description == "postgres://etl@[::1]:5432/etl")
    }

    @Test func passwordComesFromTheEnvironmentOnly() throws {
        let url = "postgres://sync@db:5432/state"
        #expect(try PostgresLocation(parsing: url, environment: ["PGPASSWORD": "pg"]).password == "pg")
        #expect(
            try PostgresLocation(parsing: url, environment: ["PGPASSWORD": "pg", "CTSYNC_STATE_PASSWORD": "own"]).password
                == "own")
        let location = try PostgresLocation(parsing: url, environment: ["PGPASSWORD": "hunter2"])
        #expect(!location.description.contains("hunter2"))
        for text in [
            "\(location)", String(reflecting: location), "\(StateLocation.postgres(location))",
            String(reflecting: StateLocation.postgres(location)), "\([location])",
        ] {
            #expect(!text.contains("hunter2"), "\(text)")
        }
    }

    @Test func urlWithAPasswordIsRefusedAndNeverEchoed() throws {
        for text in [
            "postgres://sync:hunter2@db:5432/state", "postgresql://sync:hunter2@db/state?sslmode=require",
            "postgres://sync@db/state?password=hunter2",
        ] {
            #expect {
                _ = try StateLocation(parsing: text, environment: [:])
            } throws: { error in
                guard case StateError.passwordInURL(let url) = error else { return false }
                let message = "\(error)"
                return !url.contains("hunter2") && !message.contains("hunter2") && message.contains("PGPASSWORD")
                    && message.contains("***")
            }
        }
        #expect {
            _ = try StateLocation(parsing: "mysql://root:hunter2@db/x", environment: [:])
        } throws: { error in
            !"\(error)".contains("hunter2") && "\(error)".contains("postgres://")
        }
    }

    @Test(arguments: [
        ("postgres://sync@db:99999/x", "port \"99999\" is not a number from 1 to 65535"),
        ("postgres://sync@db/x?sslmode=maybe", "sslmode must be one of disable, prefer, require, verify-ca, verify-full"),
        ("postgres://sync@db/x?schema=y", "unknown parameter \"schema\" (known: sslmode, sslrootcert)"),
        ("postgres:///x", "no host (unix sockets are not supported; use 127.0.0.1)"),
    ])
    func malformedURLsSayWhy(_ text: String, _ reason: String) throws {
        #expect(throws: StateError.invalidURL(url: text, reason: reason)) {
            _ = try StateLocation(parsing: text, environment: ["PGUSER": "sync"])
        }
    }

    @Test func cliRefusesAPasswordInTheURLWithUsageExitAndNoEcho() async throws {
        let dir = TemporaryDirectory()
        let job = dir.write(
            "job.yaml",
            """
            version: 1
            name: crm
            destination: { region: in1, account_id: "1", passcode: "${CLEVERTAP_PASSCODE}" }
            source: { file: contacts.csv }
            object: profiles
            mode: upsert
            primary_key: id
            mappings:
              - { from: email, to: identity }
            """)
        dir.write("contacts.csv", "id,email\n1,a@example.com\n")
        for command in ["plan", "run"] {
            let result = try await ctsync(
                command, job, "--state", "postgres://sync:hunter2@127.0.0.1:1/state",
                environment: ["CLEVERTAP_PASSCODE": "x"], directory: dir.path)
            #expect(result.status == 64, "\(result.stderr)")
            #expect(result.stderr.contains("contains a password"))
            #expect(!(result.stdout + result.stderr).contains("hunter2"))
        }
    }
}

/// The PostgreSQL store's schema: created, versioned, and refused when it is not ours.
@Suite("PostgreSQL state schema", .enabled(if: PostgresTestDatabase.isConfigured, PostgresTestDatabase.skipMessage))
struct PostgresSchemaTests {
    @Test func createdOnceVersionedAndReopened() async throws {
        let database = try await PostgresTestDatabase()
        for _ in 0..<2 {
            let store = try #require(try PostgresStateStore.open(database.location, readOnly: false))
            store.shutdown()
        }
        #expect(try await database.scalar("SELECT count(*) FROM ctsync_schema_version") == "\(PostgresSchema.current)")
        #expect(try await database.scalar("SELECT max(version) FROM ctsync_schema_version") == "\(PostgresSchema.current)")
        for table in PostgresSchema.tables {
            #expect(try await database.scalar("to_regclass('\(table)') IS NOT NULL") == "true")
        }
    }

    /// After a big load the table gets statistics at once: without them every warm-plan
    /// chunk scans all of the job's rows (53 s instead of 3.5 s at 1M rows).
    @Test func aBigLoadIsAnalyzedSmallWritesAreNot() async throws {
        let database = try await PostgresTestDatabase()
        let store = try #require(try PostgresStateStore.open(database.location, readOnly: false))
        defer { store.shutdown() }
        @Sendable func write(_ range: Range<Int>) throws {
            try store.acknowledge(
                range.map { Acknowledgement(key: "k\($0)", hash: RecordHash(high: UInt64($0), low: 1)) }, job: JobKey(name: "crm", destination: nil), spec: 7)
        }
        // reltuples is -1 until the table was first analyzed (or vacuumed); autovacuum,
        // which could get there first, is off for this table.
        try await database.execute("ALTER TABLE ctsync_acks SET (autovacuum_enabled = false)")
        let never = "SELECT reltuples < 0 FROM pg_class WHERE relname = 'ctsync_acks'"
        try await runDetached { try write(0..<500) }
        try await runDetached { store.jobFinished() }
        #expect(try await database.scalar(never) == "true")
        try await runDetached {
            for start in stride(from: 500, to: PostgresStateStore.analyzeAfterRows + 500, by: 1000) {
                try write(start..<(start + 1000))
            }
            store.jobFinished()
        }
        #expect(try await database.scalar(never) == "false")
        #expect(try await database.scalar("SELECT reltuples::int FROM pg_class WHERE relname = 'ctsync_acks'") == "\(PostgresStateStore.analyzeAfterRows + 500)")
    }

    @Test func planReadsAnEmptyDatabaseAsNoStateAndCreatesNothing() async throws {
        let database = try await PostgresTestDatabase()
        #expect(try PostgresStateStore.open(database.location, readOnly: true) == nil)
        #expect(try await database.scalar("to_regclass('ctsync_schema_version') IS NULL") == "true")
    }

    @Test func concurrentFirstRunsMigrateOnce() async throws {
        let database = try await PostgresTestDatabase()
        let location = database.location
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    try await runDetached { try PostgresStateStore.open(location, readOnly: false)?.shutdown() }
                }
            }
            try await group.waitForAll()
        }
        #expect(try await database.scalar("SELECT count(*) FROM ctsync_schema_version") == "\(PostgresSchema.current)")
    }

    @Test func newerSchemaIsRefused() async throws {
        let database = try await PostgresTestDatabase()
        try PostgresStateStore.open(database.location, readOnly: false)?.shutdown()
        try await database.execute("INSERT INTO ctsync_schema_version (version, applied_by) VALUES (7, 'ctsync 9')")
        let expected = StateError.newerDatabaseSchema(url: database.url, found: 7, known: PostgresSchema.current)
        #expect(throws: expected) { _ = try PostgresStateStore.open(database.location, readOnly: false) }
        #expect(throws: expected) { _ = try PostgresStateStore.open(database.location, readOnly: true) }
        #expect("\(expected)".contains("upgrade ctsync"))
    }

    @Test func tablesThatAreNotOursAreRefused() async throws {
        let database = try await PostgresTestDatabase()
        try await database.execute("CREATE TABLE ctsync_jobs (id integer, owner text)")
        let expected = StateError.foreignSchema(
            url: database.url, detail: "table ctsync_jobs exists, but no ctsync_schema_version table says ctsync made it")
        #expect(throws: expected) { _ = try PostgresStateStore.open(database.location, readOnly: false) }
        #expect(throws: expected) { _ = try PostgresStateStore.open(database.location, readOnly: true) }
        // Nothing was created beside the foreign table.
        #expect(try await database.scalar("to_regclass('ctsync_acks') IS NULL") == "true")

        let other = try await PostgresTestDatabase()
        try await other.execute("CREATE TABLE ctsync_schema_version (release text)")
        #expect(
            throws: StateError.foreignSchema(
                url: other.url, detail: "table ctsync_schema_version is not ctsync's (no version column)")
        ) { _ = try PostgresStateStore.open(other.location, readOnly: false) }
    }

    @Test func unreachableServerAndMissingDatabaseAreClearErrors() async throws {
        let database = try await PostgresTestDatabase()
        var closed = database.location
        closed.port = try freePort()
        #expect {
            _ = try PostgresStateStore.open(closed, readOnly: false)
        } throws: { error in
            guard case StateError.database(let url, let message) = error else { return false }
            return url == closed.description && message.contains("cannot connect") && message.contains("refused")
        }
        var missing = database.location
        missing.database = "no_such_database_here"
        #expect {
            _ = try PostgresStateStore.open(missing, readOnly: true)
        } throws: { error in
            "\(error)".contains("database \"no_such_database_here\" does not exist")
        }
    }
}


/// A TCP port nothing listens on (bound and released).
func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
    }
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}
