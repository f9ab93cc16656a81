extension FaultConfiguration {
    /// The JSON field names, shared by `POST /sandbox/faults`, `GET /sandbox/faults`
    /// and the `faults` object of a configuration file; they mirror the flags.
    static let jsonKeys: Set<String> = [
        "latency_ms", "jitter_ms", "fault_429", "fault_500", "fault_502", "fault_503",
        "fault_drop", "fault_lost", "fault_slow", "slow_ms", "retry_after", "seed",
    ]

    /// Reads a fault object; absent fields take their defaults (so `{}` means no
    /// faults), unknown fields are an error. Returns the `seed` when present.
    static func parse(
        _ members: [String: SandboxValue]
    ) throws(SandboxConfigurationError) -> (faults: FaultConfiguration, seed: UInt64?) {
        if let unknown = members.keys.sorted().first(where: { !jsonKeys.contains($0) }) {
            throw .invalidJSON("unknown fault field \"\(unknown)\"")
        }
        var faults = FaultConfiguration()
        faults.latencyMilliseconds = try integer(members, "latency_ms") ?? faults.latencyMilliseconds
        faults.jitterMilliseconds = try integer(members, "jitter_ms") ?? faults.jitterMilliseconds
        faults.fault429 = try probability(members, "fault_429")
        faults.fault500 = try probability(members, "fault_500")
        faults.fault502 = try probability(members, "fault_502")
        faults.fault503 = try probability(members, "fault_503")
        faults.faultDrop = try probability(members, "fault_drop")
        faults.faultLost = try probability(members, "fault_lost")
        faults.faultSlow = try probability(members, "fault_slow")
        faults.slowMilliseconds = try integer(members, "slow_ms") ?? faults.slowMilliseconds
        faults.retryAfterSeconds = try integer(members, "retry_after")
        let seed = try integer(members, "seed").map { UInt64($0) }
        try faults.validate()
        return (faults, seed)
    }

    /// The configuration as a JSON object, with the seed in force.
    func jsonValue(seed: UInt64) -> SandboxValue {
        [
            "latency_ms": .int(latencyMilliseconds),
            "jitter_ms": .int(jitterMilliseconds),
            "fault_429": .double(fault429),
            "fault_500": .double(fault500),
            "fault_502": .double(fault502),
            "fault_503": .double(fault503),
            "fault_drop": .double(faultDrop),
            "fault_lost": .double(faultLost),
            "fault_slow": .double(faultSlow),
            "slow_ms": .int(slowMilliseconds),
            "retry_after": retryAfterSeconds.map(SandboxValue.int) ?? .null,
            "seed": seed <= UInt64(Int.max) ? .int(Int(seed)) : .double(Double(seed)),
        ]
    }

    private static func integer(
        _ members: [String: SandboxValue],
        _ key: String
    ) throws(SandboxConfigurationError) -> Int? {
        switch members[key] {
        case nil, .null: return nil
        case .int(let value) where value >= 0: return value
        default: throw .invalidJSON("\"\(key)\" must be a non-negative integer")
        }
    }

    private static func probability(
        _ members: [String: SandboxValue],
        _ key: String
    ) throws(SandboxConfigurationError) -> Double {
        guard let value = members[key] else { return 0 }
        guard let number = value.doubleValue else { throw .invalidJSON("\"\(key)\" must be a number") }
        return number
    }
}
