import Foundation
import Logging
import PostgresNIO
import Synchronization
import CTSyncPlan
import CTSyncSupport

/// State in a PostgreSQL database, shared by every machine that runs the jobs: the
/// scale-out path for ephemeral CI runners. Same contract as the SQLite store:
/// one transaction (here one statement) per acknowledged batch, bulk upserts
/// from arrays, and lookups prefetched a chunk at a time (`PostgresStateLookup`).
///
/// Calls are synchronous, as `StateStore` is; each one is a task on PostgresNIO's
/// connection pool, waited for by `PostgresBridge`. A call that fails because the
/// connection did (not the statement) is tried again for a few seconds: every
/// statement here is idempotent.
public final class PostgresStateStore: StateStore, Sendable {
    public let location: PostgresLocation
    let client: PostgresClient
    private let runner: Task<Void, Never>
    private let jobIDs = Mutex<[String: Int64]>([:])
    /// Acknowledgements this process wrote, for `jobFinished`.
    private let written = Atomic<Int>(0)
    /// Rows written after which `jobFinished` refreshes the table's statistics.
    static let analyzeAfterRows = 10_000
    let logger = PostgresLocation.silentLogger

    /// The URL without the password, for messages.
    public var url: String { location.description }

    /// Longest wait for one statement, and for the whole call with retries.
    static let statementTimeout = 10.0
    static let retryWindow = 10.0

    /// Connects, checks the schema and, unless `readOnly`, creates or migrates it.
    /// Returns nil when reading a database that holds no ctsync tables yet, the
    /// counterpart of a state file that does not exist.
    public static func open(_ location: PostgresLocation, readOnly: Bool) throws(StateError) -> PostgresStateStore? {
        let url = location.description
        let logger = PostgresLocation.silentLogger
        let status: PostgresSchema.Status
        do {
            // The first contact is a connection of its own: unlike the pool, it fails at
            // once with the real cause (refused, authentication, no such database).
            let configuration = try location.connectionConfiguration()
            status = try PostgresBridge.wait(timeout: 60) {
                let connection = try await PostgresConnection.connect(
                    configuration: configuration, id: 0, logger: logger)
                do {
                    if !readOnly { try await PostgresSchema.migrate(connection, url: url, logger: logger) }
                    let status = try await PostgresSchema.inspect(connection, url: url, logger: logger)
                    try? await connection.close()
                    return status
                } catch {
                    try? await connection.close()
                    throw error
                }
            }
        } catch {
            if let error = PostgresFailure.stateError(error) { throw error }
            throw .database(url: url, message: PostgresFailure.describe(error))
        }
        if case .absent = status { return nil }
        return PostgresStateStore(location: location)
    }

    private init(location: PostgresLocation) {
        self.location = location
        let client = PostgresClient(
            configuration: location.clientConfiguration(maximumConnections: 8), backgroundLogger: logger)
        self.client = client
        runner = Task(executorPreference: PostgresBridge.executor) { await client.run() }
    }

    /// Refreshes the planner statistics of `ctsync_acks` when this process wrote
    /// many rows (a first load, a resync): without them PostgreSQL reads a chunk's
    /// keys by scanning every row of the job (measured: 53 s instead of 3.5 s for a
    /// 1M-row warm plan right after the first run), until autovacuum gets to it.
    /// Best effort: the run's outcome does not depend on it.
    /// Refreshes the statistics of `ctsync_acks` after a job wrote many rows: without
    /// them the next warm plan scans the whole job a chunk.
    public func jobFinished() {
        guard written.load(ordering: .relaxed) >= Self.analyzeAfterRows else { return }
        written.store(0, ordering: .relaxed)
        _ = try? call { client, logger in
            try await client.query("ANALYZE ctsync_acks", logger: logger).drain()
        }
    }

    /// Closes the connection pool.
    public func shutdown() {
        runner.cancel()
    }

    // MARK: StateStore

    public func specFingerprint(job: String) throws(StateError) -> UInt64? {
        let value = try call { client, logger in
            let rows = try await client.query(
                "SELECT spec_fingerprint FROM ctsync_jobs WHERE name = \(job)", logger: logger)
            var found: Int64?
            for try await fingerprint in rows.decode(Int64?.self) { found = fingerprint }
            return found
        }
        return value.map { UInt64(bitPattern: $0) }
    }

    public func setSpecFingerprint(_ fingerprint: UInt64, job: String) throws(StateError) {
        let id = try jobID(job, create: true)!
        let bits = Int64(bitPattern: fingerprint)
        try call { client, logger in
            try await client.query(
                "UPDATE ctsync_jobs SET spec_fingerprint = \(bits), updated_at = now() WHERE id = \(id)", logger: logger
            ).drain()
        }
    }

    public func makeLookup(job: String) throws(StateError) -> any StateLookup {
        guard let id = try jobID(job, create: false) else { return EmptyStateLookup() }
        return PostgresStateLookup(store: self, jobID: id)
    }

    public func acknowledge(_ records: [Acknowledgement], job: String, spec: UInt64) throws(StateError) {
        guard !records.isEmpty else { return }
        let id = try jobID(job, create: true)!
        // One row a key: ON CONFLICT cannot update a row twice in one statement.
        var position: [String: Int] = [:]
        var keys: [String] = []
        var hashes: [ByteBuffer] = []
        keys.reserveCapacity(records.count)
        hashes.reserveCapacity(records.count)
        for record in records {
            let hash = ByteBuffer(bytes: record.hash.bytes)
            if let index = position[record.key] {
                hashes[index] = hash
            } else {
                position[record.key] = keys.count
                keys.append(record.key)
                hashes.append(hash)
            }
        }
        let bits = Int64(bitPattern: spec)
        written.add(keys.count, ordering: .relaxed)
        try call { [keys, hashes] client, logger in
            try await client.query(
                """
                INSERT INTO ctsync_acks (job_id, key, hash, spec)
                SELECT \(id), k, h, \(bits) FROM unnest(\(keys)::text[], \(hashes)::bytea[]) AS t (k, h)
                ON CONFLICT (job_id, key) DO UPDATE
                SET hash = excluded.hash, spec = excluded.spec, acked_at = excluded.acked_at
                """, logger: logger
            ).drain()
        }
    }

    public func acknowledgedCount(job: String) throws(StateError) -> Int {
        try call { client, logger in
            let rows = try await client.query(
                "SELECT count(*) FROM ctsync_acks JOIN ctsync_jobs ON ctsync_jobs.id = job_id WHERE name = \(job)",
                logger: logger)
            var count: Int64 = 0
            for try await value in rows.decode(Int64.self) { count = value }
            return Int(count)
        }
    }

    // MARK: Lookups

    /// The stored records of those of `keys` that have one.
    func records(of keys: [String], jobID: Int64) throws(StateError) -> [String: StoredRecord] {
        try call { client, logger in
            let rows = try await client.query(
                "SELECT key, hash, spec FROM ctsync_acks WHERE job_id = \(jobID) AND key = ANY(\(keys)::text[])",
                logger: logger
            ).collect()
            // Cell by cell, synchronously: an async iteration and a tuple decode a row cost
            // more than the rest of the lookup (perf, 1M rows).
            var found: [String: StoredRecord] = [:]
            found.reserveCapacity(rows.count)
            for row in rows {
                var cells = row.makeIterator()
                guard let keyCell = cells.next(), let hashCell = cells.next(), let specCell = cells.next(),
                    let hash = hashCell.bytes, hash.readableBytes == 16
                else { continue }
                let key = try keyCell.decode(String.self)
                let spec = try specCell.decode(Int64.self)
                found[key] = StoredRecord(hash: RecordHash(bytes16: hash.readableBytesView), spec: UInt64(bitPattern: spec))
            }
            return found
        }
    }

    // MARK: Helpers

    private func jobID(_ job: String, create: Bool) throws(StateError) -> Int64? {
        if let id = jobIDs.withLock({ $0[job] }) { return id }
        let id: Int64? = try call { client, logger in
            if create {
                try await client.query(
                    "INSERT INTO ctsync_jobs (name) VALUES (\(job)) ON CONFLICT (name) DO NOTHING", logger: logger
                ).drain()
            }
            let rows = try await client.query("SELECT id FROM ctsync_jobs WHERE name = \(job)", logger: logger)
            var id: Int64?
            for try await value in rows.decode(Int64.self) { id = value }
            return id
        }
        if let id { jobIDs.withLock { $0[job] = id } }
        return id
    }

    /// Runs `body` on the pool and waits for it; retries a failed connection for
    /// `retryWindow` seconds.
    @discardableResult
    func call<T: Sendable>(
        _ body: @escaping @Sendable (PostgresClient, Logger) async throws -> T
    ) throws(StateError) -> T {
        let started = ContinuousClock.now
        var delay = 0.2
        while true {
            do {
                let (client, logger) = (self.client, self.logger)
                return try PostgresBridge.wait(timeout: Self.statementTimeout) { try await body(client, logger) }
            } catch let error as StateError {
                throw error
            } catch {
                let elapsed = ContinuousClock.now - started
                guard PostgresFailure.isTransient(error), elapsed < .seconds(Self.retryWindow) else {
                    throw .database(url: url, message: PostgresFailure.describe(error))
                }
                Thread.sleep(forTimeInterval: delay)
                delay = min(delay * 2, 2)
            }
        }
    }
}

extension PostgresRowSequence {
    /// Reads the statement to its end, so that an error of its execution is thrown here.
    func drain() async throws {
        for try await _ in self {}
    }
}
