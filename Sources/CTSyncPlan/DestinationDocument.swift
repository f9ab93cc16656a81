import CleverTapContract
import Foundation

/// Where a job's records go, as plans, run reports, `status` and `history` print it.
public struct DestinationDocument: Codable, Sendable, Equatable {
    public var account: String
    public var region: String
    /// The normalised base URL (`Endpoint.normalized`).
    public var endpoint: String
    /// The host (and a non-default port) records go to.
    public var host: String
    /// Whether the endpoint is the region's CleverTap API host rather than an override.
    public var production: Bool

    public init(_ destination: CleverTapDestination) {
        account = destination.account
        region = destination.region
        endpoint = destination.endpoint
        host = destination.host
        production = destination.isProduction
    }
}

/// What state held for a planned job at its destination (`state` in the plan JSON).
public struct StateBaselineDocument: Codable, Sendable, Equatable {
    /// `StateBaseline.Kind`: no_state, no_completed_run, unchanged, adopted, spec_changed.
    public var baseline: String
    public var changes: [Change]
    public var renamedFrom: [String]
    public var otherDestinations: [DestinationDocument]
    public var unadoptedLegacyState: Bool
    /// The job's last run to this destination when it stopped before its plan was done; else nil.
    public var unfinishedRun: UnfinishedRun?

    /// A run that was aborted or never finished: what it sent before it stopped.
    public struct UnfinishedRun: Codable, Sendable, Equatable {
        public var runID: String
        public var startedAt: String
        /// `aborted`, or `interrupted` (never finished: killed, or still running).
        public var status: String
        public var abortReason: String?
        /// Its counts when it recorded them (aborted); null for a run that never finished.
        public var planned: Int?
        public var sent: Int?
        public var acknowledged: Int?

        enum CodingKeys: String, CodingKey {
            case runID = "run_id"
            case startedAt = "started_at"
            case abortReason = "abort_reason"
            case status, planned, sent, acknowledged
        }

        init(_ run: RunRecord) {
            runID = run.id
            startedAt = ISO8601DateFormatter.string(
                from: run.startedAt, timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withInternetDateTime])
            status = run.outcome == .aborted ? "aborted" : "interrupted"
            abortReason = run.abortReason
            planned = run.counts?.planned
            sent = run.counts?.sent
            acknowledged = run.counts?.succeeded
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(runID, forKey: .runID)
            try container.encode(startedAt, forKey: .startedAt)
            try container.encode(status, forKey: .status)
            try container.encode(abortReason, forKey: .abortReason)
            try container.encode(planned, forKey: .planned)
            try container.encode(sent, forKey: .sent)
            try container.encode(acknowledged, forKey: .acknowledged)
        }
    }

    /// One `SpecChange`.
    public struct Change: Codable, Sendable, Equatable {
        public var field: String
        public var target: String?
        public var before: String?
        public var after: String?
        public var note: String?

        // Keys with no value are written as null: the schema requires every key.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(field, forKey: .field)
            try container.encode(target, forKey: .target)
            try container.encode(before, forKey: .before)
            try container.encode(after, forKey: .after)
            try container.encode(note, forKey: .note)
        }
    }

    enum CodingKeys: String, CodingKey {
        case renamedFrom = "renamed_from"
        case otherDestinations = "other_destinations"
        case unadoptedLegacyState = "unadopted_legacy_state"
        case unfinishedRun = "unfinished_run"
        case baseline, changes
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(baseline, forKey: .baseline)
        try container.encode(changes, forKey: .changes)
        try container.encode(renamedFrom, forKey: .renamedFrom)
        try container.encode(otherDestinations, forKey: .otherDestinations)
        try container.encode(unadoptedLegacyState, forKey: .unadoptedLegacyState)
        try container.encode(unfinishedRun, forKey: .unfinishedRun)
    }

    public init(_ baseline: StateBaseline) {
        self.baseline = baseline.kind.rawValue
        changes = baseline.changes.map {
            Change(field: $0.field, target: $0.target, before: $0.before, after: $0.after, note: $0.note)
        }
        renamedFrom = baseline.renamedFrom
        otherDestinations = baseline.otherDestinations.map(DestinationDocument.init)
        unadoptedLegacyState = baseline.unadoptedLegacy
        unfinishedRun = baseline.unfinishedRun.map(UnfinishedRun.init)
    }
}
