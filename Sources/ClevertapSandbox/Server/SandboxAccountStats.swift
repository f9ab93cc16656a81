/// Per-account figures inside ``SandboxStats``.
public struct SandboxAccountStats: Sendable, Equatable {
    /// Upload requests being processed right now.
    public var inFlight: Int = 0
    /// The most upload requests ever processed at once (never above the limit).
    public var maxInFlight: Int = 0
    /// Upload requests refused with 429 because the limit was reached.
    public var throttled: Int = 0
    public var profiles: Int = 0
    public var events: Int = 0
    /// Distinct event names seen.
    public var eventNames: Int = 0

    public init() {}
}
