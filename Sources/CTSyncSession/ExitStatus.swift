/// How a ctsync command ends, as the documented exit status (README, `docs/exit-codes.md`).
///
/// Combining the statuses of several jobs keeps the most serious one: aborted
/// outranks an invalid spec, which outranks failed, which outranks success.
public enum ExitStatus: Int32, Sendable, CaseIterable, Comparable {
    /// Everything succeeded (rejections within `max_rejected`).
    case success = 0
    /// Errors: more rejected rows than `max_rejected`, failed records, a source or state error,
    /// a lint finding, or a failed check.
    case failure = 1
    /// An invalid job spec (or, for `plan --detailed-exitcode`, changes to send).
    case invalidSpec = 2
    /// Aborted: credentials, region, source command, interrupt, job already running
    /// elsewhere, state database lost, a tripped guard.
    case aborted = 3
    /// A usage error: bad flags, no such file, no job files.
    case usage = 64

    /// The status `ctsync plan --detailed-exitcode` gives a plan with changes.
    public static let changesPlanned = ExitStatus.invalidSpec

    private var severity: Int {
        switch self {
        case .success: 0
        case .failure: 1
        case .invalidSpec: 2
        case .usage: 3
        case .aborted: 4
        }
    }

    public static func < (lhs: ExitStatus, rhs: ExitStatus) -> Bool { lhs.severity < rhs.severity }

    /// The more serious of two statuses.
    public func combined(with other: ExitStatus) -> ExitStatus { max(self, other) }
}
