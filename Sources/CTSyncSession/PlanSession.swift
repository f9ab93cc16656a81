import CTSyncPlan
import CTSyncState

/// One `ctsync plan` of a prepared job: reads the source and state, never writes
/// either, and streams the planned records to `records` in source order.
public struct PlanSession: Sendable {
    public let job: PreparedJob
    public let state: StateLocation
    /// Ignore state: plan every valid row.
    public var full = false

    public init(job: PreparedJob, state: StateLocation) {
        self.job = job.withholdingSecrets(of: state)
        self.state = state
    }

    /// Plans the job. A state that does not exist yet plans every row as new; nothing is created.
    /// - Parameter records: called with each chunk's planned records, in source order.
    public func run(records: (PlanChunk) throws -> Void) async throws(PlanSessionError) -> PlanSummary {
        let store: (any StateStore)?
        do {
            store = try state.openForReading()
        } catch {
            throw .state(error)
        }
        defer { store?.shutdown() }
        let stream = PlanStream(Planner(spec: job.spec, state: store, endpoint: job.endpoint, full: full))
        do {
            for await chunk in stream { try records(chunk) }
        } catch {
            stream.cancel()
            throw .output(error)
        }
        do {
            return try await stream.summary()
        } catch {
            throw .plan(error)
        }
    }
}

extension PlanSession {
    /// The exit status `ctsync plan` gives this plan: like `run`, failure when the
    /// invalid rows exceed the job's `max_rejected`; with `detailed`, changes to send
    /// are `.changesPlanned` (2).
    public func exitStatus(of summary: PlanSummary, detailed: Bool) -> ExitStatus {
        let counts = summary.counts
        if job.spec.options.maxRejected.isExceeded(rejected: counts.invalid, of: counts.sourceRows) { return .failure }
        return detailed && counts.planned > 0 ? .changesPlanned : .success
    }
}

/// Why a plan could not finish (exit 1).
public enum PlanSessionError: Error, Sendable, CustomStringConvertible {
    case state(StateError)
    case plan(PlanError)
    /// Writing the planned records failed.
    case output(any Error)

    public var description: String {
        switch self {
        case .state(let error): "\(error)"
        case .plan(let error): "\(error)"
        case .output(let error): "cannot write the planned records: \(error)"
        }
    }
}
