import Foundation
import GRDB
import CTSyncPlan
import CTSyncSupport
import CleverTapContract

extension SQLiteStateStore: StateMaintenance {
    public func acknowledgement(of key: String, job: JobKey) throws(StateError) -> StoredAcknowledgement? {
        try read { db in
            guard let id = try Self.existingJobID(db, version: schemaVersion, job: job) else { return nil }
            return try Self.fetchAcknowledgements(
                db, sql: "WHERE job_id = ? AND key = ?", arguments: [id, key]
            ).first
        }
    }

    public func forget(keys: [String], job: JobKey) throws(StateError) -> Int {
        let pool = try writable()
        return try wrap {
            try pool.write { db in
                guard let id = try Self.existingJobID(db, version: Self.currentVersion, job: job) else { return 0 }
                var deleted = 0
                for key in keys {
                    try db.execute(sql: "DELETE FROM ctsync_acks WHERE job_id = ? AND key = ?", arguments: [id, key])
                    deleted += db.changesCount
                }
                return deleted
            }
        }
    }

    public func drop(job: JobKey) throws(StateError) -> Int {
        let pool = try writable()
        return try wrap {
            try pool.write { db in
                guard let id = try Self.existingJobID(db, version: Self.currentVersion, job: job) else { return 0 }
                try db.execute(sql: "DELETE FROM ctsync_acks WHERE job_id = ?", arguments: [id])
                let deleted = db.changesCount
                try db.execute(sql: "DELETE FROM ctsync_runs WHERE job_id = ?", arguments: [id])
                try db.execute(sql: "DELETE FROM ctsync_jobs WHERE id = ?", arguments: [id])
                return deleted
            }
        }
    }

    public func rename(job name: String, to newName: String) throws(StateError) {
        let pool = try writable()
        try wrap {
            try pool.write { db in
                let count = { (name: String) in
                    try Int.fetchOne(db, sql: "SELECT count(*) FROM ctsync_jobs WHERE name = ?", arguments: [name]) ?? 0
                }
                guard try count(name) > 0 else { throw StateError.conflict("state holds no job named \"\(name)\"") }
                guard try count(newName) == 0 else {
                    throw StateError.conflict(
                        "state already holds a job named \"\(newName)\"; forget it first (`ctsync state forget \(newName) --all`) or pick another name"
                    )
                }
                try db.execute(
                    sql: "UPDATE ctsync_jobs SET name = ?, updated_at = ? WHERE name = ?",
                    arguments: [newName, Self.now(), name])
            }
        }
    }

    public func acknowledgements(job: JobKey, after key: String?, limit: Int) throws(StateError)
        -> [StoredAcknowledgement]
    {
        try read { db in
            guard let id = try Self.existingJobID(db, version: schemaVersion, job: job) else { return [] }
            if let key {
                return try Self.fetchAcknowledgements(
                    db, sql: "WHERE job_id = ? AND key > ? ORDER BY key LIMIT \(limit)", arguments: [id, key])
            }
            return try Self.fetchAcknowledgements(db, sql: "WHERE job_id = ? ORDER BY key LIMIT \(limit)", arguments: [id])
        }
    }

    public func restore(_ job: StoredJob) throws(StateError) {
        let pool = try writable()
        try wrap {
            try pool.write { db in
                let id = try Self.jobID(db, job: job.key)
                if try Int.fetchOne(db, sql: "SELECT count(*) FROM ctsync_acks WHERE job_id = ?", arguments: [id]) ?? 0 > 0 {
                    throw StateError.conflict(
                        "state already holds keys of job \(job.key); forget them first (`ctsync state forget \(job.key.name) --all`) or import elsewhere"
                    )
                }
                try db.execute(
                    sql: "UPDATE ctsync_jobs SET spec_fingerprint = ?, spec = ?, source = ?, updated_at = ? WHERE id = ?",
                    arguments: [job.fingerprint.map { Int64(bitPattern: $0) }, job.spec, job.source, Self.now(), id])
            }
        }
    }

    public func restore(_ acknowledgements: [StoredAcknowledgement], job: JobKey) throws(StateError) {
        guard !acknowledgements.isEmpty else { return }
        let pool = try writable()
        try wrap {
            try pool.write { db in
                let id = try Self.jobID(db, job: job)
                let statement = try db.cachedStatement(
                    sql: """
                        INSERT INTO ctsync_acks (job_id, key, hash, spec, acked_at) VALUES (?, ?, ?, ?, ?)
                        ON CONFLICT (job_id, key) DO UPDATE SET hash = excluded.hash, spec = excluded.spec, acked_at = excluded.acked_at
                        """)
                for ack in acknowledgements {
                    try statement.execute(arguments: [
                        id, ack.key, Data(ack.hash.bytes), Int64(bitPattern: ack.spec),
                        Int64(ack.acknowledgedAt.timeIntervalSince1970),
                    ])
                }
            }
        }
    }

    public func restore(_ run: RunRecord) throws(StateError) {
        let pool = try writable()
        try wrap {
            try pool.write { db in
                try Self.insert(run, jobID: try Self.jobID(db, job: run.job), db)
            }
        }
    }

    static func fetchAcknowledgements(_ db: Database, sql: String, arguments: StatementArguments) throws
        -> [StoredAcknowledgement]
    {
        try Row.fetchAll(db, sql: "SELECT key, hash, spec, acked_at FROM ctsync_acks " + sql, arguments: arguments)
            .compactMap { row in
                let hash: Data = row[1]
                guard hash.count == 16 else { return nil }
                return StoredAcknowledgement(
                    key: row[0], hash: RecordHash(bytes16: Array(hash)), spec: UInt64(bitPattern: row[2]),
                    acknowledgedAt: Date(timeIntervalSince1970: Double(row[3] as Int64)))
            }
    }
}
