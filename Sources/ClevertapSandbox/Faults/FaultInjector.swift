/// Turns a ``FaultConfiguration`` and a seed into one ``FaultPlan`` per request.
///
/// Every request consumes exactly two draws (jitter, then fault), so a seed
/// reproduces the same sequence of plans in arrival order whatever the
/// configuration; with concurrent clients the arrival order may vary, but the
/// share of each fault over a run does not.
struct FaultInjector: Sendable {
    private(set) var configuration: FaultConfiguration
    private(set) var seed: UInt64
    private var generator: SplitMix64

    init(configuration: FaultConfiguration, seed: UInt64) {
        self.configuration = configuration
        self.seed = seed
        self.generator = SplitMix64(seed: seed)
    }

    /// Replaces the configuration; a new seed also restarts the sequence.
    mutating func reconfigure(_ configuration: FaultConfiguration, seed: UInt64?) {
        self.configuration = configuration
        if let seed { restart(seed: seed) }
    }

    /// Restarts the sequence from `seed` (the current one when `nil`).
    mutating func restart(seed: UInt64? = nil) {
        self.seed = seed ?? self.seed
        generator = SplitMix64(seed: self.seed)
    }

    mutating func nextPlan() -> FaultPlan {
        let jitterDraw = generator.nextUnit()
        let faultDraw = generator.nextUnit()
        let jitter = Int(jitterDraw * Double(configuration.jitterMilliseconds + 1))
        let delay = configuration.latencyMilliseconds + min(jitter, configuration.jitterMilliseconds)
        return FaultPlan(delayMilliseconds: delay, outcome: outcome(for: faultDraw))
    }

    private func outcome(for draw: Double) -> FaultPlan.Outcome {
        let c = configuration
        let outcomes: [(Double, FaultPlan.Outcome)] = [
            (c.fault429, .status(429)), (c.fault500, .status(500)), (c.fault502, .status(502)),
            (c.fault503, .status(503)), (c.faultDrop, .drop), (c.faultLost, .lose),
            (c.faultSlow, .slow(milliseconds: c.slowMilliseconds)),
        ]
        var threshold = 0.0
        for (probability, outcome) in outcomes {
            threshold += probability
            if draw < threshold { return outcome }
        }
        return .none
    }
}
