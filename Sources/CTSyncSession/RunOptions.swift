import CTSyncPlan
import CTSyncState
import CTSyncUpload

/// The settings of one `ctsync run` that are not in the job files.
public struct RunOptions: Sendable {
    public var state: StateLocation
    /// Ignore state: send every valid row.
    public var full = false
    /// Keep primary keys in the report's samples.
    public var revealPII = false
    /// `--parallel`: how many jobs run at once (1: one after another).
    public var parallel = JobPool.defaultParallel
    /// Wait for a job another process is running instead of skipping it.
    public var waitForLock = false
    /// `--report`: a file (one job) or a directory; nil for `reports/`.
    public var report: String?
    /// `--rejects`: one file for every refused row of every job, one JSON line each; nil for none.
    public var rejects: String?
    /// `--force` (send despite tripped guards) or `--no-guards` (do not evaluate them).
    public var guards: GuardPolicy = .enforce
    /// The first retry's backoff in seconds (`CTSYNC_RETRY_BASE_MS`).
    public var retryBase: Double = 0.5
    /// `--retry-timeout`: how long a batch keeps retrying, in seconds, for every job
    /// (instead of each job's `options.retry_timeout`).
    public var retryTimeout: Double?
    /// `--ca-file`: a PEM file of CA certificates trusted besides the system's.
    public var caFile: String?
    /// What the environment says about TLS and proxies: `SSL_CERT_FILE`,
    /// `https_proxy`/`HTTPS_PROXY`, `no_proxy`/`NO_PROXY`.
    public var transportEnvironment: [String: String] = [:]
    /// The ctsync version recorded with each run in state's history.
    public var version = "unknown"

    public init(state: StateLocation) {
        self.state = state
    }

    /// Settings read from the environment: `CTSYNC_RETRY_BASE_MS`, and the variables of `transportEnvironment`.
    public mutating func apply(environment: [String: String]) {
        if let base = environment["CTSYNC_RETRY_BASE_MS"].flatMap(Double.init) { retryBase = base / 1000 }
        for name in ["SSL_CERT_FILE", "https_proxy", "HTTPS_PROXY", "no_proxy", "NO_PROXY"] {
            transportEnvironment[name] = environment[name]
        }
    }

    /// The CA files and proxy the uploader uses; a usage error names a CA file or
    /// proxy variable ctsync cannot use.
    public func transport() throws(SessionError) -> TransportSettings {
        do {
            return try TransportSettings.from(caFile: caFile, environment: transportEnvironment)
        } catch {
            throw .usage(error.message)
        }
    }
}
