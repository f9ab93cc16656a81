import CTSyncPlan
import CTSyncState
import CTSyncSupport

/// One `ctsync plan` of a prepared job: reads the source and state, never writes
/// either, and streams the planned records to `records` in source order.
public struct PlanSession: Sendable {
    public let job: PreparedJob
    public let state: StateLocation
    /// Ignore state: plan every valid row.
    public var full = false
    /// `--force` / `--no-guards`: whether the job's guards are evaluated, and whether a
    /// tripped one makes the plan exit 3.
    public var guards: GuardPolicy = .enforce
    /// `--rejects`: where each invalid row is written, one JSON line each.
    public var rejects: RejectsFile?

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
        let planner = Planner(spec: job.spec, state: store, endpoint: job.endpoint, full: full)
        let stream = PlanStream(planner)
        let name = job.spec.name.value
        do {
            for await chunk in stream {
                try records(chunk)
                if let rejects {
                    for rejection in chunk.rejections {
                        guard rejects.write(job: name, outcome: .invalid, rejection: rejection, record: rejection.record)
                        else { throw rejects.error ?? OutputError(path: rejects.path, reason: "write failed") }
                    }
                }
            }
        } catch {
            stream.cancel()
            throw .output(error)
        }
        var summary: PlanSummary
        do {
            summary = try await stream.summary()
        } catch {
            throw .plan(error)
        }
        if let jobGuards = job.spec.guards {
            if guards == .skip {
                summary.guards = .skipped
            } else {
                do {
                    let basis = try GuardBasis.read(from: store, job: planner.key)
                    summary.guards = GuardEvaluation.evaluate(jobGuards, counts: summary.counts, basis: basis, policy: guards)
                } catch {
                    throw .state(error)
                }
            }
        }
        return summary
    }
}

extension PlanSession {
    /// The exit status `ctsync plan` gives this plan: aborted (3) when one of the job's
    /// guards would stop a run (unless `--force`); like `run`, failure when the invalid
    /// rows exceed the job's `max_rejected`; with `detailed`, changes to send are
    /// `.changesPlanned` (2).
    public func exitStatus(of summary: PlanSummary, detailed: Bool) -> ExitStatus {
        if summary.guards?.stops == true { return .aborted }
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
