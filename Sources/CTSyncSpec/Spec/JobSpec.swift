import CTSyncYAML
import CleverTapContract

/// A decoded, typed job file. Every user-written value keeps the place it came from,
/// so later stages (lint, plan) can point at it.
public struct JobSpec: Sendable {
    /// Path of the job file as the user named it.
    public var file: String
    public var version: Int
    public var name: Located<String>
    public var description: String?
    public var destination: Destination
    public var source: SourceSpec
    public var object: Located<ObjectType>
    public var mode: Located<SyncMode>
    /// The source column that identifies a row across runs; defaults to the column
    /// mapped to `identity`.
    public var primaryKey: Located<String>?
    public var mappings: [Mapping]
    public var identityKind: Located<IdentityKind>?
    public var options: Options
    /// `guards:`: checks of the planned source before anything is sent; nil when the job has none.
    public var guards: Guards? = nil
    /// Where the document starts; findings about missing keys point here.
    public var mark: Mark

    /// The primary key column actually used: the declared one; for profiles, else the
    /// column mapped to `identity`. Events have no natural key: without a declared
    /// one they are re-sent on every run.
    public var effectivePrimaryKey: String? {
        if let primaryKey { return primaryKey.value }
        guard object.value == .profiles else { return nil }
        return mappings.first { $0.target.value == "identity" }?.column?.value
    }
}

/// A value together with where it was written.
public struct Located<Value: Sendable>: Sendable {
    public var value: Value
    public var mark: Mark

    public init(_ value: Value, _ mark: Mark) {
        self.value = value
        self.mark = mark
    }
}

extension Located: Equatable where Value: Equatable {}
extension Located: Hashable where Value: Hashable {}

/// The CleverTap account a job writes to.
public struct Destination: Sendable {
    public var region: Located<Region>
    public var accountID: Located<String>
    public var passcode: Located<String>
    public var endpoint: Located<String>?
    /// `destination.limits`: how much of CleverTap's account-wide limits the jobs may
    /// use (state counts what every run to the destination used).
    public var limits = AccountLimits()
    /// The environment variables `account_id` and `passcode` read: withheld from a
    /// source command unless `source.env` passes them.
    public var secretVariables: [String] = []
}

/// The budgets a job counts new event names and property keys against
/// (`destination.limits`). State keeps what CleverTap acknowledged at each destination,
/// across runs and processes; a row that would pass a budget is rejected.
public struct AccountLimits: Sendable, Equatable {
    /// Distinct event names the account may have: CleverTap keeps 512, and its own
    /// system events count too, so a lower figure leaves them room.
    public var eventNames: Int
    /// Distinct property keys an event name may have (CleverTap's default is 256 in
    /// the seed's documentation; newer accounts default to 100, set per account).
    public var propertiesPerEvent: Int
    /// Where `destination.limits` was written; nil for the defaults.
    public var mark: Mark?

    /// The values each budget may take: up to CleverTap's documented limits.
    public static let eventNamesRange = 1...CleverTapRules.maxEventNames
    public static let propertiesPerEventRange = 1...CleverTapRules.maxCustomProperties

    public init(
        eventNames: Int = CleverTapRules.maxEventNames, propertiesPerEvent: Int = CleverTapRules.maxCustomProperties,
        mark: Mark? = nil
    ) {
        self.eventNames = eventNames
        self.propertiesPerEvent = propertiesPerEvent
        self.mark = mark
    }

    public static func == (a: AccountLimits, b: AccountLimits) -> Bool {
        a.eventNames == b.eventNames && a.propertiesPerEvent == b.propertiesPerEvent
    }
}

/// CleverTap object written by a job.
public enum ObjectType: String, Sendable, CaseIterable, Codable {
    case profiles, events
}

/// How a job decides which rows to send.
public enum SyncMode: String, Sendable, CaseIterable, Codable {
    /// Send new and changed rows.
    case upsert
    /// Send only rows whose primary key was never acknowledged.
    case insert
}

/// The identity scheme a job declares for its `identity` values.
public enum IdentityKind: String, Sendable, CaseIterable, Codable {
    case email, phone, custom
}

/// Where rows come from.
public struct SourceSpec: Sendable {
    public enum Input: Sendable {
        /// A path as written in the job, and resolved against the job file's folder.
        case file(written: Located<String>, resolved: String)
        /// The command as written (ctsync substitutes no variables in it; `$${` reads as `${`).
        case command(Located<String>)
    }

    public var input: Input
    /// `source.env`: variables the command gets although ctsync withholds them.
    public var passedVariables: [Located<String>] = []
    /// The command's environment, set when the job is prepared for `plan` or `run`
    /// (``CommandEnvironment``); nil: this process's, minus what the job withholds.
    public var commandEnvironment: [String: String]?
    public var format: SourceFormat
    public var delimiter: UInt8?
    public var header: Bool
    /// Seconds a command may run; nil for no limit.
    public var timeout: Double?
    public var mark: Mark
}

/// Tuning knobs for a run.
public struct Options: Sendable {
    public var batchSize: Located<Int>
    public var concurrency: Located<Int>
    public var maxAttempts: Int
    public var maxRejected: RejectionThreshold
    /// Seconds before one upload request is abandoned and retried.
    public var requestTimeout: Double
    /// Seconds a batch keeps retrying (429s without limit of attempts, other failures
    /// up to `maxAttempts`) from its first attempt.
    public var retryTimeout: Double

    /// The values `retry_timeout` may take, in seconds.
    public static let retryTimeoutRange: ClosedRange<Double> = 1...86_400

    public static func defaults(at mark: Mark) -> Options {
        Options(
            batchSize: Located(1000, mark), concurrency: Located(10, mark), maxAttempts: 10,
            maxRejected: .count(0), requestTimeout: 30, retryTimeout: 600)
    }
}

/// `guards:`: limits a job's plan must stay within before anything is sent, against
/// a source that broke (a query returning 10 rows instead of 10 million, garbage in
/// every row). A job with guards plans completely before it sends.
public struct Guards: Sendable {
    /// The fewest source rows a run may read.
    public var minSourceRows: Located<Int>?
    /// The largest drop in source rows, in percent, against the last successful run to
    /// the job's destination.
    public var maxSourceDrop: Located<Double>?
    /// The largest share, in percent, of the acknowledged keys the plan may change.
    public var maxChanged: Located<Double>?
    /// The largest share, in percent, of source rows that may be invalid.
    public var maxInvalid: Located<Double>?
    /// Where `guards:` is written.
    public var mark: Mark

    public init(
        minSourceRows: Located<Int>? = nil, maxSourceDrop: Located<Double>? = nil, maxChanged: Located<Double>? = nil,
        maxInvalid: Located<Double>? = nil, mark: Mark
    ) {
        self.minSourceRows = minSourceRows
        self.maxSourceDrop = maxSourceDrop
        self.maxChanged = maxChanged
        self.maxInvalid = maxInvalid
        self.mark = mark
    }

    /// Whether any guard is set (`guards: {}` sets none).
    public var isEmpty: Bool { minSourceRows == nil && maxSourceDrop == nil && maxChanged == nil && maxInvalid == nil }
}

/// How many rejected rows a run tolerates before it counts as failed.
public enum RejectionThreshold: Sendable, Hashable {
    case count(Int)
    case percent(Double)

    /// Whether `rejected` out of `total` rows exceeds the threshold.
    public func isExceeded(rejected: Int, of total: Int) -> Bool {
        switch self {
        case .count(let limit): rejected > limit
        case .percent(let share): total > 0 && Double(rejected) * 100 > share * Double(total)
        }
    }

    public var description: String {
        switch self {
        case .count(let n): "\(n)"
        case .percent(let p): "\(p.formatted)%"
        }
    }
}

extension Double {
    /// `5` for 5.0, `2.5` for 2.5: how a user would write the number.
    var formatted: String {
        self == rounded() && abs(self) < 1e15 ? String(Int(self)) : String(self)
    }
}
