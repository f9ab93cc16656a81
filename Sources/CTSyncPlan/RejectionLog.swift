import CleverTapContract

/// Rejections grouped by reason: a count and the first few samples of each,
/// so a million bad rows cost a few kilobytes.
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

    public var total: Int { groups.values.reduce(0) { $0 + $1.count } }

    public mutating func add(_ rejection: PlanRejection) {
        add(rejection, count: 1)
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
