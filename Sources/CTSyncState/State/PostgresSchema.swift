import Logging
import PostgresNIO
import CTSyncPlan

/// ctsync's tables in a PostgreSQL database: created and migrated by ctsync, in
/// the first schema of the role's `search_path`, versioned by the rows of
/// `ctsync_schema_version` (one a migration applied).
///
/// A database whose `ctsync_*` tables ctsync did not create, or whose version is
/// newer than this ctsync knows, is refused, never written into.
enum PostgresSchema {
    /// The version this ctsync creates and migrates to.
    static var current: Int { migrations.count }

    /// Tables of the current schema; any of them without `ctsync_schema_version`
    /// means someone else's tables.
    static let tables = tablesOf(version: current)

    /// Serialises migrations between processes (a transaction-level advisory lock,
    /// which also works through pgbouncer's transaction pooling).
    static let migrationLock: Int64 = 0x6374_7379_6e63_0001

    /// Migration n (1-based) takes the schema from version n-1 to n; each runs in
    /// one transaction, statement by statement. Forward only: a migration, once
    /// released, is never edited (older ctsync versions share these databases).
    ///
    /// 1. ctsync 0.1: jobs (one row a name), acknowledgements, leases, members, slots.
    /// 2. State per job *and destination*: `ctsync_destinations`; `ctsync_jobs` gains
    ///    `destination_id` (NULL for version-1 rows until a run adopts them), the
    ///    canonical `spec` and the `source` identity, and is unique by (name,
    ///    destination) instead of by name; `ctsync_runs`, the run history.
    /// 3. Account limits kept across runs: `ctsync_event_names` and
    ///    `ctsync_event_properties` per destination, each row acknowledged (`run_id` '')
    ///    or reserved by a run; the destination's declared budgets.
    static let migrations: [[String]] = [
        [
            """
            CREATE TABLE ctsync_schema_version (
                version integer PRIMARY KEY,
                applied_at timestamptz NOT NULL DEFAULT now(),
                applied_by text NOT NULL
            )
            """,
            "COMMENT ON TABLE ctsync_schema_version IS 'ctsync state schema versions; managed by ctsync'",
            """
            CREATE TABLE ctsync_jobs (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                name text NOT NULL UNIQUE,
                spec_fingerprint bigint,
                updated_at timestamptz NOT NULL DEFAULT now()
            )
            """,
            """
            CREATE TABLE ctsync_acks (
                job_id bigint NOT NULL REFERENCES ctsync_jobs (id) ON DELETE CASCADE,
                key text COLLATE "C" NOT NULL,
                hash bytea NOT NULL,
                spec bigint NOT NULL,
                acked_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (job_id, key)
            )
            """,
            // Who runs a job right now: one row a job, renewed by the holder's heartbeat.
            """
            CREATE TABLE ctsync_job_leases (
                job text PRIMARY KEY,
                holder text NOT NULL,
                pid integer NOT NULL,
                host text NOT NULL,
                boot_id text NOT NULL,
                acquired_at timestamptz NOT NULL,
                expires_at timestamptz NOT NULL
            )
            """,
            // The processes sending to an account, and whether each is waiting for a slot.
            """
            CREATE TABLE ctsync_members (
                account text NOT NULL,
                holder text NOT NULL,
                pid integer NOT NULL,
                host text NOT NULL,
                boot_id text NOT NULL,
                waiting_until timestamptz,
                expires_at timestamptz NOT NULL,
                PRIMARY KEY (account, holder)
            )
            """,
            // An account's request slots (CleverTap allows 15 requests in flight an account).
            """
            CREATE TABLE ctsync_slots (
                account text NOT NULL,
                slot smallint NOT NULL,
                holder text,
                expires_at timestamptz,
                PRIMARY KEY (account, slot)
            )
            """,
            // Takes a free slot of the account for the holder, or answers -1. A holder
            // at or above its fair share (capacity over the processes holding slots or
            // waiting for one) gets no more while another holder is waiting, so every
            // process gets its share within one request's time.
            """
            CREATE FUNCTION ctsync_take_slot(p_account text, p_holder text, p_capacity integer, p_ttl_ms double precision)
            RETURNS integer LANGUAGE plpgsql AS $$
            DECLARE
                v_held integer;
                v_others integer;
                v_waiting boolean;
                v_share integer;
                v_slot integer;
            BEGIN
                SELECT count(*) INTO v_held FROM ctsync_slots
                 WHERE account = p_account AND holder = p_holder AND expires_at > now();
                SELECT count(*) INTO v_others FROM (
                    SELECT holder FROM ctsync_slots
                     WHERE account = p_account AND holder <> p_holder AND expires_at > now()
                    UNION
                    SELECT holder FROM ctsync_members
                     WHERE account = p_account AND holder <> p_holder AND waiting_until > now() AND expires_at > now()
                ) AS active;
                SELECT EXISTS (
                    SELECT 1 FROM ctsync_members
                     WHERE account = p_account AND holder <> p_holder AND waiting_until > now() AND expires_at > now()
                ) INTO v_waiting;
                v_share := ceil(p_capacity::numeric / (v_others + 1));
                IF v_held >= p_capacity OR (v_held >= v_share AND v_waiting) THEN
                    RETURN -1;
                END IF;
                SELECT slot INTO v_slot FROM ctsync_slots
                 WHERE account = p_account AND slot < p_capacity AND (holder IS NULL OR expires_at <= now())
                 ORDER BY slot LIMIT 1 FOR UPDATE SKIP LOCKED;
                IF FOUND THEN
                    UPDATE ctsync_slots SET holder = p_holder, expires_at = now() + p_ttl_ms * interval '1 millisecond'
                     WHERE account = p_account AND slot = v_slot;
                    RETURN v_slot;
                END IF;
                IF v_held < v_share THEN
                    UPDATE ctsync_members SET waiting_until = now() + interval '1 second'
                     WHERE account = p_account AND holder = p_holder;
                END IF;
                RETURN -1;
            END
            $$
            """,
        ],
        [
            """
            CREATE TABLE ctsync_destinations (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                account text NOT NULL,
                region text NOT NULL,
                endpoint text NOT NULL,
                UNIQUE (account, region, endpoint)
            )
            """,
            "ALTER TABLE ctsync_jobs DROP CONSTRAINT ctsync_jobs_name_key",
            """
            ALTER TABLE ctsync_jobs
                ADD COLUMN destination_id bigint REFERENCES ctsync_destinations (id),
                ADD COLUMN spec text,
                ADD COLUMN source text
            """,
            "CREATE UNIQUE INDEX ctsync_jobs_by_destination ON ctsync_jobs (name, destination_id) WHERE destination_id IS NOT NULL",
            "CREATE UNIQUE INDEX ctsync_jobs_without_destination ON ctsync_jobs (name) WHERE destination_id IS NULL",
            """
            CREATE TABLE ctsync_runs (
                id text PRIMARY KEY,
                job_id bigint NOT NULL REFERENCES ctsync_jobs (id) ON DELETE CASCADE,
                started_at timestamptz NOT NULL,
                finished_at timestamptz,
                status text,
                exit_status integer,
                full_sync text,
                abort_reason text,
                source_rows bigint,
                invalid bigint,
                unchanged bigint,
                added bigint,
                changed bigint,
                sent bigint,
                succeeded bigint,
                rejected bigint,
                failed bigint,
                possibly_duplicated bigint,
                report_path text,
                ctsync_version text NOT NULL,
                host text NOT NULL,
                pid integer NOT NULL
            )
            """,
            "CREATE INDEX ctsync_runs_by_job ON ctsync_runs (job_id, started_at)",
        ],
        [
            """
            CREATE TABLE ctsync_event_names (
                destination_id bigint NOT NULL REFERENCES ctsync_destinations (id) ON DELETE CASCADE,
                name text COLLATE "C" NOT NULL,
                run_id text COLLATE "C" NOT NULL,
                at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (destination_id, name, run_id)
            )
            """,
            "CREATE INDEX ctsync_event_names_by_run ON ctsync_event_names (run_id) WHERE run_id <> ''",
            """
            CREATE TABLE ctsync_event_properties (
                destination_id bigint NOT NULL REFERENCES ctsync_destinations (id) ON DELETE CASCADE,
                event_name text COLLATE "C" NOT NULL,
                key text COLLATE "C" NOT NULL,
                run_id text COLLATE "C" NOT NULL,
                at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (destination_id, event_name, key, run_id)
            )
            """,
            "CREATE INDEX ctsync_event_properties_by_run ON ctsync_event_properties (run_id) WHERE run_id <> ''",
            """
            ALTER TABLE ctsync_destinations
                ADD COLUMN event_names_limit integer,
                ADD COLUMN properties_per_event_limit integer
            """,
        ],
    ]

    enum Status {
        /// No ctsync tables at all.
        case absent
        case version(Int)
    }

    /// What the database holds, without changing it.
    static func inspect(_ connection: PostgresConnection, url: String, logger: Logger) async throws -> Status {
        let names = ["ctsync_schema_version"] + tables
        var existing: Set<String> = []
        let rows = try await connection.query(
            "SELECT n FROM unnest(\(names)::text[]) AS n WHERE to_regclass(quote_ident(n)) IS NOT NULL", logger: logger)
        for try await name in rows.decode(String.self) { existing.insert(name) }
        guard existing.contains("ctsync_schema_version") else {
            if let found = tables.first(where: existing.contains) {
                throw StateError.foreignSchema(
                    url: url, detail: "table \(found) exists, but no ctsync_schema_version table says ctsync made it")
            }
            return .absent
        }
        let version: Int
        do {
            let rows = try await connection.query(
                "SELECT coalesce(max(version), 0)::int8 FROM ctsync_schema_version", logger: logger)
            var found: Int64 = 0
            for try await value in rows.decode(Int64.self) { found = value }
            version = Int(found)
        } catch let error where PostgresFailure.sqlState(error)?.hasPrefix("42") == true {
            throw StateError.foreignSchema(url: url, detail: "table ctsync_schema_version is not ctsync's (no version column)")
        }
        if version == 0 {
            throw StateError.foreignSchema(url: url, detail: "table ctsync_schema_version is empty")
        }
        if version > current {
            throw StateError.newerDatabaseSchema(url: url, found: version, known: current)
        }
        let expected = tablesOf(version: version)
        if let missing = expected.first(where: { !existing.contains($0) }) {
            throw StateError.foreignSchema(
                url: url, detail: "schema version \(version) but table \(missing) is missing (dropped by hand?)")
        }
        return .version(version)
    }

    /// Creates or migrates the schema to `current`, one transaction a migration,
    /// under an advisory lock so that concurrent first runs do not race.
    static func migrate(_ connection: PostgresConnection, url: String, logger: Logger) async throws {
        try await connection.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(migrationLock))", logger: logger)
            let status = try await inspect(connection, url: url, logger: logger)
            var version: Int
            switch status {
            case .absent: version = 0
            case .version(let found): version = found
            }
            while version < current {
                for statement in migrations[version] {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                version += 1
                let by = "ctsync (\(HolderIdentity.current))"
                try await connection.query(
                    "INSERT INTO ctsync_schema_version (version, applied_by) VALUES (\(version), \(by))", logger: logger)
            }
        }
    }

    /// The tables that exist at a schema version.
    static func tablesOf(version: Int) -> [String] {
        var tables: [String] = []
        if version >= 1 { tables += ["ctsync_jobs", "ctsync_acks", "ctsync_job_leases", "ctsync_members", "ctsync_slots"] }
        if version >= 2 { tables += ["ctsync_destinations", "ctsync_runs"] }
        if version >= 3 { tables += ["ctsync_event_names", "ctsync_event_properties"] }
        return tables
    }
}
