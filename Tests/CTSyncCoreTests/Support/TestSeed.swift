import Foundation

/// The seed of every random choice the tests make (data, shuffles, kill moments):
/// `CTSYNC_TEST_SEED` replays a failed run; otherwise a fresh seed, printed when first
/// used and quoted in the failure messages of the tests that use it. A test derives its
/// own generator with ``generator(_:)`` so its sequence does not depend on which other
/// tests ran first.
enum TestSeed {
    static let value: UInt64 = {
        let seed =
            ProcessInfo.processInfo.environment["CTSYNC_TEST_SEED"].flatMap { UInt64($0) }
            ?? UInt64.random(in: 1...UInt64(UInt32.max))
        print("tests: seed \(seed) (CTSYNC_TEST_SEED=\(seed) replays it)")
        return seed
    }()

    /// A generator for one use, from the run's seed and `salt` (the test's own constant).
    static func generator(_ salt: UInt64) -> SeededGenerator {
        SeededGenerator(seed: value &+ salt &* 0x9E37_79B9_7F4A_7C15)
    }

    /// "seed N": for failure messages.
    static var note: String { "seed \(value), CTSYNC_TEST_SEED=\(value) replays it" }
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
