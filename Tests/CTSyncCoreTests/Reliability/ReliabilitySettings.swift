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
