/// What the sandbox does to one upload request, decided when it arrives.
struct FaultPlan: Sendable, Equatable {
    enum Outcome: Sendable, Equatable {
        /// Process and answer normally.
        case none
        /// Answer with this HTTP status without processing (429, 500, 502, 503).
        case status(Int)
        /// Close the connection without processing or answering.
        case drop
        /// Process, then close the connection without answering.
        case lose
        /// Process, then wait this many milliseconds before answering.
        case slow(milliseconds: Int)
    }

    /// Milliseconds to wait before anything else (latency plus jitter).
    let delayMilliseconds: Int
    let outcome: Outcome
}
