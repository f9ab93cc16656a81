/// Time as the uploader sees it: a monotonic clock, a way to wait, and the randomness
/// of backoff jitter. The live pacing is the system's; tests pass a scripted clock
/// whose waits return at once, so retry schedules are checked without waiting.
package struct UploadPacing: Sendable {
    /// Seconds on a monotonic clock.
    package var now: @Sendable () -> Double
    /// Waits `seconds` (at most a fraction of a second at a time: callers loop to notice a stop).
    package var sleep: @Sendable (_ seconds: Double) async -> Void
    /// A uniform draw from `0...ceiling`.
    package var jitter: @Sendable (_ ceiling: Double) -> Double

    package init(
        now: @escaping @Sendable () -> Double, sleep: @escaping @Sendable (Double) async -> Void,
        jitter: @escaping @Sendable (Double) -> Double
    ) {
        self.now = now
        self.sleep = sleep
        self.jitter = jitter
    }

    package static let live: UploadPacing = {
        let origin = ContinuousClock.now
        return UploadPacing(
            now: {
                let elapsed = ContinuousClock.now - origin
                return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            },
            sleep: { seconds in
                guard seconds > 0 else { return }
                try? await Task.sleep(for: .milliseconds(Int((seconds * 1000).rounded(.up))))
            },
            jitter: { ceiling in ceiling > 0 ? Double.random(in: 0...ceiling) : 0 })
    }()
}
