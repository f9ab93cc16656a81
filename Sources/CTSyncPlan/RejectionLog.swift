import CTSyncMapping
import CleverTapContract

/// Rejections grouped by reason: a count and the first few samples of each,
/// so a million bad rows cost a few kilobytes.
///
/// A row with several problems counts once under each of its problems' reasons (so
/// the groups' counts can add up to more than the rows); its sample in each group
/// leads with that group's problem and lists the others with it.
public struct RejectionLog: Sendable {
    public struct Group: Sendable {
        public var count = 0
        public var samples: [PlanRejection] = []
    }

    public private(set) var groups: [RejectReason: Group] = [:]
    public let samplesPerReason: Int

    public init(samplesPerReason: Int = 5) {
        self.samplesPerReason = samplesPerReason
    }

    /// Problems logged: the rows, plus each row's further problems.
    public var total: Int { groups.values.reduce(0) { $0 + $1.count } }

    public mutating func add(_ rejection: PlanRejection) {
        add(rejection, count: 1)
        guard !rejection.otherProblems.isEmpty else { return }
        // Each further problem under its reason; a reason the row already counted under
        // counts again, but keeps one sample of the row.
        let problems = rejection.problems
        var sampled: Set<RejectReason> = [rejection.reason]
        for (index, problem) in problems.enumerated().dropFirst() {
            var group = groups[problem.reason, default: Group()]
            group.count += 1
            if sampled.insert(problem.reason).inserted, group.samples.count < samplesPerReason {
                var sample = rejection
                (sample.field, sample.reason, sample.message) = (problem.field, problem.reason, problem.message)
                sample.otherProblems = Array(problems[..<index] + problems[(index + 1)...])
                group.samples.append(sample)
            }
            groups[problem.reason] = group
        }
    }

    /// Adds `count` occurrences of a reason, keeping `rejection` as a sample while there is room.
    public mutating func add(_ rejection: PlanRejection, count: Int) {
        var group = groups[rejection.reason, default: Group()]
        group.count += count
        if group.samples.count < samplesPerReason { group.samples.append(rejection) }
        groups[rejection.reason] = group
    }

    /// Reasons, most frequent first, then by code.
    public var reasonsByCount: [RejectReason] {
        groups.keys.sorted { a, b in
            let (ca, cb) = (groups[a]!.count, groups[b]!.count)
            return ca != cb ? ca > cb : a.rawValue < b.rawValue
        }
    }
}
