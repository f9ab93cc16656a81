import CTSyncState

/// The settings of one `ctsync run` that are not in the job files.
public struct RunOptions: Sendable {
    public var state: StateLocation
    /// Ignore state: send every valid row.
    public var full = false
    /// Keep primary keys in the report's samples.
    public var revealPII = false
    /// Wait for a job another process is running instead of skipping it.
    public var waitForLock = false
    /// `--report`: a file (one job) or a directory; nil for `reports/`.
    public var report: String?
    /// The first retry's backoff in seconds (`CTSYNC_RETRY_BASE_MS`).
    public var retryBase: Double = 0.5
    /// The ctsync version recorded with each run in state's history.
    public var version = "unknown"

    public init(state: StateLocation) {
        self.state = state
    }

    /// Settings read from the environment: `CTSYNC_RETRY_BASE_MS`.
    public mutating func apply(environment: [String: String]) {
        if let base = environment["CTSYNC_RETRY_BASE_MS"].flatMap(Double.init) { retryBase = base / 1000 }
    }
}
