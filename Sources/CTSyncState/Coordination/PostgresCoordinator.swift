import Foundation
import Logging
import PostgresNIO
import Synchronization

/// Coordination through the PostgreSQL state database, across processes and
/// machines: lease rows that expire unless renewed.
///
/// - `ctsync_job_leases`: one row a running job (holder, pid, host, since).
/// - `ctsync_slots`: an account's 15 request slots, each held for one request.
/// - `ctsync_members`: the processes sending to an account and whether each is
///   waiting, for the fair share (`ctsync_take_slot`).
///
/// A heartbeat renews this process's rows every second; they expire after
/// `ttl` seconds, so the slots and jobs of a process that was SIGKILLed or whose
/// machine vanished come back within a few seconds (at once for a dead process on
/// this machine, which is checked by pid). Rows rather than advisory locks: they
/// work through pgbouncer's transaction pooling, and a process that loses its
/// connection keeps its slots until they expire instead of losing them while its
/// requests are still in flight. If the heartbeat fails for `lostAfter` seconds,
/// the coordinator declares itself lost and the run stops sending before its
/// leases can expire.
public final class PostgresCoordinator: RunCoordinator, Sendable {
    let store: PostgresStateStore
    let identity: HolderIdentity
    let ttl: Duration
    let heartbeatInterval: Duration
    let lostAfter: Duration
    private let state = Mutex<State>(State())
    private let heartbeat = Mutex<Task<Void, Never>?>(nil)
    private let loss = LossSignal()

    private struct State {
        var jobs: Set<String> = []
        var budgets: [String: PostgresSlotBudget] = [:]
        var lastRenewal = ContinuousClock.now
        /// Whether this process ever took a lease or joined an account: a coordinator
        /// that only probed (`ctsync check`) has no rows to reap and writes nothing on close.
        var everHeld = false
    }

    private var client: PostgresClient { store.client }
    private var logger: Logger { store.logger }
    var ttlMilliseconds: Double { Double(ttl.components.seconds) * 1000 + Double(ttl.components.attoseconds) / 1e15 }

    public init(
        store: PostgresStateStore, identity: HolderIdentity = .current, ttl: Duration = .seconds(6),
        heartbeatInterval: Duration = .seconds(1)
    ) {
        self.store = store
        self.identity = identity
        self.ttl = ttl
        self.heartbeatInterval = heartbeatInterval
        lostAfter = ttl * 2 / 3
        let task = Task(executorPreference: PostgresBridge.executor) { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: heartbeatInterval)
                guard let self, !Task.isCancelled else { return }
                await self.renew()
            }
        }
        heartbeat.withLock { $0 = task }
    }

    // MARK: Jobs

    public func acquireJob(_ job: String, wait: Bool, waiting: @escaping @Sendable (LeaseHolder?) -> Void)
        async throws(CoordinationError)
    {
        // Before the first statement: one that times out may still have taken the lease.
        state.withLock { $0.everHeld = true }
        var told = false
        while true {
            if let reason = lostReason { throw .lost(reason) }
            let outcome: JobTake
            do {
                outcome = try await query(timeout: 10) { [self] client, logger in
                    try await takeJob(job, client: client, logger: logger)
                }
            } catch {
                throw .lost(
                    "cannot take the lease of job \"\(job)\" in \(store.url): \(PostgresFailure.describe(error))")
            }
            switch outcome {
            case .taken:
                state.withLock { _ = $0.jobs.insert(job) }
                return
            case .held(let holder, let pid, let host, let boot, let since):
                if identity.isDeadLocalProcess(pid: pid, host: host, boot: boot) {
                    try? await reap(holder)
                    continue
                }
                let who = LeaseHolder(pid: pid, host: host, since: since)
                guard wait else { throw .jobHeld(job: job, holder: who) }
                if !told {
                    waiting(who)
                    told = true
                }
                do {
                    try await Task.sleep(for: .seconds(1))
                } catch {
                    throw .cancelled
                }
            }
        }
    }

    public func leaseHolder(job: String) async throws(CoordinationError) -> LeaseHolder? {
        let found: (String, Int32, String, String, Date)?
        do {
            found = try await query(timeout: 10) { client, logger in
                let rows = try await client.query(
                    """
                    SELECT holder, pid, host, boot_id, acquired_at FROM ctsync_job_leases
                    WHERE job = \(job) AND expires_at > now()
                    """, logger: logger)
                for try await row in rows.decode((String, Int32, String, String, Date).self) { return row }
                return nil
            }
        } catch {
            throw .lost("cannot read the lease of job \"\(job)\" in \(store.url): \(PostgresFailure.describe(error))")
        }
        guard let (holder, pid, host, boot, since) = found else { return nil }
        // A dead process of this machine holds nothing: the next run reclaims its lease at once.
        if holder != identity.id && identity.isDeadLocalProcess(pid: pid, host: host, boot: boot) { return nil }
        return LeaseHolder(pid: pid, host: host, since: since)
    }

    public func releaseJob(_ job: String) async {
        state.withLock { _ = $0.jobs.remove(job) }
        let holder = identity.id
        try? await query(timeout: 5) { client, logger in
            try await client.query(
                "DELETE FROM ctsync_job_leases WHERE job = \(job) AND holder = \(holder)", logger: logger
            ).drain()
        }
    }

    private enum JobTake: Sendable {
        case taken
        case held(holder: String, pid: Int32, host: String, boot: String, since: Date)
    }

    private func takeJob(_ job: String, client: PostgresClient, logger: Logger) async throws -> JobTake {
        let (id, pid, host, boot, ttl) = (identity.id, identity.pid, identity.host, identity.bootID, ttlMilliseconds)
        let rows = try await client.query(
            """
            INSERT INTO ctsync_job_leases AS l (job, holder, pid, host, boot_id, acquired_at, expires_at)
            VALUES (\(job), \(id), \(pid), \(host), \(boot), now(), now() + \(ttl) * interval '1 millisecond')
            ON CONFLICT (job) DO UPDATE
            SET holder = excluded.holder, pid = excluded.pid, host = excluded.host, boot_id = excluded.boot_id,
                acquired_at = excluded.acquired_at, expires_at = excluded.expires_at
            WHERE l.expires_at <= now() OR l.holder = excluded.holder
            RETURNING holder
            """, logger: logger)
        var taken = false
        for try await _ in rows { taken = true }
        if taken { return .taken }
        let holders = try await client.query(
            "SELECT holder, pid, host, boot_id, acquired_at FROM ctsync_job_leases WHERE job = \(job)", logger: logger)
        for try await (holder, pid, host, boot, since) in holders.decode((String, Int32, String, String, Date).self) {
            return .held(holder: holder, pid: pid, host: host, boot: boot, since: since)
        }
        // Released between the two statements: try again.
        return try await takeJob(job, client: client, logger: logger)
    }

    // MARK: Slots

    public func slotBudget(account: String, capacity: Int) -> any SlotBudget {
        state.withLock { state in
            if let budget = state.budgets[account] { return budget }
            let budget = PostgresSlotBudget(coordinator: self, account: account, capacity: capacity)
            state.budgets[account] = budget
            state.everHeld = true
            return budget
        }
    }

    /// Registers this process as a sender to `account` (creating its slot rows), and
    /// reclaims what dead processes of this machine left.
    func join(account: String, capacity: Int) async throws {
        let (id, pid, host, boot, ttl) = (identity.id, identity.pid, identity.host, identity.bootID, ttlMilliseconds)
        try await query(timeout: 10) { client, logger in
            try await client.query(
                """
                INSERT INTO ctsync_slots (account, slot)
                SELECT \(account), g FROM generate_series(0, \(capacity) - 1) AS g
                ON CONFLICT DO NOTHING
                """, logger: logger
            ).drain()
            try await client.query(
                """
                INSERT INTO ctsync_members (account, holder, pid, host, boot_id, expires_at)
                VALUES (\(account), \(id), \(pid), \(host), \(boot), now() + \(ttl) * interval '1 millisecond')
                ON CONFLICT (account, holder) DO UPDATE SET expires_at = excluded.expires_at
                """, logger: logger
            ).drain()
        }
        try await reapDeadLocalHolders()
    }

    /// A free slot of `account` for this process, or nil (none free, or over its share).
    func takeSlot(account: String, capacity: Int) async throws -> Int? {
        let (id, ttl) = (identity.id, ttlMilliseconds)
        return try await query(timeout: 5) { client, logger in
            let rows = try await client.query(
                "SELECT ctsync_take_slot(\(account), \(id), \(Int32(capacity)), \(ttl))::int4", logger: logger)
            var slot: Int32 = -1
            for try await value in rows.decode(Int32.self) { slot = value }
            return slot >= 0 ? Int(slot) : nil
        }
    }

    /// Shows the other processes that this one waits for a slot of `account` (or no
    /// longer does). Not waiting is the safe side of an error: the others then
    /// just do not leave it their share.
    func setWaiting(_ waiting: Bool, account: String) async {
        let id = identity.id
        try? await query(timeout: 5) { client, logger in
            try await client.query(
                """
                UPDATE ctsync_members SET waiting_until = CASE WHEN \(waiting) THEN 'infinity'::timestamptz END
                WHERE account = \(account) AND holder = \(id)
                """, logger: logger
            ).drain()
        }
    }

    func releaseSlot(account: String, slot: Int) async {
        let id = identity.id
        for attempt in 1...3 {
            do {
                try await query(timeout: 5) { client, logger in
                    try await client.query(
                        """
                        UPDATE ctsync_slots SET holder = NULL, expires_at = NULL
                        WHERE account = \(account) AND slot = \(Int32(slot)) AND holder = \(id)
                        """, logger: logger
                    ).drain()
                }
                return
            } catch {
                // Not released, the slot comes back when it expires (the heartbeat stops renewing it once we are lost).
                if attempt < 3 { try? await Task.sleep(for: .milliseconds(200 * attempt)) }
            }
        }
    }

    // MARK: Heartbeat and loss

    /// Renews every row of this process; declares the coordinator lost when that has
    /// failed for `lostAfter`, or when a job's lease was taken by someone else.
    private func renew() async {
        let started = ContinuousClock.now
        let expected = state.withLock { $0.jobs }
        let (id, ttl) = (identity.id, ttlMilliseconds)
        do {
            let renewed = try await query(timeout: 2) { client, logger in
                let rows = try await client.query(
                    """
                    WITH slots AS (
                        UPDATE ctsync_slots SET expires_at = now() + \(ttl) * interval '1 millisecond'
                        WHERE holder = \(id) RETURNING 1
                    ), members AS (
                        UPDATE ctsync_members SET expires_at = now() + \(ttl) * interval '1 millisecond'
                        WHERE holder = \(id) RETURNING 1
                    )
                    UPDATE ctsync_job_leases SET expires_at = now() + \(ttl) * interval '1 millisecond'
                    WHERE holder = \(id) RETURNING job
                    """, logger: logger)
                var jobs: Set<String> = []
                for try await job in rows.decode(String.self) { jobs.insert(job) }
                return jobs
            }
            let current = state.withLock { $0.jobs }
            if let taken = expected.intersection(current).subtracting(renewed).first {
                markLost(
                    "the lease of job \"\(taken)\" in \(store.url) expired and was taken by another process (was this process paused?); stopped sending"
                )
                return
            }
            state.withLock { $0.lastRenewal = max($0.lastRenewal, started) }
        } catch {
            let last = state.withLock { $0.lastRenewal }
            if ContinuousClock.now - last > lostAfter {
                markLost(
                    "lost the connection to the state database \(store.url) (\(PostgresFailure.describe(error))); stopped sending before this process's leases could expire"
                )
            }
        }
    }

    func markLost(_ reason: String) { loss.markLost(reason) }

    /// Whether our leases may have expired: no renewal for `lostAfter`.
    func checkAlive() throws(CoordinationError) {
        if let lost = loss.reason { throw .lost(lost) }
        let last = state.withLock { $0.lastRenewal }
        if ContinuousClock.now - last > lostAfter {
            let reason =
                "lost the connection to the state database \(store.url) (no lease renewal for \(lostAfter)); stopped sending"
            markLost(reason)
            throw .lost(reason)
        }
    }

    public func onLost(_ handler: @escaping @Sendable (String) -> Void) { loss.onLost(handler) }

    public var lostReason: String? { loss.reason }

    public func close() async {
        heartbeat.withLock { $0?.cancel() }
        guard state.withLock({ $0.everHeld }) else { return }
        let id = identity.id
        try? await reap(id)
    }

    // MARK: Dead holders

    /// Frees everything `holder` has: its slots, memberships and job leases.
    private func reap(_ holder: String) async throws {
        try await query(timeout: 5) { client, logger in
            try await client.query(
                """
                WITH slots AS (
                    UPDATE ctsync_slots SET holder = NULL, expires_at = NULL WHERE holder = \(holder) RETURNING 1
                ), members AS (
                    DELETE FROM ctsync_members WHERE holder = \(holder) RETURNING 1
                )
                DELETE FROM ctsync_job_leases WHERE holder = \(holder)
                """, logger: logger
            ).drain()
        }
    }

    /// Holders on this machine whose process is gone (SIGKILL, OOM) need not wait for
    /// their rows to expire.
    private func reapDeadLocalHolders() async throws {
        let (id, host, boot) = (identity.id, identity.host, identity.bootID)
        let candidates = try await query(timeout: 5) { client, logger in
            let rows = try await client.query(
                """
                SELECT holder, pid FROM ctsync_members WHERE host = \(host) AND boot_id = \(boot) AND holder <> \(id)
                UNION
                SELECT holder, pid FROM ctsync_job_leases WHERE host = \(host) AND boot_id = \(boot) AND holder <> \(id)
                """, logger: logger)
            var found: [(String, Int32)] = []
            for try await (holder, pid) in rows.decode((String, Int32).self) { found.append((holder, pid)) }
            return found
        }
        for (holder, pid) in candidates where identity.isDeadLocalProcess(pid: pid, host: host, boot: boot) {
            try await reap(holder)
        }
    }

    // MARK: Helpers

    private func query<T: Sendable>(
        timeout: Double, _ body: @escaping @Sendable (PostgresClient, Logger) async throws -> T
    ) async throws -> T {
        let (client, logger) = (self.client, self.logger)
        return try await PostgresBridge.deadline(timeout) { try await body(client, logger) }
    }
}
