import Foundation

/// The scale and seed of the reliability suites, from the environment, so that a
/// plain `swift test` stays quick and CI can run them at full size:
///
/// - `CTSYNC_RELIABILITY_RECORDS`: rows per job in each fault scenario and in each
///   crash trial (default 20,000; CI 100,000).
/// - `CTSYNC_CRASH_TRIALS`: SIGKILL-and-resume trials (default 5; CI 20).
/// - `CTSYNC_RELIABILITY_SEED`: replays a failed run; a fresh seed otherwise,
///   printed at the start and quoted in every failure message.
enum ReliabilitySettings {
    static let records = positiveInteger("CTSYNC_RELIABILITY_RECORDS") ?? 20_000
    static let crashTrials = positiveInteger("CTSYNC_CRASH_TRIALS") ?? 5

    static let seed: UInt64 = {
        let seed =
            ProcessInfo.processInfo.environment["CTSYNC_RELIABILITY_SEED"].flatMap { UInt64($0) }
            ?? UInt64.random(in: 1...UInt64(UInt32.max))
        print("reliability: seed \(seed) (CTSYNC_RELIABILITY_SEED=\(seed) replays it), \(records) records a job")
        return seed
    }()

    private static func positiveInteger(_ name: String) -> Int? {
        guard let text = ProcessInfo.processInfo.environment[name], let value = Int(text), value > 0 else { return nil }
        return value
    }
}

/// SplitMix64: the tests' own seeded generator, the same sequence on every platform.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
