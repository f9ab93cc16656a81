import CTSyncPlan
import CTSyncSpec
import CTSyncState
import CTSyncSupport
import CleverTapContract
import Foundation

/// One recorded run as `status` and `history` show it.
public struct RunSummary: Sendable, Equatable {
    public var record: RunRecord
    /// The run's outcome (`succeeded`, `completed_with_errors`, `failed`, `aborted`,
    /// `interrupted`), or for a run that has not finished: `running` while its process
    /// holds the job's lease, else `interrupted` (killed, and no run of the job since).
    public var status: String

    public init(_ record: RunRecord, lease: LeaseHolder?) {
        self.record = record
        if let outcome = record.outcome {
            status = outcome.rawValue
        } else if let lease, lease.pid == record.pid, lease.host == record.host {
            status = "running"
        } else {
            status = RunOutcome.interrupted.rawValue
        }
    }
}

/// A job's state at one destination, for `status`.
public struct DestinationStatus: Sendable, Equatable {
    /// Nil: state written by a ctsync that did not record destinations, not adopted yet.
    public var destination: CleverTapDestination?
    /// Keys state holds as acknowledged.
    public var keys: Int
    public var lastRun: RunSummary?
    /// The last run that exited 0.
    public var lastSuccess: RunSummary?
    /// The last finished run that planned every row (first run, `--full`, changed mappings).
    public var lastFullSync: RunSummary?
}

/// The use of CleverTap's account-wide limits at one destination, for `status`.
public struct BudgetStatus: Sendable, Equatable {
    public struct Event: Sendable, Equatable {
        public var name: String
        public var acknowledged: Bool
        public var properties: BudgetUse
    }

    public var destination: CleverTapDestination
    public var eventNames: BudgetUse
    /// By name.
    public var events: [Event]

    public init(destination: CleverTapDestination, snapshot: BudgetSnapshot) {
        self.destination = destination
        let limits = snapshot.limits ?? AccountLimits()
        eventNames = snapshot.nameUse(limit: limits.eventNames)
        events = snapshot.events.keys.sorted().map { name in
            let event = snapshot.events[name]!
            return Event(
                name: name, acknowledged: event.acknowledged, properties: event.keyUse(limit: limits.propertiesPerEvent))
        }
    }
}

/// One job in `status`.
public struct JobStatus: Sendable, Equatable {
    public var name: String
    /// Who runs the job now, if anyone.
    public var lease: LeaseHolder?
    /// Empty when state holds nothing for the job.
    public var destinations: [DestinationStatus]
}

/// `ctsync status`: per job, what state recorded of its runs, and who runs it now.
public struct StatusReport: Sendable, Equatable {
    /// Version of the JSON document (`schemas/status.schema.json`).
    public static let formatVersion = 1

    /// Where the state is (no password).
    public var state: String
    public var jobs: [JobStatus]
    /// The budgets of the destinations of the jobs shown.
    public var budgets: [BudgetStatus] = []

    /// The JSON document: `StatusDocument` in canonical form.
    public func json() -> String {
        JSONValue.document(StatusDocument(self))
    }
}

/// `ctsync history JOB`: the job's runs, newest first.
public struct HistoryReport: Sendable, Equatable {
    /// Version of the JSON document (`schemas/history.schema.json`).
    public static let formatVersion = 1

    public var state: String
    public var job: String
    public var lease: LeaseHolder?
    public var runs: [RunSummary]

    /// The JSON document: `HistoryDocument` in canonical form.
    public func json() -> String {
        JSONValue.document(HistoryDocument(self))
    }
}

/// `ctsync status` and `ctsync history`: read state, change nothing.
public enum StatusSession {
    /// Each job's status: the named ones (job names, or job files and directories,
    /// whose `name:` is read), or every job state holds when `jobs` is empty.
    public static func status(
        location: StateLocation, jobs: [String], environment: [String: String]
    ) async throws(SessionError) -> StatusReport {
        let names = try JobNames.resolve(jobs, environment: environment)
        let (store, leases) = try open(location)
        defer { store?.shutdown() }
        var result: [JobStatus] = []
        var budgets: [BudgetStatus] = []
        do {
            let all = try store?.allJobs() ?? []
            let wanted = names.isEmpty ? unique(all.map(\.key.name)) : names
            for name in wanted {
                let lease = try await leases.holder(ofJob: name)
                var entries: [DestinationStatus] = []
                for job in all where job.key.name == name {
                    guard let store else { break }
                    entries.append(
                        DestinationStatus(
                            destination: job.key.destination, keys: try store.acknowledgedCount(job: job.key),
                            lastRun: try store.lastRun(job: job.key, matching: .any).map { RunSummary($0, lease: lease) },
                            lastSuccess: try store.lastRun(job: job.key, matching: .successful).map {
                                RunSummary($0, lease: lease)
                            },
                            lastFullSync: try store.lastRun(job: job.key, matching: .fullSync).map {
                                RunSummary($0, lease: lease)
                            }))
                }
                // The most recently run destination first.
                entries.sort { ($0.lastRun?.record.startedAt ?? .distantPast) > ($1.lastRun?.record.startedAt ?? .distantPast) }
                result.append(JobStatus(name: name, lease: lease, destinations: entries))
            }
            var seen: Set<CleverTapDestination> = []
            for entry in result.flatMap(\.destinations) {
                guard let store, let destination = entry.destination, seen.insert(destination).inserted else { continue }
                let snapshot = try store.budget(at: destination, run: nil)
                if snapshot.events.isEmpty && snapshot.limits == nil { continue }
                budgets.append(BudgetStatus(destination: destination, snapshot: snapshot))
            }
        } catch {
            throw .state(error)
        }
        return StatusReport(state: location.description, jobs: result, budgets: budgets)
    }

    /// The job's runs, newest first, at most `limit`.
    public static func history(
        location: StateLocation, job: String, limit: Int, environment: [String: String]
    ) async throws(SessionError) -> HistoryReport {
        guard let name = try JobNames.resolve([job], environment: environment).first else {
            throw .usage("no job named")
        }
        let (store, leases) = try open(location)
        defer { store?.shutdown() }
        do {
            let known = unique(try store?.allJobs().map(\.key.name) ?? [])
            guard known.contains(name) else { throw SessionError.noSuchJob(name, known: known) }
            let lease = try await leases.holder(ofJob: name)
            let runs = try store?.runs(named: name, limit: limit) ?? []
            return HistoryReport(
                state: location.description, job: name, lease: lease, runs: runs.map { RunSummary($0, lease: lease) })
        } catch let error as SessionError {
            throw error
        } catch let error as StateError {
            throw .state(error)
        } catch {
            throw .state(.io(path: location.description, message: "\(error)"))
        }
    }

    static func open(_ location: StateLocation) throws(SessionError) -> (
        (any StateMaintenance)?, any LeaseInspector
    ) {
        do {
            return try location.openForInspection()
        } catch {
            throw .state(error)
        }
    }

    static func unique(_ names: [String]) -> [String] {
        var seen: Set<String> = []
        return names.filter { seen.insert($0).inserted }
    }
}

/// Job names from command arguments: a job file or a directory of them gives the
/// names its files declare (variables need not be set); anything else is a name.
enum JobNames {
    static func resolve(_ arguments: [String], environment: [String: String]) throws(SessionError) -> [String] {
        var names: [String] = []
        for argument in arguments {
            guard Paths.exists(argument) else {
                names.append(argument)
                continue
            }
            for file in try JobSet.expand([argument]) {
                let loaded = JobLoader.load(path: file, environment: environment, unsetVariableSeverity: .warning)
                guard let spec = loaded.spec else {
                    let first = loaded.diagnostics.first { $0.severity == .error }
                    throw .usage("\(file): cannot read the job's name\(first.map { ": \($0.message)" } ?? "")")
                }
                names.append(spec.name.value)
            }
        }
        return StatusSession.unique(names)
    }
}
