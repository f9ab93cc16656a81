/// Exponential backoff with full jitter, capped, honouring `Retry-After`.
public struct RetryPolicy: Sendable, Equatable {
    /// Attempts per request, the first included.
    public var maxAttempts: Int
    /// The first backoff ceiling, in seconds.
    public var base: Double
    /// The largest backoff, in seconds.
    public var cap: Double

    public init(maxAttempts: Int, base: Double = 0.5, cap: Double = 30) {
        self.maxAttempts = maxAttempts
        self.base = base
        self.cap = cap
    }

    /// Seconds to wait before attempt `attempt + 1` (attempt counts from 1).
    public func delay(afterAttempt attempt: Int, retryAfter: Double?) -> Double {
        let ceiling = min(cap, base * Double(1 << min(attempt - 1, 20)))
        let jittered = Double.random(in: 0...ceiling)
        if let retryAfter { return max(retryAfter, jittered) }
        return jittered
    }
}
