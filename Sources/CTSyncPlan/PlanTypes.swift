import CTSyncMapping
import CTSyncSupport
import CleverTapContract

/// Whether a planned record is new to state or a changed version of an acknowledged one.
public enum Change: String, Sendable, Codable {
    case added, changed
}

/// One record the plan would send, exactly as it goes into the request's `d`.
public struct PlannedRecord: Sendable, Equatable {
    public var json: [UInt8]
    /// The primary key, or "" when the job has none (events without primary_key).
    public var key: String
    public var hash: RecordHash
    public var identity: String
    public var line: Int
    public var change: Change
    /// The record's `evtName` (events), and the property keys it carries: the budget
    /// records them as acknowledged when CleverTap acknowledges the record.
    public var eventName: String? = nil
    public var propertyKeys: [String] = []
}

/// A row that will not be sent, and why. Every row of the source is either planned,
/// unchanged, or one of these.
public struct PlanRejection: Sendable, Equatable {
    public var line: Int
    public var primaryKey: String?
    public var field: String?
    /// Why: the mapper's, the planner's or, in a run report, CleverTap's reason.
    public var reason: RejectReason
    public var message: String
    /// The row's other problems, when the mapper found several (`RowRejection`); usually none.
    public var otherProblems: [RowProblem] = []
    /// The record as it would have been sent, when the row was mapped into one (a
    /// duplicate key, an event name past the account's limit); nil when it could not be.
    public var record: [UInt8]?

    public init(
        line: Int, primaryKey: String?, field: String?, reason: RejectReason, message: String, record: [UInt8]? = nil
    ) {
        self.line = line
        self.primaryKey = primaryKey
        self.field = field
        self.reason = reason
        self.message = message
        self.record = record
    }

    /// The mapper's rejection of a row, with all its problems.
    public init(_ rejection: RowRejection) {
        self.init(
            line: rejection.line, primaryKey: rejection.primaryKey, field: rejection.field, reason: rejection.reason,
            message: rejection.message)
        otherProblems = rejection.otherProblems
    }

    /// Every problem of the row, the first (`field`, `reason`, `message`) foremost.
    public var problems: [RowProblem] {
        [RowProblem(field: field, reason: reason, message: message)] + otherProblems
    }
}

/// What the planner streams to its consumer, in source order.
public struct PlanChunk: Sendable {
    public var records: [PlannedRecord] = []
    public var rejections: [PlanRejection] = []
    /// Rows that state shows as already delivered.
    public var unchanged = 0
}

/// Row counts. Always `sourceRows == invalid + unchanged + planned` and `planned == added + changed`.
public struct PlanCounts: Sendable, Equatable {
    public var sourceRows = 0
    public var invalid = 0
    public var unchanged = 0
    public var added = 0
    public var changed = 0

    public var planned: Int { added + changed }

    public init() {}
}

/// The outcome of planning one job.
public struct PlanSummary: Sendable {
    public var counts: PlanCounts
    /// Where the job's records go.
    public var destination: CleverTapDestination
    /// What state held for the job at its destination, and what to say about it.
    public var baseline: StateBaseline
    /// The job's destination or mappings changed since its last completed run.
    public var mappingChanged: Bool { baseline.specChanged }
    /// Whether state was ignored (`--full`).
    public var full: Bool
    /// The job's canonical spec; a completed run records it (`StateStore.setSpec`).
    public var canonicalSpec: CanonicalSpec
    public var specFingerprint: UInt64 { canonicalSpec.fingerprint }
    public var rejected: RejectionLog
    public var batchSize: Int
    /// The job's guards against this plan; nil when the job has none (set by the plan's consumer).
    public var guards: GuardEvaluation?

    /// Requests the planned records need.
    public var batches: Int { (counts.planned + batchSize - 1) / batchSize }
}
