import CTSyncSpec
import Foundation

/// What `--force` and `--no-guards` make of a job's `guards:`.
public enum GuardPolicy: String, Sendable, CaseIterable {
    /// Evaluate the guards; a tripped one stops the job before anything is sent.
    case enforce
    /// `--force`: evaluate and report the guards, and send even when one tripped.
    case force
    /// `--no-guards`: do not evaluate them (the job streams as if it had none).
    case skip
}

/// One guard of a job, evaluated against a complete plan.
public struct GuardCheck: Sendable, Equatable {
    /// The guard, by its key in the job file.
    public enum Kind: String, Sendable, CaseIterable, Codable {
        case minSourceRows = "min_source_rows"
        case maxSourceDrop = "max_source_drop"
        case maxChanged = "max_changed"
        case maxInvalid = "max_invalid"
    }

    public var kind: Kind
    /// The guard's limit: a row count for `min_source_rows`, else a percentage.
    public var limit: Double
    /// What the plan measured, in the limit's unit; nil when it cannot be measured
    /// (`max_source_drop` before the job's first successful run to its destination).
    public var figure: Double?
    public var tripped: Bool
    /// The figures in words: "1000 source rows, 10000 at the last successful run: a 90% drop".
    public var detail: String

    /// The limit as written in the job file: `1000`, `50%`.
    public var limitText: String {
        kind == .minSourceRows ? GuardCheck.number(limit) : GuardCheck.number(limit) + "%"
    }

    /// The figure in the limit's unit: `900`, `90%`, or "not measured".
    public var figureText: String {
        guard let figure else { return "not measured" }
        return kind == .minSourceRows ? GuardCheck.number(figure) : GuardCheck.number(figure) + "%"
    }

    /// `5` for 5.0, `2.35` for 2.345…: percentages to two decimals.
    static func number(_ value: Double) -> String {
        let rounded = (value * 100).rounded() / 100
        return rounded == rounded.rounded() && abs(rounded) < 1e15 ? String(Int(rounded)) : String(rounded)
    }
}

/// The figures guards are measured against, besides the plan's own counts.
public struct GuardBasis: Sendable, Equatable {
    /// Source rows of the last successful run of the job to its destination; nil before the first.
    public var previousSourceRows: Int?
    /// When that run started.
    public var previousRunStarted: Date?
    /// Keys state holds as acknowledged for the job at its destination.
    public var acknowledged: Int

    public init(previousSourceRows: Int?, previousRunStarted: Date?, acknowledged: Int) {
        self.previousSourceRows = previousSourceRows
        self.previousRunStarted = previousRunStarted
        self.acknowledged = acknowledged
    }

    /// What state says: the job's last successful run to its destination (exit 0) and its
    /// acknowledged keys. No state (nil) is a first run: nothing acknowledged, no earlier run.
    public static func read(from store: (any StateStore)?, job: JobKey) throws(StateError) -> GuardBasis {
        guard let store else { return GuardBasis(previousSourceRows: nil, previousRunStarted: nil, acknowledged: 0) }
        let previous = try store.lastRun(job: job, matching: .successful)
        return GuardBasis(
            previousSourceRows: previous?.counts?.sourceRows, previousRunStarted: previous?.startedAt,
            acknowledged: try store.acknowledgedCount(job: job))
    }
}

/// A job's guards, evaluated against its complete plan: each guard's limit and figure.
public struct GuardEvaluation: Sendable, Equatable {
    /// How the guards were applied: `skip` evaluates none.
    public var policy: GuardPolicy
    /// Every guard the job sets, in a fixed order: min_source_rows, max_source_drop, max_changed, max_invalid.
    public var checks: [GuardCheck]

    public var tripped: [GuardCheck] { checks.filter(\.tripped) }

    /// Whether the job must stop before sending: a guard tripped and `--force` was not given.
    public var stops: Bool { policy == .enforce && !tripped.isEmpty }

    /// `--no-guards`: nothing evaluated.
    public static let skipped = GuardEvaluation(policy: .skip, checks: [])

    public init(policy: GuardPolicy, checks: [GuardCheck]) {
        self.policy = policy
        self.checks = checks
    }

    /// Evaluates `guards` against a plan's counts. A guard trips when its figure is past
    /// its limit: fewer rows than `min_source_rows`, or a share strictly above the
    /// percentage (exactly at the limit passes).
    public static func evaluate(
        _ guards: Guards, counts: PlanCounts, basis: GuardBasis, policy: GuardPolicy
    ) -> GuardEvaluation {
        guard policy != .skip else { return .skipped }
        var checks: [GuardCheck] = []
        let rows = counts.sourceRows
        if let minimum = guards.minSourceRows?.value {
            checks.append(
                GuardCheck(
                    kind: .minSourceRows, limit: Double(minimum), figure: Double(rows), tripped: rows < minimum,
                    detail: "\(rows) source rows, at least \(minimum) required"))
        }
        if let limit = guards.maxSourceDrop?.value {
            if let previous = basis.previousSourceRows {
                let drop = max(0, previous - rows)
                let figure = previous > 0 ? Double(drop) * 100 / Double(previous) : 0
                let when = basis.previousRunStarted.map { " (\(Self.timestamp($0)))" } ?? ""
                checks.append(
                    GuardCheck(
                        kind: .maxSourceDrop, limit: limit, figure: figure,
                        tripped: Double(drop) * 100 > limit * Double(previous),
                        detail: drop == 0
                            ? "\(rows) source rows, \(previous) at the last successful run\(when): no drop"
                            : "\(rows) source rows, \(previous) at the last successful run\(when): a drop of \(drop) rows (\(GuardCheck.number(figure))%)"
                    ))
            } else {
                checks.append(
                    GuardCheck(
                        kind: .maxSourceDrop, limit: limit, figure: nil, tripped: false,
                        detail: "not measured: no successful run of the job to this destination yet"))
            }
        }
        if let limit = guards.maxChanged?.value {
            let changed = counts.changed
            let acknowledged = basis.acknowledged
            let figure = acknowledged > 0 ? Double(changed) * 100 / Double(acknowledged) : 0
            checks.append(
                GuardCheck(
                    kind: .maxChanged, limit: limit, figure: figure,
                    tripped: Double(changed) * 100 > limit * Double(acknowledged),
                    detail: "\(changed) of \(acknowledged) acknowledged keys would change (\(GuardCheck.number(figure))%)"))
        }
        if let limit = guards.maxInvalid?.value {
            let invalid = counts.invalid
            let figure = rows > 0 ? Double(invalid) * 100 / Double(rows) : 0
            checks.append(
                GuardCheck(
                    kind: .maxInvalid, limit: limit, figure: figure, tripped: Double(invalid) * 100 > limit * Double(rows),
                    detail: "\(invalid) of \(rows) source rows are invalid (\(GuardCheck.number(figure))%)"))
        }
        return GuardEvaluation(policy: policy, checks: checks)
    }

    /// What a tripped guard stops, for the run's abort reason and `plan`: each tripped
    /// guard with its figures and limit, and the overrides. Nil when none tripped.
    public func trippedMessage(sent: Bool) -> String? {
        let tripped = self.tripped
        guard !tripped.isEmpty else { return nil }
        let list = tripped.map { "\($0.kind.rawValue) (limit \($0.limitText)): \($0.detail)" }.joined(separator: "; ")
        let noun = tripped.count == 1 ? "guard" : "guards"
        if sent {
            return "\(noun) tripped and overridden by --force: \(list)"
        }
        return
            "\(noun) tripped, nothing was sent: \(list). If the source is right, run again with --force (sends and still reports the guards) or --no-guards (skips them)"
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}

/// A job's guards in plan and report JSON: null when the job has none.
public struct GuardsDocument: Codable, Sendable, Equatable {
    /// `enforce`; `force` (`--force`: sent despite tripped guards); `skip` (`--no-guards`: not evaluated).
    public var policy: String
    /// Whether any guard tripped.
    public var tripped: Bool
    /// Each guard the job sets; empty when skipped.
    public var checks: [Check]

    public struct Check: Codable, Sendable, Equatable {
        /// The guard's key: `min_source_rows`, `max_source_drop`, `max_changed`, `max_invalid`.
        public var name: String
        /// Rows for `min_source_rows`, else percent.
        public var limit: Double
        /// What the plan measured, in the limit's unit; null when not measured.
        public var figure: Double?
        public var tripped: Bool
        public var detail: String

        enum CodingKeys: String, CodingKey {
            case name = "guard"
            case limit, figure, tripped, detail
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .name)
            try container.encode(limit, forKey: .limit)
            try container.encode(figure, forKey: .figure)
            try container.encode(tripped, forKey: .tripped)
            try container.encode(detail, forKey: .detail)
        }
    }

    public init(_ evaluation: GuardEvaluation) {
        policy = evaluation.policy.rawValue
        tripped = !evaluation.tripped.isEmpty
        checks = evaluation.checks.map {
            Check(
                name: $0.kind.rawValue, limit: $0.limit, figure: $0.figure.map { ($0 * 100).rounded() / 100 },
                tripped: $0.tripped, detail: $0.detail)
        }
    }
}
