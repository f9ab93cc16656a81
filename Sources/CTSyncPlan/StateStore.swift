import CTSyncSupport

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

/// Per-job memory of what CleverTap acknowledged, so a run sends only what changed.
///
/// Written only for acknowledged records, one transaction per batch: a crash loses
/// nothing that was acknowledged, and anything not acknowledged is sent again.
public protocol StateStore: Sendable {
    /// The spec fingerprint stored by the job's last completed run, if any.
    func specFingerprint(job: String) throws(StateError) -> UInt64?
    /// Records the spec fingerprint after a completed run.
    func setSpecFingerprint(_ fingerprint: UInt64, job: String) throws(StateError)
    /// A lookup for the planner; used from one thread at a time.
    func makeLookup(job: String) throws(StateError) -> any StateLookup
    /// Marks records acknowledged, in one transaction.
    func acknowledge(_ records: [Acknowledgement], job: String, spec: UInt64) throws(StateError)
    /// How many keys the job has acknowledged.
    func acknowledgedCount(job: String) throws(StateError) -> Int
    /// Housekeeping after a job finished writing, before the next one plans (PostgreSQL
    /// refreshes its statistics after a large load). A no-op by default.
    func jobFinished()
    /// Releases the store's connections; the store is not used afterwards. A no-op by default.
    func shutdown()
}

extension StateStore {
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
        }
    }
}
