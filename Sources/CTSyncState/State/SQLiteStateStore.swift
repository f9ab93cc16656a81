import Foundation
import GRDB
internal import GRDBSQLite
import CTSyncPlan
import CTSyncSupport

/// State in an embedded SQLite file (WAL mode). GRDB owns the schema, migrations
/// and transactions; the per-row paths (lookups, acknowledgement inserts) step
/// prepared statements directly, which is 1.4 to 2.5 times faster (performance.md).
public final class SQLiteStateStore: StateStore {
    private let pool: (any DatabaseWriter)?
    private let reader: any DatabaseReader
    public let path: String

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
        return migrator
    }

    /// SQLite files start with a fixed 16-byte header; anything else is not ours to open.
    static func checkHeader(_ path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else { return }
        defer { try? handle.close() }
        let header = (try? handle.read(upToCount: 16)) ?? Data()
        if header.isEmpty { return }
        if header != Data("SQLite format 3\0".utf8) { throw StateError.notADatabase(path: path) }
    }

    static let ownTables: Set<String> = ["grdb_migrations", "ctsync_jobs", "ctsync_acks"]

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

    static func checkSchema(_ db: Database, path: String) throws {
        guard try db.tableExists("grdb_migrations") else { return }
        let known = Set(migrator.migrations)
        let applied = try migrator.appliedIdentifiers(db)
        if let unknown = applied.subtracting(known).sorted().last {
            throw StateError.newerSchema(path: path, found: unknown)
        }
    }

    // MARK: StateStore

    public func specFingerprint(job: String) throws(StateError) -> UInt64? {
        try wrap {
            try reader.read { db in
                guard try db.tableExists("ctsync_jobs") else { return nil }
                let value = try Int64.fetchOne(
                    db, sql: "SELECT spec_fingerprint FROM ctsync_jobs WHERE name = ?", arguments: [job])
                return value.map { UInt64(bitPattern: $0) }
            }
        }
    }

    public func setSpecFingerprint(_ fingerprint: UInt64, job: String) throws(StateError) {
        let pool = try writable()
        try wrap {
            try pool.write { db in
                let id = try SQLiteStateStore.jobID(db, job: job)
                try db.execute(
                    sql: "UPDATE ctsync_jobs SET spec_fingerprint = ?, updated_at = ? WHERE id = ?",
                    arguments: [Int64(bitPattern: fingerprint), SQLiteStateStore.now(), id])
            }
        }
    }

    public func makeLookup(job: String) throws(StateError) -> any StateLookup {
        let id: Int64? = try wrap {
            try reader.read { db in
                guard try db.tableExists("ctsync_jobs") else { return nil }
                return try Int64.fetchOne(db, sql: "SELECT id FROM ctsync_jobs WHERE name = ?", arguments: [job])
            }
        }
        guard let id else { return EmptyStateLookup() }
        return try SQLiteStateLookup(path: path, jobID: id)
    }

    public func acknowledge(_ records: [Acknowledgement], job: String, spec: UInt64) throws(StateError) {
        guard !records.isEmpty else { return }
        let pool = try writable()
        try wrap {
            try pool.write { db in
                let id = try SQLiteStateStore.jobID(db, job: job)
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

    public func acknowledgedCount(job: String) throws(StateError) -> Int {
        try wrap {
            try reader.read { db in
                guard try db.tableExists("ctsync_acks") else { return 0 }
                return try Int.fetchOne(
                    db,
                    sql: "SELECT count(*) FROM ctsync_acks JOIN ctsync_jobs ON ctsync_jobs.id = job_id WHERE name = ?",
                    arguments: [job]) ?? 0
            }
        }
    }

    // MARK: Helpers

    static func jobID(_ db: Database, job: String) throws -> Int64 {
        if let id = try Int64.fetchOne(db, sql: "SELECT id FROM ctsync_jobs WHERE name = ?", arguments: [job]) {
            return id
        }
        try db.execute(sql: "INSERT INTO ctsync_jobs (name, updated_at) VALUES (?, ?)", arguments: [job, now()])
        return db.lastInsertedRowID
    }

    static func now() -> String {
        ISO8601DateFormatter().string(from: Date())
    }

    private func writable() throws(StateError) -> any DatabaseWriter {
        guard let pool else { throw .io(path: path, message: "opened read-only") }
        return pool
    }

    private func wrap<T>(_ body: () throws -> T) throws(StateError) -> T {
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
