import Foundation
internal import GRDBSQLite
import CTSyncPlan
import CTSyncSupport

/// Point lookups on a private read-only connection, with one prepared statement
/// stepped directly: the planner's per-row state check.
final class SQLiteStateLookup: StateLookup {
    private var connection: OpaquePointer?
    private var statement: OpaquePointer?
    private let jobID: Int64
    private let path: String
    private var rowsInTransaction = 0

    init(path: String, jobID: Int64) throws(StateError) {
        self.path = path
        self.jobID = jobID
        var db: OpaquePointer?
        guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close(db)
            throw .io(path: path, message: message)
        }
        connection = db
        sqlite3_busy_timeout(db, 10_000)
        var stmt: OpaquePointer?
        let sql = "SELECT hash, spec FROM ctsync_acks WHERE job_id = ?1 AND key = ?2"
        guard sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &stmt, nil) == SQLITE_OK else {
            let message = String(cString: sqlite3_errmsg(db))
            sqlite3_close(db)
            connection = nil
            throw .io(path: path, message: message)
        }
        statement = stmt
        sqlite3_bind_int64(stmt, 1, jobID)
    }

    deinit { close() }

    func find(_ key: String) throws(StateError) -> StoredRecord? {
        guard let statement else { return nil }
        // Lookups share a read transaction in runs of a few thousand: one snapshot,
        // without holding the WAL open for the whole plan.
        if rowsInTransaction == 0 { sqlite3_exec(connection, "BEGIN", nil, nil, nil) }
        rowsInTransaction += 1
        if rowsInTransaction == 4096 {
            sqlite3_exec(connection, "COMMIT", nil, nil, nil)
            rowsInTransaction = 0
        }
        sqlite3_reset(statement)
        var key = key
        let rc: Int32 = key.withUTF8 { buffer in
            sqlite3_bind_text(statement, 2, buffer.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }, Int32(buffer.count), nil)
            return sqlite3_step(statement)
        }
        switch rc {
        case SQLITE_ROW:
            let blob = sqlite3_column_blob(statement, 0)
            let count = Int(sqlite3_column_bytes(statement, 0))
            guard let blob, count == 16 else { return nil }
            let hash = RecordHash(bytes16: UnsafeRawBufferPointer(start: blob, count: count))
            let spec = UInt64(bitPattern: sqlite3_column_int64(statement, 1))
            sqlite3_reset(statement)
            return StoredRecord(hash: hash, spec: spec)
        case SQLITE_DONE:
            return nil
        default:
            let message = String(cString: sqlite3_errmsg(connection))
            if rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT { throw .notADatabase(path: path) }
            throw .io(path: path, message: message)
        }
    }

    func close() {
        if rowsInTransaction > 0, let connection { sqlite3_exec(connection, "COMMIT", nil, nil, nil) }
        rowsInTransaction = 0
        sqlite3_finalize(statement)
        statement = nil
        sqlite3_close(connection)
        connection = nil
    }
}
