/// HTTP figures for the report.
public struct HTTPStats: Sendable {
    public var requests = 0
    public var retries = 0
    public var throttled = 0
    public var latenciesMs: [Double] = []
    /// Records sent in an attempt whose outcome was unknown (timeout, dropped or lost
    /// response): re-sent by a retry or by the next run, CleverTap may hold them twice
    /// (events have no dedup key). Each record counts once, however many of its
    /// attempts went unanswered (so it is at most `sent`); a request that never
    /// connected counts nothing. An upper bound: a dropped request stored nothing.
    public var possiblyDuplicated = 0

    public init() {}

    public mutating func merge(_ other: HTTPStats) {
        requests += other.requests
        retries += other.retries
        throttled += other.throttled
        latenciesMs += other.latenciesMs
        possiblyDuplicated += other.possiblyDuplicated
    }
}
