/// What state remembers of one acknowledged record.
public struct StoredRecord: Sendable, Equatable {
    /// Hash of the canonical record CleverTap acknowledged.
    public var hash: RecordHash
    /// Fingerprint of the job's destination and mappings when it was acknowledged.
    public var spec: UInt64
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
}

/// Point lookups of primary keys; not thread-safe.
public protocol StateLookup: AnyObject {
    func find(_ key: String) throws(StateError) -> StoredRecord?
    func close()
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

    public var description: String {
        switch self {
        case .notADatabase(let path):
            "state file \(path) is not a SQLite database (corrupt or not a ctsync state file); move it aside or pass another --state"
        case .foreignDatabase(let path):
            "state file \(path) is a SQLite database that ctsync did not create; refusing to use it (pass another --state)"
        case .newerSchema(let path, let found):
            "state file \(path) was written by a newer ctsync (schema \(found)); upgrade ctsync to use it"
        case .unsupportedLocation(let text):
            "unsupported state location \"\(text)\"; use a path, sqlite:PATH"
        case .io(let path, let message):
            "state \(path): \(message)"
        }
    }
}
