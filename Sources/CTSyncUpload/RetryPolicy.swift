/// When a batch is tried again, and when it is given up.
///
/// Three budgets, one a kind of trouble:
/// - `maxAttempts` counts the attempts that failed in a way that may be the request's
///   own fault or the server's (5xx, 555, timeouts, dropped connections), the first included.
/// - `retryTimeout` bounds the time a batch keeps retrying, whatever the cause. A 429
///   (the account already has 15 requests in flight, often from another tool) is
///   back-pressure: it never uses up an attempt, only this time.
/// - `connectBudget` bounds how long the job keeps trying to reach a host it cannot
///   connect to at all (DNS, refused, TLS): then the job aborts instead of backing off
///   batch after batch.
///
/// Backoff is exponential with full jitter, capped, and honours `Retry-After`.
public struct RetryPolicy: Sendable, Equatable {
    /// Attempts per request, the first included, counting failures other than 429.
    public var maxAttempts: Int
    /// Seconds a batch keeps retrying from its first attempt (`options.retry_timeout`).
    public var retryTimeout: Double
    /// The first backoff ceiling, in seconds.
    public var base: Double
    /// The largest backoff, in seconds.
    public var cap: Double
    /// The largest backoff after a 429, in seconds: slots free up as other requests finish.
    public var throttleCap: Double
    /// Seconds of failing to connect (with no request reaching the server meanwhile) before the job aborts.
    public var connectBudget: Double

    public init(
        maxAttempts: Int, retryTimeout: Double = 600, base: Double = 0.5, cap: Double = 30, throttleCap: Double = 10,
        connectBudget: Double = 10
    ) {
        self.maxAttempts = maxAttempts
        self.retryTimeout = retryTimeout
        self.base = base
        self.cap = cap
        self.throttleCap = throttleCap
        self.connectBudget = connectBudget
    }

    /// Seconds to wait after the `failure`th failure of a kind (counting from 1): a draw
    /// by `jitter` (uniform in `0...ceiling`) below a ceiling that doubles from `base` up
    /// to `cap` (`throttleCap` after a 429), or `Retry-After` when that is longer.
    public func delay(
        afterFailure failure: Int, retryAfter: Double?, throttled: Bool, jitter: (Double) -> Double
    ) -> Double {
        let ceiling = min(throttled ? throttleCap : cap, base * Double(1 << min(max(failure, 1) - 1, 20)))
        let jittered = ceiling > 0 ? jitter(ceiling) : 0
        if let retryAfter { return max(retryAfter, jittered) }
        return jittered
    }
}
