import CTSyncMapping
import CTSyncSpec
import CTSyncSupport

/// `ctsync plan --format json`: the versioned contract described by
/// `schemas/plan.schema.json`. Tests decode what the binary printed with this type.
public struct PlanDocument: Codable, Sendable, Equatable {
    public var formatVersion: Int
    public var job: Job
    /// Where the job's records go.
    public var destination: DestinationDocument
    /// What state held for the job at its destination.
    public var state: StateBaselineDocument
    public var full: Bool
    public var mappingChanged: Bool
    public var counts: Counts
    public var batches: Int
    /// Rejected rows grouped by reason code.
    public var rejected: [String: RejectionGroupDocument]
    /// The job's guards against this plan; null when the job has none.
    public var guards: GuardsDocument?
    /// The rejects file (`--rejects`) and the lines this job wrote to it; null when not asked for.
    public var rejects: RejectsFileSummary?

    public struct Job: Codable, Sendable, Equatable {
        public var name: String
        public var file: String
        public var object: ObjectType
        public var mode: SyncMode
    }

    /// Always `sourceRows == invalid + unchanged + planned` and `planned == added + changed`.
    public struct Counts: Codable, Sendable, Equatable {
        public var sourceRows: Int
        public var invalid: Int
        public var unchanged: Int
        public var planned: Int
        public var added: Int
        public var changed: Int

        enum CodingKeys: String, CodingKey {
            case sourceRows = "source_rows"
            case invalid, unchanged, planned, added, changed
        }

        public init(_ counts: PlanCounts) {
            sourceRows = counts.sourceRows
            invalid = counts.invalid
            unchanged = counts.unchanged
            planned = counts.planned
            added = counts.added
            changed = counts.changed
        }
    }

    enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version"
        case mappingChanged = "mapping_changed"
        case job, destination, state, full, counts, batches, rejected, guards, rejects
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(formatVersion, forKey: .formatVersion)
        try container.encode(job, forKey: .job)
        try container.encode(destination, forKey: .destination)
        try container.encode(state, forKey: .state)
        try container.encode(full, forKey: .full)
        try container.encode(mappingChanged, forKey: .mappingChanged)
        try container.encode(counts, forKey: .counts)
        try container.encode(batches, forKey: .batches)
        try container.encode(rejected, forKey: .rejected)
        try container.encode(guards, forKey: .guards)
        try container.encode(rejects, forKey: .rejects)
    }

    public init(_ summary: PlanSummary, spec: JobSpec, revealPII: Bool, rejects: RejectsFileSummary? = nil) {
        formatVersion = PlanRenderer.formatVersion
        job = Job(name: spec.name.value, file: spec.file, object: spec.object.value, mode: spec.mode.value)
        destination = DestinationDocument(summary.destination)
        state = StateBaselineDocument(summary.baseline)
        full = summary.full
        mappingChanged = summary.mappingChanged
        counts = Counts(summary.counts)
        batches = summary.batches
        rejected = RejectionGroupDocument.groups(of: summary.rejected, revealPII: revealPII)
        guards = summary.guards.map(GuardsDocument.init)
        self.rejects = rejects
    }
}

/// Rows refused for one reason or code, with a bounded sample; in plans and reports. A
/// row with several problems counts under each of their codes, and its sample lists
/// the others (`other_problems`).
public struct RejectionGroupDocument: Codable, Sendable, Equatable {
    public var count: Int
    public var samples: [Sample]

    public struct Sample: Codable, Sendable, Equatable {
        /// The source line (or row) where the row starts.
        public var row: Int
        /// The primary key, redacted unless asked otherwise; null when the row had none.
        public var key: String?
        public var field: String?
        public var message: String
        /// The row's other problems (a row is counted under each of its problems' codes).
        public var otherProblems: [Problem]

        /// One further problem of the sampled row.
        public struct Problem: Codable, Sendable, Equatable {
            public var code: String
            public var field: String?
            public var message: String

            public init(_ problem: RowProblem) {
                code = problem.reason.rawValue
                field = problem.field
                message = problem.message
            }

            public func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(code, forKey: .code)
                try container.encode(field, forKey: .field)
                try container.encode(message, forKey: .message)
            }
        }

        enum CodingKeys: String, CodingKey {
            case row, key, field, message
            case otherProblems = "other_problems"
        }

        // Keys with no value are written as null: the schema requires every key.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(row, forKey: .row)
            try container.encode(key, forKey: .key)
            try container.encode(field, forKey: .field)
            try container.encode(message, forKey: .message)
            try container.encode(otherProblems, forKey: .otherProblems)
        }
    }

    /// Every group of `log`, keyed by its reason's code.
    public static func groups(of log: RejectionLog, revealPII: Bool) -> [String: RejectionGroupDocument] {
        Dictionary(
            uniqueKeysWithValues: log.groups.map { reason, group in
                let samples = group.samples.map { rejection in
                    Sample(
                        row: rejection.line, key: Redaction.apply(rejection.primaryKey, reveal: revealPII),
                        field: rejection.field, message: rejection.message,
                        otherProblems: rejection.otherProblems.map(Sample.Problem.init))
                }
                return (reason.rawValue, RejectionGroupDocument(count: group.count, samples: samples))
            })
    }
}
