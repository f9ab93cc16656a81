/// Counters since start or the last reset, as `GET /sandbox/stats` reports them.
public struct SandboxStats: Sendable, Equatable {
    /// Requests to an upload path, whatever their outcome.
    public var requests: Int = 0
    /// Upload requests that reached validation and the store (HTTP 200, lost or slow).
    public var batchesProcessed: Int = 0
    /// Records stored.
    public var recordsProcessed: Int = 0
    /// Records refused with a per-record code.
    public var recordsUnprocessed: Int = 0
    /// Upload requests refused with 429 by the concurrency limit (not injected).
    public var throttled: Int = 0
    /// The most upload requests of one account processed at once.
    public var maxInFlight: Int = 0
    /// Upload requests being processed right now, all accounts.
    public var inFlight: Int = 0
    /// HTTP 401 answers to upload requests.
    public var unauthorized: Int = 0
    /// HTTP 400 answers (malformed body, no `d`, too many records).
    public var malformed: Int = 0
    /// Injected HTTP 429 answers.
    public var injected429: Int = 0
    /// Injected HTTP 500 answers.
    public var injected500: Int = 0
    /// Injected HTTP 502 answers.
    public var injected502: Int = 0
    /// Injected HTTP 503 answers.
    public var injected503: Int = 0
    /// Connections closed before processing.
    public var dropped: Int = 0
    /// Connections closed after processing, without an answer.
    public var lostResponses: Int = 0
    /// Answers delayed by the slow fault.
    public var slowResponses: Int = 0
    /// `GET /1/profile.json` requests, whatever their outcome (401s included);
    /// counted apart from uploads.
    public var profileReads: Int = 0
    /// Profiles stored, all accounts.
    public var profiles: Int = 0
    /// Events stored, all accounts.
    public var events: Int = 0
    /// Figures per account ID.
    public var accounts: [String: SandboxAccountStats] = [:]

    public init() {}
}
