import CleverTapContract

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
        case baseline, changes
    }

    public init(_ baseline: StateBaseline) {
        self.baseline = baseline.kind.rawValue
        changes = baseline.changes.map {
            Change(field: $0.field, target: $0.target, before: $0.before, after: $0.after, note: $0.note)
        }
        renamedFrom = baseline.renamedFrom
        otherDestinations = baseline.otherDestinations.map(DestinationDocument.init)
        unadoptedLegacyState = baseline.unadoptedLegacy
    }
}
