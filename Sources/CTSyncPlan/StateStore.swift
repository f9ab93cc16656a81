import CTSyncSupport
import CleverTapContract
import CTSyncSpec
import Foundation

/// What state remembers of one acknowledged record.
public struct StoredRecord: Sendable, Equatable {
    /// Hash of the canonical record CleverTap acknowledged.
    public var hash: RecordHash
    /// Fingerprint of the job's destination and mappings when it was acknowledged.
    public var spec: UInt64

    public init(hash: RecordHash, spec: UInt64) {
        self.hash = hash
        self.spec = spec
    }
}

/// One record to mark as acknowledged.
public struct Acknowledgement: Sendable, Equatable {
    public var key: String
    public var hash: RecordHash

    public init(key: String, hash: RecordHash) {
        self.key = key
        self.hash = hash
    }
}

/// One acknowledged key as state holds it, with when it was acknowledged (for
/// `state show --key` and `state export`/`import`).
public struct StoredAcknowledgement: Sendable, Equatable {
    public var key: String
    public var hash: RecordHash
    public var spec: UInt64
    /// Whole seconds.
    public var acknowledgedAt: Date

    public init(key: String, hash: RecordHash, spec: UInt64, acknowledgedAt: Date) {
        self.key = key
        self.hash = hash
        self.spec = spec
        self.acknowledgedAt = acknowledgedAt
    }
}

/// Addresses one job's state at one destination. State is kept per job *and*
/// destination: a run to the sandbox never marks rows as delivered to production.
public struct JobKey: Sendable, Hashable, CustomStringConvertible {
    public var name: String
    /// Where the job's records went. Nil addresses the state a ctsync before state
    /// schema 2 wrote, which did not record destinations: it is adopted (given a
    /// destination) by the first run whose legacy fingerprint matches it.
    public var destination: CleverTapDestination?

    public init(name: String, destination: CleverTapDestination?) {
        self.name = name
        self.destination = destination
    }

    public var description: String {
        destination.map { "\(name) → \($0)" } ?? "\(name) (destination not recorded)"
    }
}

/// What state holds about one job at one destination, besides its keys.
public struct StoredJob: Sendable, Equatable {
    public var key: JobKey
    /// The spec fingerprint of the last completed run; nil when no run completed.
    public var fingerprint: UInt64?
    /// The canonical spec (`CanonicalSpec.json`) the fingerprint was computed from;
    /// nil for state written before schema 2 (whose fingerprint is a `LegacySpecFingerprint`).
    public var spec: String?
    /// `SourceIdentity` of the job's source when it last ran: finds a renamed job.
    public var source: String?

    public init(key: JobKey, fingerprint: UInt64?, spec: String?, source: String?) {
        self.key = key
        self.fingerprint = fingerprint
        self.spec = spec
        self.source = source
    }
}

/// How a recorded run ended.
public enum RunOutcome: String, Sendable, CaseIterable, Codable {
    case succeeded
    case completedWithErrors = "completed_with_errors"
    case failed
    case aborted
    /// Started and never finished: the process was killed (SIGKILL, a crash, the
    /// machine lost). Set by the next run of the job, or seen by `status`.
    case interrupted

    /// Whether a run that ended so stopped before its plan was done.
    public var isUnfinished: Bool { self == .aborted || self == .interrupted }
}

/// One run of a job as state records it (`ctsync status`, `ctsync history`).
public struct RunRecord: Sendable, Equatable {
    /// The run report's counts.
    public struct Counts: Sendable, Equatable {
        public var sourceRows = 0
        public var invalid = 0
        public var unchanged = 0
        public var added = 0
        public var changed = 0
        public var sent = 0
        public var succeeded = 0
        public var rejected = 0
        public var failed = 0
        public var possiblyDuplicated = 0

        public var planned: Int { added + changed }

        public init() {}
    }

    /// The report's `run_id`.
    public var id: String
    public var job: JobKey
    public var startedAt: Date
    /// Nil while running, or when the run was killed.
    public var finishedAt: Date?
    /// Nil while running (or killed and not yet seen by a later run of the job).
    public var outcome: RunOutcome?
    /// The exit status `ctsync run` gave the job (0 = a successful run).
    public var exitStatus: Int?
    public var counts: Counts?
    /// Why the run brought every row in line, when it did: `first_run` (no completed
    /// run to this destination before it), `full` (`--full`), `spec_changed` (profiles
    /// after a change of mappings).
    public var fullSync: String?
    public var abortReason: String?
    /// Where the run report was written, as the run named it.
    public var reportPath: String?
    public var ctsyncVersion: String
    public var host: String
    public var pid: Int32

    public init(
        id: String, job: JobKey, startedAt: Date, ctsyncVersion: String, host: String, pid: Int32,
        finishedAt: Date? = nil, outcome: RunOutcome? = nil, exitStatus: Int? = nil, counts: Counts? = nil,
        fullSync: String? = nil, abortReason: String? = nil, reportPath: String? = nil
    ) {
        self.id = id
        self.job = job
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.outcome = outcome
        self.exitStatus = exitStatus
        self.counts = counts
        self.fullSync = fullSync
        self.abortReason = abortReason
        self.reportPath = reportPath
        self.ctsyncVersion = ctsyncVersion
        self.host = host
        self.pid = pid
    }
}

/// Which of a job's runs `StateStore.lastRun` looks for.
public enum RunFilter: Sendable {
    /// Any run, finished or not.
    case any
    /// A finished run that exited 0.
    case successful
    /// A finished run (not aborted or interrupted) that planned every row (`fullSync`).
    case fullSync
}

/// Per-job memory of what CleverTap acknowledged, so a run sends only what changed,
/// and of the runs that wrote it.
///
/// Written only for acknowledged records, one transaction per batch: a crash loses
/// nothing that was acknowledged, and anything not acknowledged is sent again.
/// Everything is addressed by `JobKey`: a job's name and its destination.
public protocol StateStore: Sendable {
    /// Every state held under the job name `name`: one a destination, and the
    /// schema-1 state without a destination if it was never adopted.
    func jobs(named name: String) throws(StateError) -> [StoredJob]
    /// Every job state, ordered by name (`status` without names, rename hints).
    func allJobs() throws(StateError) -> [StoredJob]
    /// Records the spec of a completed run: its canonical document and fingerprint.
    func setSpec(_ spec: CanonicalSpec, job: JobKey) throws(StateError)
    /// Gives the job's schema-1 state (no destination) the destination `to`: the
    /// first run whose legacy fingerprint matches it adopts its keys and history.
    /// Does nothing when there is none; fails if `to` already has state.
    func adoptLegacyState(job name: String, to destination: CleverTapDestination) throws(StateError)
    /// A lookup for the planner; used from one thread at a time.
    func makeLookup(job: JobKey) throws(StateError) -> any StateLookup
    /// Marks records acknowledged, in one transaction; creates the job's state if needed.
    /// With `budget`, records in the same transaction the event names and property keys
    /// CleverTap acknowledged, and drops the run's reservations of them.
    func acknowledge(
        _ records: [Acknowledgement], job: JobKey, spec: UInt64, budget: BudgetAcknowledgement?
    ) throws(StateError)
    /// How many keys the job has acknowledged.
    func acknowledgedCount(job: JobKey) throws(StateError) -> Int

    /// Records that a run started (the caller holds the job's lease): creates the
    /// job's state if needed, notes its source (`SourceIdentity`), marks the job's
    /// earlier runs that never finished `interrupted`, and inserts `run`.
    func runStarted(_ run: RunRecord, source: String) throws(StateError)
    /// Records how a started run ended: outcome, exit status, counts, report path.
    func runFinished(_ run: RunRecord) throws(StateError)
    /// The runs of every state under the job name `name`, newest first.
    func runs(named name: String, limit: Int) throws(StateError) -> [RunRecord]
    /// The newest run of the job's state at one destination that matches `filter`.
    func lastRun(job: JobKey, matching filter: RunFilter) throws(StateError) -> RunRecord?

    /// The destination's event names with their property keys: those CleverTap
    /// acknowledged, and those reserved by runs that have not finished (or by `run`).
    /// Read-only; empty for state written before schema 3.
    func budget(at destination: CleverTapDestination, run: String?) throws(StateError) -> BudgetSnapshot
    /// Before a run plans: drops the reservations of runs that finished (or were marked
    /// interrupted), records the run's `limits` for the destination, and returns what
    /// `budget(at:run:)` would.
    func beginBudget(at destination: CleverTapDestination, run: String, limits: AccountLimits) throws(StateError)
        -> BudgetSnapshot
    /// Reserves for `run` the request's event name (unless acknowledged) and keys
    /// (those not acknowledged), in one transaction that first counts the destination's
    /// use — acknowledged, plus reservations of runs not finished — against `limits`,
    /// so processes planning at once never together pass a budget. A refusal reserves nothing.
    func reserve(_ request: BudgetRequest, at destination: CleverTapDestination, run: String, limits: AccountLimits)
        throws(StateError) -> BudgetDecision
    /// Drops every reservation of `run` that CleverTap did not acknowledge (at the end of the run).
    func releaseReservations(run: String) throws(StateError)

    /// Housekeeping after a job finished writing, before the next one plans (PostgreSQL
    /// refreshes its statistics after a large load). A no-op by default.
    func jobFinished()
    /// Releases the store's connections; the store is not used afterwards. A no-op by default.
    func shutdown()
}

extension StateStore {
    /// Marks records acknowledged (no event names to record).
    public func acknowledge(_ records: [Acknowledgement], job: JobKey, spec: UInt64) throws(StateError) {
        try acknowledge(records, job: job, spec: spec, budget: nil)
    }

    public func jobFinished() {}
    public func shutdown() {}
}

/// Point lookups of primary keys; not thread-safe.
public protocol StateLookup: AnyObject {
    func find(_ key: String) throws(StateError) -> StoredRecord?
    func close()
    /// Whether the planner should announce each chunk's keys with `prefetch` before
    /// looking them up (a store across a network); false by default.
    var prefetches: Bool { get }
    /// Fetches the records of `keys` in one round trip, so that the `find`s that
    /// follow for those keys are answered from memory. A no-op by default.
    func prefetch(_ keys: [String]) throws(StateError)
}

extension StateLookup {
    public var prefetches: Bool { false }
    public func prefetch(_ keys: [String]) throws(StateError) {}
}

/// A lookup over no state (a first run, `--full`, or a state file that does not exist yet).
public final class EmptyStateLookup: StateLookup {
    public init() {}
    public func find(_ key: String) throws(StateError) -> StoredRecord? { nil }
    public func close() {}
}

/// Why state could not be read or written. Never silently reset.
public enum StateError: Error, Sendable, Equatable, CustomStringConvertible {
    case notADatabase(path: String)
    case foreignDatabase(path: String)
    case newerSchema(path: String, found: String)
    case unsupportedLocation(String)
    case io(path: String, message: String)
    /// A `postgres://` state URL that does not parse; `url` is redacted.
    case invalidURL(url: String, reason: String)
    /// A state URL with a password in it; `url` is redacted.
    case passwordInURL(url: String)
    /// A PostgreSQL state database that cannot be reached or answered with an error.
    case database(url: String, message: String)
    /// PostgreSQL tables named like ctsync's that ctsync did not create.
    case foreignSchema(url: String, detail: String)
    /// A PostgreSQL state schema migrated by a newer ctsync.
    case newerDatabaseSchema(url: String, found: Int, known: Int)
    /// A state operation that would mix two jobs' state (`state rename` onto a name
    /// that has state, `state import` onto a job that has keys, an adoption onto a
    /// destination that has state).
    case conflict(String)

    public var description: String {
        switch self {
        case .notADatabase(let path):
            "state file \(path) is not a SQLite database (corrupt or not a ctsync state file); move it aside or pass another --state"
        case .foreignDatabase(let path):
            "state file \(path) is a SQLite database that ctsync did not create; refusing to use it (pass another --state)"
        case .newerSchema(let path, let found):
            "state file \(path) was written by a newer ctsync (schema \(found)); upgrade ctsync to use it"
        case .unsupportedLocation(let text):
            "unsupported state location \"\(text)\"; use a path, sqlite:PATH or postgres://USER@HOST:PORT/DATABASE"
        case .io(let path, let message):
            "state \(path): \(message)"
        case .invalidURL(let url, let reason):
            "invalid state URL \(url): \(reason)"
        case .passwordInURL(let url):
            "the state URL \(url) contains a password; remove it from the URL and set PGPASSWORD or CTSYNC_STATE_PASSWORD instead"
        case .database(let url, let message):
            "state database \(url): \(message)"
        case .foreignSchema(let url, let detail):
            "state database \(url): \(detail); ctsync did not create it and refuses to use it (use another database or schema)"
        case .newerDatabaseSchema(let url, let found, let known):
            "state database \(url) has ctsync schema version \(found), written by a newer ctsync (this one knows up to \(known)); upgrade ctsync to use it"
        case .conflict(let message):
            message
        }
    }
}
