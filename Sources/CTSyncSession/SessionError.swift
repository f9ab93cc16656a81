import CTSyncSpec
import CTSyncPlan
import CTSyncState
import CTSyncYAML

/// Why a command stopped before any job ran, with the exit status it gives.
public enum SessionError: Error, Sendable {
    /// A path that names nothing, a directory without job files, a bad endpoint override.
    case usage(String)
    /// Job files that do not load or lint clean: their error findings and the files'
    /// text, for rendering with source lines.
    case invalidSpecs(errors: [Diagnostic], sources: [String: SourceText])
    /// Two jobs share a name; names key state and reports.
    case duplicateJobName(String)
    /// `--endpoint` or `CTSYNC_ENDPOINT` names a host that may not receive the passcode
    /// (not CleverTap's, not loopback, not in `CTSYNC_ALLOW_ENDPOINTS`). A job file's
    /// endpoint is reported as an `.invalidSpecs` finding instead.
    case endpointNotAllowed(job: String, origin: String, message: String)
    /// The state cannot be opened (or read).
    case state(StateError)
    /// Another process runs the job: `ctsync state` does not change or read a job
    /// while it runs.
    case jobBusy(job: String, holder: LeaseHolder?)
    /// State holds nothing under that job name.
    case noSuchJob(String, known: [String])

    public var exitStatus: ExitStatus {
        switch self {
        case .usage: .usage
        case .invalidSpecs, .duplicateJobName, .endpointNotAllowed: .invalidSpec
        case .state, .noSuchJob: .failure
        case .jobBusy: .aborted
        }
    }

    /// One line for the terminal; `.invalidSpecs` is rendered from its findings instead.
    public var message: String {
        switch self {
        case .usage(let message): message
        case .invalidSpecs(let errors, _): "\(errors.count) error(s) in job files"
        case .duplicateJobName(let name):
            "two jobs are named \"\(name)\"; names key state and reports, so they must differ"
        case .endpointNotAllowed(let job, let origin, let message): "\(job): \(origin): \(message)"
        case .state(let error): "\(error)"
        case .jobBusy(let job, let holder):
            "job \"\(job)\" is being run by another ctsync process (\(holder?.description ?? "holder unknown")); try again when it has finished"
        case .noSuchJob(let name, let known):
            known.isEmpty
                ? "state holds no job named \"\(name)\" (state holds no jobs)"
                : "state holds no job named \"\(name)\"; it holds: \(known.joined(separator: ", "))"
        }
    }
}
