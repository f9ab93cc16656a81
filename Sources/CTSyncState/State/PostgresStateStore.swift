import Foundation
import Logging
import PostgresNIO
import Synchronization
import CTSyncPlan
import CTSyncSupport
import CleverTapContract

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
    private let jobIDs = Mutex<[JobKey: Int64]>([:])
    /// The database's schema version: `PostgresSchema.current` once opened for
    /// writing (which migrates); a read-only store reads older versions as they are.
    public let schemaVersion: Int
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
        guard case .version(let version) = status else { return nil }
        return PostgresStateStore(location: location, schemaVersion: version)
    }

    private init(location: PostgresLocation, schemaVersion: Int) {
        self.location = location
        self.schemaVersion = schemaVersion
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

    public func jobs(named name: String) throws(StateError) -> [StoredJob] {
        try fetchJobs(name: name)
    }

    public func allJobs() throws(StateError) -> [StoredJob] {
        try fetchJobs(name: nil)
    }

    private func fetchJobs(name: String?) throws(StateError) -> [StoredJob] {
        let version = schemaVersion
        return try call { client, logger in
            let rows: PostgresRowSequence
            switch (version, name) {
            case (2..., let name?):
                rows = try await client.query(
                    """
                    SELECT j.name, d.account, d.region, d.endpoint, j.spec_fingerprint, j.spec, j.source
                    FROM ctsync_jobs j LEFT JOIN ctsync_destinations d ON d.id = j.destination_id
                    WHERE j.name = \(name) ORDER BY j.name, j.id
                    """, logger: logger)
            case (2..., nil):
                rows = try await client.query(
                    """
                    SELECT j.name, d.account, d.region, d.endpoint, j.spec_fingerprint, j.spec, j.source
                    FROM ctsync_jobs j LEFT JOIN ctsync_destinations d ON d.id = j.destination_id
                    ORDER BY j.name, j.id
                    """, logger: logger)
            case (_, let name?):
                rows = try await client.query(
                    """
                    SELECT name, NULL::text, NULL::text, NULL::text, spec_fingerprint, NULL::text, NULL::text
                    FROM ctsync_jobs WHERE name = \(name)
                    """, logger: logger)
            case (_, nil):
                rows = try await client.query(
                    """
                    SELECT name, NULL::text, NULL::text, NULL::text, spec_fingerprint, NULL::text, NULL::text
                    FROM ctsync_jobs ORDER BY name
                    """, logger: logger)
            }
            var jobs: [StoredJob] = []
            for try await (name, account, region, endpoint, fingerprint, spec, source) in rows.decode(
                (String, String?, String?, String?, Int64?, String?, String?).self)
            {
                jobs.append(
                    StoredJob(
                        key: JobKey(name: name, destination: Self.destination(account, region, endpoint)),
                        fingerprint: fingerprint.map { UInt64(bitPattern: $0) }, spec: spec, source: source))
            }
            return jobs
        }
    }

    public func setSpec(_ spec: CanonicalSpec, job: JobKey) throws(StateError) {
        let id = try jobID(job, create: true)!
        let (bits, json) = (Int64(bitPattern: spec.fingerprint), spec.json)
        try call { client, logger in
            try await client.query(
                "UPDATE ctsync_jobs SET spec_fingerprint = \(bits), spec = \(json), updated_at = now() WHERE id = \(id)",
                logger: logger
            ).drain()
        }
    }

    public func adoptLegacyState(job name: String, to destination: CleverTapDestination) throws(StateError) {
        let destinationID = try self.destinationID(destination)
        do {
            try call { client, logger in
                try await client.query(
                    """
                    UPDATE ctsync_jobs SET destination_id = \(destinationID), updated_at = now()
                    WHERE name = \(name) AND destination_id IS NULL
                    """, logger: logger
                ).drain()
            }
        } catch {
            if case .database(_, let message) = error, message.contains("23505") || message.contains("duplicate key") {
                throw .conflict("job \"\(name)\" already has state for \(destination); its earlier state was not adopted")
            }
            throw error
        }
        jobIDs.withLock { $0[JobKey(name: name, destination: nil)] = nil }
    }

    public func makeLookup(job: JobKey) throws(StateError) -> any StateLookup {
        guard let id = try jobID(job, create: false) else { return EmptyStateLookup() }
        return PostgresStateLookup(store: self, jobID: id)
    }

    public func acknowledge(
        _ records: [Acknowledgement], job: JobKey, spec: UInt64, budget: BudgetAcknowledgement?
    ) throws(StateError) {
        if let budget { return try acknowledge(records, job: job, spec: spec, recording: budget) }
        guard !records.isEmpty else { return }
        let id = try jobID(job, create: true)!
        let (keys, hashes) = Self.columns(of: records)
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

    /// The keys and hashes of `records` as the arrays a bulk upsert reads, one row a key
    /// (the last hash of a key wins): ON CONFLICT cannot update a row twice in one statement.
    static func columns(of records: [Acknowledgement]) -> ([String], [ByteBuffer]) {
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
        return (keys, hashes)
    }

    public func acknowledgedCount(job: JobKey) throws(StateError) -> Int {
        guard let id = try jobID(job, create: false) else { return 0 }
        return try call { client, logger in
            let rows = try await client.query("SELECT count(*) FROM ctsync_acks WHERE job_id = \(id)", logger: logger)
            var count: Int64 = 0
            for try await value in rows.decode(Int64.self) { count = value }
            return Int(count)
        }
    }

    // MARK: Runs

    public func runStarted(_ run: RunRecord, source: String) throws(StateError) {
        let id = try jobID(run.job, create: true)!
        let name = run.job.name
        try call { client, logger in
            try await client.query(
                "UPDATE ctsync_jobs SET source = \(source), updated_at = now() WHERE id = \(id)", logger: logger
            ).drain()
            // The caller holds the job's lease: a run of it that never finished is dead.
            try await client.query(
                """
                UPDATE ctsync_runs SET status = 'interrupted'
                WHERE finished_at IS NULL AND status IS NULL AND job_id IN (SELECT id FROM ctsync_jobs WHERE name = \(name))
                """, logger: logger
            ).drain()
        }
        try insert(run, jobID: id)
    }

    public func runFinished(_ run: RunRecord) throws(StateError) {
        let c = run.counts
        let counts: [Int64?] = [
            c?.sourceRows, c?.invalid, c?.unchanged, c?.added, c?.changed, c?.sent, c?.succeeded, c?.rejected,
            c?.failed, c?.possiblyDuplicated,
        ].map { $0.map(Int64.init) }
        let (id, finished, outcome, exit) = (run.id, run.finishedAt, run.outcome?.rawValue, run.exitStatus.map(Int32.init))
        let (fullSync, reason, report) = (run.fullSync, run.abortReason, run.reportPath)
        try call { client, logger in
            try await client.query(
                """
                UPDATE ctsync_runs SET finished_at = \(finished), status = \(outcome), exit_status = \(exit),
                    full_sync = \(fullSync), abort_reason = \(reason), source_rows = \(counts[0]), invalid = \(counts[1]),
                    unchanged = \(counts[2]), added = \(counts[3]), changed = \(counts[4]), sent = \(counts[5]),
                    succeeded = \(counts[6]), rejected = \(counts[7]), failed = \(counts[8]),
                    possibly_duplicated = \(counts[9]), report_path = \(report)
                WHERE id = \(id)
                """, logger: logger
            ).drain()
        }
    }

    public func runs(named name: String, limit: Int) throws(StateError) -> [RunRecord] {
        guard schemaVersion >= 2 else { return [] }
        let limit = Int64(max(0, limit))
        return try call { client, logger in
            try await Self.decodeRuns(
                client.query(
                    """
                    \(unescaped: Self.runColumns) WHERE j.name = \(name)
                    ORDER BY r.started_at DESC, r.id DESC LIMIT \(limit)
                    """, logger: logger))
        }
    }

    public func lastRun(job: JobKey, matching filter: RunFilter) throws(StateError) -> RunRecord? {
        guard schemaVersion >= 2, let id = try jobID(job, create: false) else { return nil }
        let condition: String
        switch filter {
        case .any: condition = "true"
        case .successful: condition = "r.finished_at IS NOT NULL AND r.exit_status = 0"
        case .fullSync:
            condition =
                "r.finished_at IS NOT NULL AND r.full_sync IS NOT NULL AND r.status NOT IN ('aborted', 'interrupted')"
        }
        return try call { client, logger in
            try await Self.decodeRuns(
                client.query(
                    """
                    \(unescaped: Self.runColumns) WHERE r.job_id = \(id) AND \(unescaped: condition)
                    ORDER BY r.started_at DESC, r.id DESC LIMIT 1
                    """, logger: logger))
        }.first
    }

    static let runColumns = """
        SELECT r.id, j.name, d.account, d.region, d.endpoint, r.started_at, r.finished_at, r.status, r.exit_status,
            r.full_sync, r.abort_reason, r.source_rows, r.invalid, r.unchanged, r.added, r.changed, r.sent,
            r.succeeded, r.rejected, r.failed, r.possibly_duplicated, r.report_path, r.ctsync_version, r.host, r.pid
        FROM ctsync_runs r JOIN ctsync_jobs j ON j.id = r.job_id
        LEFT JOIN ctsync_destinations d ON d.id = j.destination_id
        """

    static func decodeRuns(_ rows: PostgresRowSequence) async throws -> [RunRecord] {
        var runs: [RunRecord] = []
        for try await row in rows {
            let cells = row.makeRandomAccess()
            func value<T: PostgresDecodable>(_ index: Int, _ type: T.Type) throws -> T {
                try cells[index].decode(T.self, context: .default)
            }
            var run = RunRecord(
                id: try value(0, String.self),
                job: JobKey(
                    name: try value(1, String.self),
                    destination: destination(
                        try value(2, String?.self), try value(3, String?.self), try value(4, String?.self))),
                startedAt: try value(5, Date.self), ctsyncVersion: try value(22, String.self),
                host: try value(23, String.self), pid: try value(24, Int32.self))
            run.finishedAt = try value(6, Date?.self)
            run.outcome = try value(7, String?.self).flatMap(RunOutcome.init(rawValue:))
            run.exitStatus = try value(8, Int32?.self).map(Int.init)
            run.fullSync = try value(9, String?.self)
            run.abortReason = try value(10, String?.self)
            if let sourceRows = try value(11, Int64?.self) {
                var counts = RunRecord.Counts()
                counts.sourceRows = Int(sourceRows)
                func count(_ index: Int) throws -> Int { Int(try value(index, Int64?.self) ?? 0) }
                counts.invalid = try count(12)
                counts.unchanged = try count(13)
                counts.added = try count(14)
                counts.changed = try count(15)
                counts.sent = try count(16)
                counts.succeeded = try count(17)
                counts.rejected = try count(18)
                counts.failed = try count(19)
                counts.possiblyDuplicated = try count(20)
                run.counts = counts
            }
            run.reportPath = try value(21, String?.self)
            runs.append(run)
        }
        return runs
    }

    func insert(_ run: RunRecord, jobID id: Int64) throws(StateError) {
        let c = run.counts
        let counts: [Int64?] = [
            c?.sourceRows, c?.invalid, c?.unchanged, c?.added, c?.changed, c?.sent, c?.succeeded, c?.rejected,
            c?.failed, c?.possiblyDuplicated,
        ].map { $0.map(Int64.init) }
        let (runID, started, finished, outcome) = (run.id, run.startedAt, run.finishedAt, run.outcome?.rawValue)
        let (exit, fullSync, reason, report) = (run.exitStatus.map(Int32.init), run.fullSync, run.abortReason, run.reportPath)
        let (version, host, pid) = (run.ctsyncVersion, run.host, run.pid)
        try call { client, logger in
            try await client.query(
                """
                INSERT INTO ctsync_runs (id, job_id, started_at, finished_at, status, exit_status, full_sync, abort_reason,
                    source_rows, invalid, unchanged, added, changed, sent, succeeded, rejected, failed, possibly_duplicated,
                    report_path, ctsync_version, host, pid)
                VALUES (\(runID), \(id), \(started), \(finished), \(outcome), \(exit), \(fullSync), \(reason),
                    \(counts[0]), \(counts[1]), \(counts[2]), \(counts[3]), \(counts[4]), \(counts[5]), \(counts[6]),
                    \(counts[7]), \(counts[8]), \(counts[9]), \(report), \(version), \(host), \(pid))
                ON CONFLICT (id) DO NOTHING
                """, logger: logger
            ).drain()
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

    static func destination(_ account: String?, _ region: String?, _ endpoint: String?) -> CleverTapDestination? {
        guard let account, let region, let endpoint else { return nil }
        return CleverTapDestination(account: account, region: region, endpoint: endpoint)
    }

    /// The row of `job`'s state, created when `create` (the store is then current);
    /// nil when it has none. A read-only store reads a database it did not migrate:
    /// schema 1 has only states without destination.
    func jobID(_ job: JobKey, create: Bool) throws(StateError) -> Int64? {
        if let id = jobIDs.withLock({ $0[job] }) { return id }
        let version = schemaVersion
        if version < 2 && job.destination != nil { return nil }
        let destinationID = try create ? job.destination.map { destination throws(StateError) in try self.destinationID(destination) } : nil
        let name = job.name
        let id: Int64? = try call { client, logger in
            let rows: PostgresRowSequence
            switch (version, job.destination) {
            case (..<2, _):
                rows = try await client.query("SELECT id FROM ctsync_jobs WHERE name = \(name)", logger: logger)
            case (_, nil):
                if create {
                    try await client.query(
                        """
                        INSERT INTO ctsync_jobs (name) VALUES (\(name))
                        ON CONFLICT (name) WHERE destination_id IS NULL DO NOTHING
                        """, logger: logger
                    ).drain()
                }
                rows = try await client.query(
                    "SELECT id FROM ctsync_jobs WHERE name = \(name) AND destination_id IS NULL", logger: logger)
            case (_, let destination?):
                if let destinationID {
                    try await client.query(
                        """
                        INSERT INTO ctsync_jobs (name, destination_id) VALUES (\(name), \(destinationID))
                        ON CONFLICT (name, destination_id) WHERE destination_id IS NOT NULL DO NOTHING
                        """, logger: logger
                    ).drain()
                }
                rows = try await client.query(
                    """
                    SELECT j.id FROM ctsync_jobs j JOIN ctsync_destinations d ON d.id = j.destination_id
                    WHERE j.name = \(name) AND d.account = \(destination.account) AND d.region = \(destination.region)
                      AND d.endpoint = \(destination.endpoint)
                    """, logger: logger)
            }
            var id: Int64?
            for try await value in rows.decode(Int64.self) { id = value }
            return id
        }
        if let id { jobIDs.withLock { $0[job] = id } }
        return id
    }

    func destinationID(_ destination: CleverTapDestination) throws(StateError) -> Int64 {
        let (account, region, endpoint) = (destination.account, destination.region, destination.endpoint)
        return try call { client, logger in
            try await client.query(
                """
                INSERT INTO ctsync_destinations (account, region, endpoint) VALUES (\(account), \(region), \(endpoint))
                ON CONFLICT DO NOTHING
                """, logger: logger
            ).drain()
            let rows = try await client.query(
                """
                SELECT id FROM ctsync_destinations
                WHERE account = \(account) AND region = \(region) AND endpoint = \(endpoint)
                """, logger: logger)
            var id: Int64 = 0
            for try await value in rows.decode(Int64.self) { id = value }
            return id
        }
    }

    /// Forgets cached row ids (after a rename).
    func forgetJobIDs() {
        jobIDs.withLock { $0 = [:] }
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
