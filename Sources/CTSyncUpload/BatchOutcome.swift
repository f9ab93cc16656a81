import CTSyncPlan
import CTSyncReport
import CleverTapContract

/// A record that did not get in, with the reason and message that say why.
public struct RecordFailure: Sendable {
    public var record: PlannedRecord
    /// CleverTap's per-record code (`515`), an HTTP status (`http_503`) or a transport failure (`timeout`).
    public var reason: RejectReason
    public var message: String
}

/// Why a job stopped sending before its plan was done.
public enum AbortReason: Sendable, Equatable {
    case unauthorized(String)
    case refused(status: Int, message: String)
    /// No connection to the endpoint could be made within the connect budget (or its
    /// certificate is not trusted); the message names the host and how to point elsewhere.
    case unreachable(host: String, message: String)
    case interrupted
    /// A second interrupt: the job stopped at once, cancelling its requests in flight.
    case interruptedTwice
    case state(String)
    case source(String)
    /// A guard of the job tripped (the message names it, its figures and the overrides); nothing was sent.
    case guards(String)
    /// A file the run writes besides state could not be written: the rejects file, the planned records' temporary file.
    case localFile(String)

    public var message: String {
        switch self {
        case .unauthorized(let m), .state(let m), .source(let m), .guards(let m), .localFile(let m): m
        case .refused(_, let m), .unreachable(_, let m): m
        case .interrupted: "interrupted: stopped sending, waited for requests in flight and recorded their results"
        case .interruptedTwice:
            "interrupted twice: stopped at once and cancelled the requests in flight; their records were not acknowledged "
                + "and go with the next run (those whose request may have reached CleverTap count as possibly duplicated)"
        }
    }
}

/// What happened to one batch.
struct BatchOutcome: Sendable {
    var acknowledged: [PlannedRecord] = []
    var rejected: [RecordFailure] = []
    var failed: [RecordFailure] = []
    /// Records sent at least once in a request that may have reached the server,
    /// each counted once however many attempts it took.
    var sent = 0
    var stats = HTTPStats()
    var abort: AbortReason?
}
