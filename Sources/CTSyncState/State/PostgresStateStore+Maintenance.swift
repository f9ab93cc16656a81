import Foundation
import Logging
import PostgresNIO
import CTSyncPlan
import CTSyncSupport
import CleverTapContract

extension PostgresStateStore: StateMaintenance {
    public func acknowledgement(of key: String, job: JobKey) throws(StateError) -> StoredAcknowledgement? {
        guard let id = try jobID(job, create: false) else { return nil }
        return try call { client, logger in
            try await Self.decodeAcknowledgements(
                client.query(
                    "SELECT key, hash, spec, acked_at FROM ctsync_acks WHERE job_id = \(id) AND key = \(key)",
                    logger: logger))
        }.first
    }

    public func forget(keys: [String], job: JobKey) throws(StateError) -> Int {
        guard let id = try jobID(job, create: false) else { return 0 }
        return try call { client, logger in
            let rows = try await client.query(
                """
                WITH deleted AS (DELETE FROM ctsync_acks WHERE job_id = \(id) AND key = ANY(\(keys)::text[]) RETURNING 1)
                SELECT count(*) FROM deleted
                """, logger: logger)
            var count: Int64 = 0
            for try await value in rows.decode(Int64.self) { count = value }
            return Int(count)
        }
    }

    public func drop(job: JobKey) throws(StateError) -> Int {
        guard let id = try jobID(job, create: false) else { return 0 }
        let deleted = try call { client, logger in
            let rows = try await client.query(
                """
                WITH acks AS (DELETE FROM ctsync_acks WHERE job_id = \(id) RETURNING 1),
                     runs AS (DELETE FROM ctsync_runs WHERE job_id = \(id) RETURNING 1)
                SELECT (SELECT count(*) FROM acks) + 0 * (SELECT count(*) FROM runs)
                """, logger: logger)
            var count: Int64 = 0
            for try await value in rows.decode(Int64.self) { count = value }
            return Int(count)
        }
        try call { client, logger in
            try await client.query("DELETE FROM ctsync_jobs WHERE id = \(id)", logger: logger).drain()
        }
        forgetJobIDs()
        return deleted
    }

    public func rename(job name: String, to newName: String) throws(StateError) {
        // The caller holds both names' leases: nothing changes between the checks and the update.
        func count(_ name: String) throws(StateError) -> Int64 {
            try call { client, logger in
                var count: Int64 = 0
                for try await value in try await client.query(
                    "SELECT count(*) FROM ctsync_jobs WHERE name = \(name)", logger: logger
                ).decode(Int64.self) { count = value }
                return count
            }
        }
        guard try count(name) > 0 else { throw .conflict("state holds no job named \"\(name)\"") }
        guard try count(newName) == 0 else {
            throw .conflict(
                "state already holds a job named \"\(newName)\"; forget it first (`ctsync state forget \(newName) --all`) or pick another name"
            )
        }
        try call { client, logger in
            try await client.query(
                "UPDATE ctsync_jobs SET name = \(newName), updated_at = now() WHERE name = \(name)", logger: logger
            ).drain()
        }
        forgetJobIDs()
    }

    public func acknowledgements(job: JobKey, after key: String?, limit: Int) throws(StateError)
        -> [StoredAcknowledgement]
    {
        guard let id = try jobID(job, create: false) else { return [] }
        let limit = Int64(limit)
        return try call { client, logger in
            if let key {
                return try await Self.decodeAcknowledgements(
                    client.query(
                        """
                        SELECT key, hash, spec, acked_at FROM ctsync_acks WHERE job_id = \(id) AND key > \(key)
                        ORDER BY key LIMIT \(limit)
                        """, logger: logger))
            }
            return try await Self.decodeAcknowledgements(
                client.query(
                    "SELECT key, hash, spec, acked_at FROM ctsync_acks WHERE job_id = \(id) ORDER BY key LIMIT \(limit)",
                    logger: logger))
        }
    }

    public func restore(_ job: StoredJob) throws(StateError) {
        let id = try jobID(job.key, create: true)!
        let held = try acknowledgedCount(job: job.key)
        guard held == 0 else {
            throw .conflict(
                "state already holds keys of job \(job.key); forget them first (`ctsync state forget \(job.key.name) --all`) or import elsewhere"
            )
        }
        let (fingerprint, spec, source) = (job.fingerprint.map { Int64(bitPattern: $0) }, job.spec, job.source)
        try call { client, logger in
            try await client.query(
                """
                UPDATE ctsync_jobs SET spec_fingerprint = \(fingerprint), spec = \(spec), source = \(source), updated_at = now()
                WHERE id = \(id)
                """, logger: logger
            ).drain()
        }
    }

    public func restore(_ acknowledgements: [StoredAcknowledgement], job: JobKey) throws(StateError) {
        guard !acknowledgements.isEmpty else { return }
        let id = try jobID(job, create: true)!
        var latest: [String: StoredAcknowledgement] = [:]
        for ack in acknowledgements { latest[ack.key] = ack }
        let acks = Array(latest.values)
        let keys = acks.map(\.key)
        let hashes = acks.map { ByteBuffer(bytes: $0.hash.bytes) }
        let specs = acks.map { Int64(bitPattern: $0.spec) }
        let times = acks.map { $0.acknowledgedAt.timeIntervalSince1970 }
        try call { client, logger in
            try await client.query(
                """
                INSERT INTO ctsync_acks (job_id, key, hash, spec, acked_at)
                SELECT \(id), k, h, s, to_timestamp(t)
                FROM unnest(\(keys)::text[], \(hashes)::bytea[], \(specs)::int8[], \(times)::float8[]) AS u (k, h, s, t)
                ON CONFLICT (job_id, key) DO UPDATE
                SET hash = excluded.hash, spec = excluded.spec, acked_at = excluded.acked_at
                """, logger: logger
            ).drain()
        }
    }

    public func restore(_ run: RunRecord) throws(StateError) {
        try insert(run, jobID: try jobID(run.job, create: true)!)
    }

    static func decodeAcknowledgements(_ rows: PostgresRowSequence) async throws -> [StoredAcknowledgement] {
        var found: [StoredAcknowledgement] = []
        for try await (key, hash, spec, at) in rows.decode((String, ByteBuffer, Int64, Date).self) {
            guard hash.readableBytes == 16 else { continue }
            found.append(
                StoredAcknowledgement(
                    key: key, hash: RecordHash(bytes16: hash.readableBytesView), spec: UInt64(bitPattern: spec),
                    acknowledgedAt: Date(timeIntervalSince1970: at.timeIntervalSince1970.rounded(.down))))
        }
        return found
    }
}
