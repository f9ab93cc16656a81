import Foundation
import GRDB
internal import GRDBSQLite
import CTSyncPlan
import CTSyncSupport
import CleverTapContract

/// State in an embedded SQLite file (WAL mode). GRDB owns the schema, migrations
/// and transactions; the per-row paths (lookups, acknowledgement inserts) step
/// prepared statements directly, which is 1.4 to 2.5 times faster (performance.md).
public final class SQLiteStateStore: StateStore {
    private let pool: (any DatabaseWriter)?
    private let reader: any DatabaseReader
    public let path: String
    /// The file's schema version: `currentVersion` once opened for writing (which
    /// migrates); a read-only store reads older versions as they are.
    public let schemaVersion: Int

    /// Tags our files so a foreign SQLite database is refused rather than written into ('ctsy').
    static let applicationID: Int32 = 0x6374_7379

    public init(path: String, readOnly: Bool) throws(StateError) {
        self.path = path
        do {
            try SQLiteStateStore.checkHeader(path)
            if readOnly {
                var configuration = Configuration()
                configuration.readonly = true
                let queue = try DatabaseQueue(path: path, configuration: configuration)
                // An empty database (a run killed while creating it) holds no state yet.
                try queue.read { db in try SQLiteStateStore.checkIdentity(db, path: path, allowEmpty: true) }
                try queue.read { db in try SQLiteStateStore.checkSchema(db, path: path) }
                schemaVersion = try queue.read { db in try SQLiteStateStore.appliedVersion(db) }
                pool = nil
                reader = queue
            } else {
                // State holds primary keys (often emails or phone numbers): folders we create
                // are 0700 and the file 0600 (SQLite gives its -wal and -shm files the
                // database file's mode), whatever the umask.
                try PrivateFile.makeDirectory(Paths.directory(of: path))
                // One process at a time checks, creates and migrates the file: several runs
                // starting at once on a new state must not see each other's half-made schema.
                let locks = LockFileCoordinator.directory(forStateFile: path)
                try PrivateFile.makeDirectory(locks)
                let opening = try LockFile(path: locks + "/open.lock")
                try opening.lock()
                defer {
                    opening.unlock()
                    opening.close()
                }
                try PrivateFile.createIfMissing(path)
                var configuration = Configuration()
                configuration.busyMode = .timeout(10)
                let writer = try DatabasePool(path: path, configuration: configuration)
                try writer.writeWithoutTransaction { db in
                    try SQLiteStateStore.checkIdentity(db, path: path, allowEmpty: true)
                }
                try writer.read { db in try SQLiteStateStore.checkSchema(db, path: path) }
                try SQLiteStateStore.migrator.migrate(writer)
                try writer.writeWithoutTransaction { db in
                    try db.execute(sql: "PRAGMA application_id = \(SQLiteStateStore.applicationID)")
                }
                schemaVersion = try writer.read { db in try SQLiteStateStore.appliedVersion(db) }
                pool = writer
                reader = writer
            }
        } catch let error as StateError {
            throw error
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB || error.resultCode == .SQLITE_CORRUPT {
            throw .notADatabase(path: path)
        } catch {
            throw .io(path: path, message: "\(error)")
        }
    }

    // MARK: Schema

    /// The schema's migrations, by GRDB identifier, in order: each is a contract with
    /// the ctsync versions that wrote the earlier ones (forward only, never edited).
    ///
    /// - `v1` (ctsync 0.1): `ctsync_jobs` (one row a job name, its spec fingerprint)
    ///   and `ctsync_acks`.
    /// - `v2`: state per job *and destination* — `ctsync_destinations`, and
    ///   `ctsync_jobs` rebuilt with `destination_id` (NULL for v1 rows until a run
    ///   adopts them), the canonical `spec` and the `source` identity, unique by
    ///   (name, destination); `ctsync_runs`, the run history.
    /// - `v3`: account limits kept across runs — `ctsync_event_names` and
    ///   `ctsync_event_properties`, per destination, each row acknowledged (`run_id` '')
    ///   or reserved by a run; the destination's declared budgets.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            // Tagged in the same transaction as the tables: no moment shows them untagged.
            try db.execute(sql: "PRAGMA application_id = \(applicationID)")
            try db.execute(
                sql: """
                    CREATE TABLE ctsync_jobs (
                        id INTEGER PRIMARY KEY,
                        name TEXT NOT NULL UNIQUE,
                        spec_fingerprint INTEGER,
                        updated_at TEXT NOT NULL
                    );
                    CREATE TABLE ctsync_acks (
                        job_id INTEGER NOT NULL REFERENCES ctsync_jobs(id),
                        key TEXT NOT NULL,
                        hash BLOB NOT NULL,
                        spec INTEGER NOT NULL,
                        acked_at INTEGER NOT NULL,
                        PRIMARY KEY (job_id, key)
                    ) WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration("v2") { db in
            // SQLite cannot drop the UNIQUE of `name`: the table is rebuilt, keeping its
            // ids (the acknowledgements refer to them). GRDB runs a migration with
            // foreign keys off and checks them all before it commits.
            try db.execute(
                sql: """
                    CREATE TABLE ctsync_destinations (
                        id INTEGER PRIMARY KEY,
                        account TEXT NOT NULL,
                        region TEXT NOT NULL,
                        endpoint TEXT NOT NULL,
                        UNIQUE (account, region, endpoint)
                    );
                    CREATE TABLE ctsync_jobs_v2 (
                        id INTEGER PRIMARY KEY,
                        name TEXT NOT NULL,
                        destination_id INTEGER REFERENCES ctsync_destinations(id),
                        spec_fingerprint INTEGER,
                        spec TEXT,
                        source TEXT,
                        updated_at TEXT NOT NULL
                    );
                    INSERT INTO ctsync_jobs_v2 (id, name, spec_fingerprint, updated_at)
                        SELECT id, name, spec_fingerprint, updated_at FROM ctsync_jobs;
                    DROP TABLE ctsync_jobs;
                    ALTER TABLE ctsync_jobs_v2 RENAME TO ctsync_jobs;
                    CREATE UNIQUE INDEX ctsync_jobs_by_destination ON ctsync_jobs (name, destination_id)
                        WHERE destination_id IS NOT NULL;
                    CREATE UNIQUE INDEX ctsync_jobs_without_destination ON ctsync_jobs (name)
                        WHERE destination_id IS NULL;
                    CREATE TABLE ctsync_runs (
                        id TEXT PRIMARY KEY,
                        job_id INTEGER NOT NULL REFERENCES ctsync_jobs(id) ON DELETE CASCADE,
                        started_at INTEGER NOT NULL,
                        finished_at INTEGER,
                        status TEXT,
                        exit_status INTEGER,
                        full_sync TEXT,
                        abort_reason TEXT,
                        source_rows INTEGER,
                        invalid INTEGER,
                        unchanged INTEGER,
                        added INTEGER,
                        changed INTEGER,
                        sent INTEGER,
                        succeeded INTEGER,
                        rejected INTEGER,
                        failed INTEGER,
                        possibly_duplicated INTEGER,
                        report_path TEXT,
                        ctsync_version TEXT NOT NULL,
                        host TEXT NOT NULL,
                        pid INTEGER NOT NULL
                    );
                    CREATE INDEX ctsync_runs_by_job ON ctsync_runs (job_id, started_at);
                    """)
        }
        migrator.registerMigration("v3") { db in
            try db.execute(sql: SQLiteStateStore.budgetTables)
        }
        return migrator
    }

    /// The schema version of each migration identifier: `v2` is 2.
    static func version(of identifier: String) -> Int? {
        identifier.hasPrefix("v") ? Int(identifier.dropFirst()) : nil
    }

    /// The version the newest migration makes.
    public static var currentVersion: Int { migrator.migrations.compactMap(version(of:)).max() ?? 0 }

    /// SQLite files start with a fixed 16-byte header; anything else is not ours to open.
    static func checkHeader(_ path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else { return }
        defer { try? handle.close() }
        let header = (try? handle.read(upToCount: 16)) ?? Data()
        if header.isEmpty { return }
        if header != Data("SQLite format 3\0".utf8) { throw StateError.notADatabase(path: path) }
    }

    static let ownTables: Set<String> = [
        "grdb_migrations", "ctsync_jobs", "ctsync_acks", "ctsync_destinations", "ctsync_runs", "ctsync_event_names",
        "ctsync_event_properties",
    ]

    static func checkIdentity(_ db: Database, path: String, allowEmpty: Bool) throws {
        let id = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
        if id == applicationID { return }
        let tables = Set(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'"))
        if id == 0 && allowEmpty {
            if tables.isEmpty { return }
            // Ours, made by a ctsync that was killed between creating the tables and
            // tagging the file (before the tag moved into the first migration).
            if tables.contains("grdb_migrations") && tables.isSubset(of: ownTables) { return }
        }
        throw StateError.foreignDatabase(path: path)
    }

    static func appliedVersion(_ db: Database) throws -> Int {
        guard try db.tableExists("grdb_migrations") else { return 0 }
        return try migrator.appliedIdentifiers(db).compactMap(version(of:)).max() ?? 0
    }

    static func checkSchema(_ db: Database, path: String) throws {
        guard try db.tableExists("grdb_migrations") else { return }
        let known = Set(migrator.migrations)
        let applied = try migrator.appliedIdentifiers(db)
        if let unknown = applied.subtracting(known).sorted().last {
            throw StateError.newerSchema(path: path, found: unknown)
        }
    }

    // MARK: StateStore

    public func jobs(named name: String) throws(StateError) -> [StoredJob] {
        try wrap { try reader.read { db in try Self.fetchJobs(db, version: schemaVersion, name: name) } }
    }

    public func allJobs() throws(StateError) -> [StoredJob] {
        try wrap { try reader.read { db in try Self.fetchJobs(db, version: schemaVersion, name: nil) } }
    }

    public func setSpec(_ spec: CanonicalSpec, job: JobKey) throws(StateError) {
        let pool = try writable()
        try wrap {
            try pool.write { db in
                let id = try Self.jobID(db, job: job)
                try db.execute(
                    sql: "UPDATE ctsync_jobs SET spec_fingerprint = ?, spec = ?, updated_at = ? WHERE id = ?",
                    arguments: [Int64(bitPattern: spec.fingerprint), spec.json, Self.now(), id])
            }
        }
    }

    public func adoptLegacyState(job name: String, to destination: CleverTapDestination) throws(StateError) {
        let pool = try writable()
        try wrap {
            try pool.write { db in
                guard
                    let legacy = try Int64.fetchOne(
                        db, sql: "SELECT id FROM ctsync_jobs WHERE name = ? AND destination_id IS NULL", arguments: [name])
                else { return }
                let key = JobKey(name: name, destination: destination)
                if try Self.existingJobID(db, version: Self.currentVersion, job: key) != nil {
                    throw StateError.conflict("job \"\(name)\" already has state for \(destination); its earlier state was not adopted")
                }
                let destinationID = try Self.destinationID(db, destination)
                try db.execute(
                    sql: "UPDATE ctsync_jobs SET destination_id = ?, updated_at = ? WHERE id = ?",
                    arguments: [destinationID, Self.now(), legacy])
            }
        }
    }

    public func makeLookup(job: JobKey) throws(StateError) -> any StateLookup {
        let id = try wrap { try reader.read { db in try Self.existingJobID(db, version: schemaVersion, job: job) } }
        guard let id else { return EmptyStateLookup() }
        return try SQLiteStateLookup(path: path, jobID: id)
    }

    public func acknowledge(
        _ records: [Acknowledgement], job: JobKey, spec: UInt64, budget: BudgetAcknowledgement?
    ) throws(StateError) {
        guard !records.isEmpty || budget != nil else { return }
        let pool = try writable()
        try wrap {
            try pool.write { db in
                if let budget { try Self.record(budget, db) }
                guard !records.isEmpty else { return }
                let id = try Self.jobID(db, job: job)
                let statement = try db.cachedStatement(
                    sql: """
                        INSERT INTO ctsync_acks (job_id, key, hash, spec, acked_at) VALUES (?, ?, ?, ?, ?)
                        ON CONFLICT (job_id, key) DO UPDATE SET hash = excluded.hash, spec = excluded.spec, acked_at = excluded.acked_at
                        """)
                let handle = statement.sqliteStatement
                let now = Int64(Date().timeIntervalSince1970)
                for record in records {
                    sqlite3_reset(handle)
                    sqlite3_bind_int64(handle, 1, id)
                    _ = record.key.withCString { sqlite3_bind_text(handle, 2, $0, -1, SQLITE_TRANSIENT_PTR) }
                    let bytes = record.hash.bytes
                    _ = bytes.withUnsafeBytes {
                        sqlite3_bind_blob(handle, 3, $0.baseAddress, Int32($0.count), SQLITE_TRANSIENT_PTR)
                    }
                    sqlite3_bind_int64(handle, 4, Int64(bitPattern: spec))
                    sqlite3_bind_int64(handle, 5, now)
                    let rc = sqlite3_step(handle)
                    guard rc == SQLITE_DONE else {
                        throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
                    }
                }
                sqlite3_reset(handle)
                sqlite3_clear_bindings(handle)
            }
        }
    }

    public func acknowledgedCount(job: JobKey) throws(StateError) -> Int {
        try wrap {
            try reader.read { db in
                guard let id = try Self.existingJobID(db, version: schemaVersion, job: job) else { return 0 }
                return try Int.fetchOne(db, sql: "SELECT count(*) FROM ctsync_acks WHERE job_id = ?", arguments: [id]) ?? 0
            }
        }
    }

    // MARK: Runs

    public func runStarted(_ run: RunRecord, source: String) throws(StateError) {
        let pool = try writable()
        try wrap {
            try pool.write { db in
                let id = try Self.jobID(db, job: run.job)
                try db.execute(
                    sql: "UPDATE ctsync_jobs SET source = ?, updated_at = ? WHERE id = ?",
                    arguments: [source, Self.now(), id])
                // The caller holds the job's lease: a run of it that never finished is dead.
                try db.execute(
                    sql: """
                        UPDATE ctsync_runs SET status = 'interrupted'
                        WHERE finished_at IS NULL AND status IS NULL
                          AND job_id IN (SELECT id FROM ctsync_jobs WHERE name = ?)
                        """, arguments: [run.job.name])
                try Self.insert(run, jobID: id, db)
            }
        }
    }

    public func runFinished(_ run: RunRecord) throws(StateError) {
        let pool = try writable()
        try wrap {
            try pool.write { db in
                let c = run.counts
                try db.execute(
                    sql: """
                        UPDATE ctsync_runs SET finished_at = ?, status = ?, exit_status = ?, full_sync = ?, abort_reason = ?,
                            source_rows = ?, invalid = ?, unchanged = ?, added = ?, changed = ?, sent = ?, succeeded = ?,
                            rejected = ?, failed = ?, possibly_duplicated = ?, report_path = ?
                        WHERE id = ?
                        """,
                    arguments: [
                        run.finishedAt.map(Self.milliseconds), run.outcome?.rawValue, run.exitStatus, run.fullSync,
                        run.abortReason, c?.sourceRows, c?.invalid, c?.unchanged, c?.added, c?.changed, c?.sent,
                        c?.succeeded, c?.rejected, c?.failed, c?.possiblyDuplicated, run.reportPath, run.id,
                    ])
            }
        }
    }

    public func runs(named name: String, limit: Int) throws(StateError) -> [RunRecord] {
        try wrap {
            try reader.read { db in
                guard schemaVersion >= 2 else { return [] }
                return try Self.fetchRuns(
                    db, where: "j.name = ?", arguments: [name], limit: limit)
            }
        }
    }

    public func lastRun(job: JobKey, matching filter: RunFilter) throws(StateError) -> RunRecord? {
        try wrap {
            try reader.read { db in
                guard schemaVersion >= 2, let id = try Self.existingJobID(db, version: schemaVersion, job: job) else {
                    return nil
                }
                return try Self.fetchRuns(db, where: "r.job_id = ? AND \(Self.condition(filter))", arguments: [id], limit: 1)
                    .first
            }
        }
    }

    static func condition(_ filter: RunFilter) -> String {
        switch filter {
        case .any: "1"
        case .successful: "r.finished_at IS NOT NULL AND r.exit_status = 0"
        case .fullSync:
            "r.finished_at IS NOT NULL AND r.full_sync IS NOT NULL AND r.status NOT IN ('aborted', 'interrupted')"
        }
    }

    static func insert(_ run: RunRecord, jobID: Int64, _ db: Database) throws {
        let c = run.counts
        try db.execute(
            sql: """
                INSERT INTO ctsync_runs (id, job_id, started_at, finished_at, status, exit_status, full_sync, abort_reason,
                    source_rows, invalid, unchanged, added, changed, sent, succeeded, rejected, failed, possibly_duplicated,
                    report_path, ctsync_version, host, pid)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO NOTHING
                """,
            arguments: [
                run.id, jobID, milliseconds(run.startedAt), run.finishedAt.map(milliseconds), run.outcome?.rawValue,
                run.exitStatus, run.fullSync, run.abortReason, c?.sourceRows, c?.invalid, c?.unchanged, c?.added,
                c?.changed, c?.sent, c?.succeeded, c?.rejected, c?.failed, c?.possiblyDuplicated, run.reportPath,
                run.ctsyncVersion, run.host, Int(run.pid),
            ])
    }

    static func fetchRuns(_ db: Database, where condition: String, arguments: StatementArguments, limit: Int) throws
        -> [RunRecord]
    {
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT r.id, j.name, d.account, d.region, d.endpoint, r.started_at, r.finished_at, r.status, r.exit_status,
                    r.full_sync, r.abort_reason, r.source_rows, r.invalid, r.unchanged, r.added, r.changed, r.sent,
                    r.succeeded, r.rejected, r.failed, r.possibly_duplicated, r.report_path, r.ctsync_version, r.host, r.pid
                FROM ctsync_runs r JOIN ctsync_jobs j ON j.id = r.job_id
                LEFT JOIN ctsync_destinations d ON d.id = j.destination_id
                WHERE \(condition)
                ORDER BY r.started_at DESC, r.rowid DESC LIMIT \(max(0, limit))
                """, arguments: arguments)
        return rows.map { row in
            var run = RunRecord(
                id: row[0], job: JobKey(name: row[1], destination: destination(row[2], row[3], row[4])),
                startedAt: date(milliseconds: row[5]), ctsyncVersion: row[22], host: row[23], pid: Int32(row[24] as Int))
            run.finishedAt = (row[6] as Int64?).map(date(milliseconds:))
            run.outcome = (row[7] as String?).flatMap(RunOutcome.init(rawValue:))
            run.exitStatus = row[8]
            run.fullSync = row[9]
            run.abortReason = row[10]
            if let sourceRows = row[11] as Int? {
                var counts = RunRecord.Counts()
                counts.sourceRows = sourceRows
                counts.invalid = row[12] ?? 0
                counts.unchanged = row[13] ?? 0
                counts.added = row[14] ?? 0
                counts.changed = row[15] ?? 0
                counts.sent = row[16] ?? 0
                counts.succeeded = row[17] ?? 0
                counts.rejected = row[18] ?? 0
                counts.failed = row[19] ?? 0
                counts.possiblyDuplicated = row[20] ?? 0
                run.counts = counts
            }
            run.reportPath = row[21]
            return run
        }
    }

    // MARK: Jobs

    static func fetchJobs(_ db: Database, version: Int, name: String?) throws -> [StoredJob] {
        guard version >= 1 else { return [] }
        let filter = name == nil ? "" : "WHERE j.name = ?"
        let arguments: StatementArguments = name.map { [$0] } ?? []
        let sql =
            version >= 2
            ? """
            SELECT j.name, d.account, d.region, d.endpoint, j.spec_fingerprint, j.spec, j.source
            FROM ctsync_jobs j LEFT JOIN ctsync_destinations d ON d.id = j.destination_id \(filter)
            ORDER BY j.name, j.id
            """
            : """
            SELECT j.name, NULL, NULL, NULL, j.spec_fingerprint, NULL, NULL FROM ctsync_jobs j \(filter) ORDER BY j.name
            """
        return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
            StoredJob(
                key: JobKey(name: row[0], destination: destination(row[1], row[2], row[3])),
                fingerprint: (row[4] as Int64?).map { UInt64(bitPattern: $0) }, spec: row[5], source: row[6])
        }
    }

    static func destination(_ account: String?, _ region: String?, _ endpoint: String?) -> CleverTapDestination? {
        guard let account, let region, let endpoint else { return nil }
        return CleverTapDestination(account: account, region: region, endpoint: endpoint)
    }

    /// The row of `job`'s state, if it has one, in a schema of `version` (a read-only
    /// store reads a file it did not migrate: schema 1 has only states without destination).
    static func existingJobID(_ db: Database, version: Int, job: JobKey) throws -> Int64? {
        switch (version, job.destination) {
        case (..<1, _): return nil
        case (1, nil):
            return try Int64.fetchOne(db, sql: "SELECT id FROM ctsync_jobs WHERE name = ?", arguments: [job.name])
        case (1, _?): return nil
        case (_, nil):
            return try Int64.fetchOne(
                db, sql: "SELECT id FROM ctsync_jobs WHERE name = ? AND destination_id IS NULL", arguments: [job.name])
        case (_, let destination?):
            return try Int64.fetchOne(
                db,
                sql: """
                    SELECT j.id FROM ctsync_jobs j JOIN ctsync_destinations d ON d.id = j.destination_id
                    WHERE j.name = ? AND d.account = ? AND d.region = ? AND d.endpoint = ?
                    """, arguments: [job.name, destination.account, destination.region, destination.endpoint])
        }
    }

    /// The row of `job`'s state, created if needed (a store open for writing is current).
    static func jobID(_ db: Database, job: JobKey) throws -> Int64 {
        if let id = try existingJobID(db, version: currentVersion, job: job) { return id }
        let destination: Int64? = try job.destination.map { try Self.destinationID(db, $0) }
        try db.execute(
            sql: "INSERT INTO ctsync_jobs (name, destination_id, updated_at) VALUES (?, ?, ?)",
            arguments: [job.name, destination, now()])
        return db.lastInsertedRowID
    }

    static func destinationID(_ db: Database, _ destination: CleverTapDestination) throws -> Int64 {
        let arguments: StatementArguments = [destination.account, destination.region, destination.endpoint]
        try db.execute(
            sql: "INSERT INTO ctsync_destinations (account, region, endpoint) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            arguments: arguments)
        return try Int64.fetchOne(
            db, sql: "SELECT id FROM ctsync_destinations WHERE account = ? AND region = ? AND endpoint = ?",
            arguments: arguments)!
    }

    // MARK: Helpers

    static func now() -> String {
        ISO8601DateFormatter().string(from: Date())
    }

    static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    static func date(milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    func writable() throws(StateError) -> any DatabaseWriter {
        guard let pool else { throw .io(path: path, message: "opened read-only") }
        return pool
    }

    func read<T>(_ body: (Database) throws -> T) throws(StateError) -> T {
        try wrap { try reader.read(body) }
    }

    func wrap<T>(_ body: () throws -> T) throws(StateError) -> T {
        do {
            return try body()
        } catch let error as StateError {
            throw error
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB || error.resultCode == .SQLITE_CORRUPT {
            throw .notADatabase(path: path)
        } catch {
            throw .io(path: path, message: "\(error)")
        }
    }
}

/// SQLite's "copy the buffer now" destructor, which Swift cannot import as a constant.
let SQLITE_TRANSIENT_PTR = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
