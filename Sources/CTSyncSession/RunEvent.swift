import CTSyncReport
import CleverTapContract
import CTSyncState
import CTSyncUpload

/// What a run session reports as it goes, for the CLI to render; the session itself
/// never prints.
public enum RunEvent: Sendable {
    /// A job took its lease and starts planning and sending to `destination`; `notes`
    /// say what state holds for it there ("no earlier run to this destination", what
    /// changed, a renamed job); `progress` is live until `.finished`.
    case started(job: String, destination: CleverTapDestination, notes: [String], progress: RunProgress)
    /// Another process runs the job; this one waits for it (`--wait-for-lock`).
    case waitingForLease(job: String, holder: LeaseHolder?)
    /// A job that was not run, and why (its lease is held, the state database was lost, an interrupt).
    case notRun(job: String, reason: String)
    /// Something the user should know that does not change the job's outcome.
    case warning(job: String, message: String)
    /// A job ended: its report, where it was written (nil when writing failed, with the error).
    case finished(report: RunReport, reportPath: String?, reportError: String?)
}
