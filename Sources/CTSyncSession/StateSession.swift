import CTSyncPlan
import CTSyncState
import CTSyncSupport
import CleverTapContract
import Foundation

/// `ctsync state show|forget|rename|export|import`: inspect and repair one job's
/// state. Reading refuses while another process runs the job (its state is moving);
/// changing takes the job's lease for the time of the change, so that no run starts
/// meanwhile.
public struct StateSession: Sendable {
    public let location: StateLocation
    /// `--endpoint`: only the job's state at destinations with this endpoint
    /// (`{region}` expanded with each destination's region); nil for every destination.
    public var endpoint: String?

    public init(location: StateLocation, endpoint: String? = nil) {
        self.location = location
        self.endpoint = endpoint
    }

    // MARK: show

    /// A job's state at one destination, for `state show`.
    public struct Entry: Sendable, Equatable {
        public var job: StoredJob
        public var keys: Int
        public var lastRun: RunSummary?
        /// With `--key`: the key's acknowledgement at this destination, nil when never acknowledged.
        public var acknowledgement: StoredAcknowledgement?
    }

    /// The job's state at each (selected) destination; with `key`, whether and when
    /// that key was acknowledged there.
    public func show(job name: String, key: String?) async throws(SessionError) -> [Entry] {
        let (store, leases) = try StatusSession.open(location)
        defer { store?.shutdown() }
        do {
            let jobs = try select(name, in: store)
            if let holder = try await leases.holder(ofJob: name) { throw SessionError.jobBusy(job: name, holder: holder) }
            guard let store else { return [] }
            return try jobs.map { job in
                Entry(
                    job: job, keys: try store.acknowledgedCount(job: job.key),
                    lastRun: try store.lastRun(job: job.key, matching: .any).map { RunSummary($0, lease: nil) },
                    acknowledgement: try key.flatMap { try store.acknowledgement(of: $0, job: job.key) })
            }
        } catch {
            throw Self.sessionError(error, location)
        }
    }

    // MARK: forget

    /// What `forget` removed at one destination.
    public struct Forgotten: Sendable, Equatable {
        public var job: JobKey
        /// Keys removed.
        public var keys: Int
    }

    /// Forgets `keys` of the job (at each selected destination), or with nil its whole
    /// state there: keys, spec and run history. The next run sends those rows again.
    public func forget(job name: String, keys: [String]?) async throws(SessionError) -> [Forgotten] {
        try await changing([name]) { store in
            try select(name, in: store).map { job in
                let count = try keys.map { try store.forget(keys: $0, job: job.key) } ?? store.drop(job: job.key)
                return Forgotten(job: job.key, keys: count)
            }
        }
    }

    // MARK: rename

    /// Gives job `old`'s state (every destination's, with its history) the name `new`.
    public func rename(_ old: String, to new: String) async throws(SessionError) {
        guard old != new else { throw .usage("the old and new names are the same") }
        try await changing([old, new]) { store in
            try store.rename(job: old, to: new)
        }
    }

    // MARK: export and import

    /// What an export or import moved.
    public struct Transfer: Sendable, Equatable {
        /// Job states (one a destination).
        public var jobs = 0
        public var keys = 0
        public var runs = 0

        public init() {}
    }

    /// Writes the job's state (each selected destination: its spec, run history and
    /// every acknowledged key, in key order) as JSON lines to `write`, a page of keys
    /// at a time. The lines hold primary keys: treat the output as personal data.
    public func export(job name: String, write: (String) throws -> Void) async throws(SessionError) -> Transfer {
        let (store, leases) = try StatusSession.open(location)
        defer { store?.shutdown() }
        var transfer = Transfer()
        do {
            let jobs = try select(name, in: store)
            if let holder = try await leases.holder(ofJob: name) { throw SessionError.jobBusy(job: name, holder: holder) }
            guard let store else { return transfer }
            for job in jobs {
                try write(StateExport.line(job))
                transfer.jobs += 1
                for run in try store.runs(named: name, limit: Int.max / 2).reversed() where run.job == job.key {
                    try write(StateExport.line(run))
                    transfer.runs += 1
                }
                var after: String?
                while true {
                    let page = try store.acknowledgements(job: job.key, after: after, limit: StateExport.pageSize)
                    for ack in page { try write(StateExport.line(ack)) }
                    transfer.keys += page.count
                    guard page.count == StateExport.pageSize, let last = page.last else { break }
                    after = last.key
                }
            }
        } catch {
            throw Self.sessionError(error, location)
        }
        return transfer
    }

    /// Reads an export (`path`, or standard input when nil) into this state. Each job
    /// in it must hold no keys here yet at its destination; its lease is taken while
    /// it is imported.
    public func importState(from path: String?) async throws(SessionError) -> Transfer {
        let input: LineInput
        do {
            input = try LineInput(path: path)
        } catch {
            throw Self.sessionError(error, location)
        }
        return try await changing([]) { store, acquire in
            try await StateExport.read(input, label: path ?? "standard input", into: store, acquire: acquire)
        }
    }

    // MARK: Helpers

    /// The job's states this session works on: every destination's, or those with `endpoint`.
    func select(_ name: String, in store: (any StateStore)?) throws -> [StoredJob] {
        let all = try store?.allJobs() ?? []
        let jobs = all.filter { $0.key.name == name }
        guard !jobs.isEmpty else {
            throw SessionError.noSuchJob(name, known: StatusSession.unique(all.map(\.key.name)))
        }
        guard let endpoint else { return jobs }
        let chosen = jobs.filter { job in
            guard let destination = job.key.destination else { return false }
            let region = Region(rawValue: destination.region) ?? .in1
            return (try? Endpoint(region: region, override: endpoint).normalized) == destination.endpoint
        }
        guard !chosen.isEmpty else {
            let held = jobs.map { $0.key.destination?.endpoint ?? "(destination not recorded)" }
            throw SessionError.usage(
                "job \"\(name)\" has no state for endpoint \(endpoint); it has state for: \(held.joined(separator: ", "))")
        }
        return chosen
    }

    /// Opens the state for a change and runs `body` holding the leases of `jobs`;
    /// `body` may take more with the function it is given.
    func changing<T: Sendable>(
        _ jobs: [String], _ body: (any StateMaintenance, (String) async throws -> Void) async throws -> T
    ) async throws(SessionError) -> T {
        let store: any StateMaintenance
        let coordinator: any RunCoordinator
        do {
            (store, coordinator) = try location.openForMaintenance()
        } catch {
            throw .state(error)
        }
        let held = HeldLeases(coordinator: coordinator)
        do {
            for job in jobs { try await held.acquire(job) }
            let result = try await body(store, held.acquire)
            await held.release()
            store.shutdown()
            return result
        } catch {
            await held.release()
            store.shutdown()
            throw Self.sessionError(error, location)
        }
    }

    /// Changes without taking more leases than `jobs`.
    func changing<T: Sendable>(
        _ jobs: [String], _ body: (any StateMaintenance) throws -> T
    ) async throws(SessionError) -> T {
        try await changing(jobs) { store, _ in try body(store) }
    }

    static func sessionError(_ error: any Error, _ location: StateLocation) -> SessionError {
        switch error {
        case let error as SessionError: error
        case let error as StateError: .state(error)
        case CoordinationError.jobHeld(let job, let holder): .jobBusy(job: job, holder: holder)
        default: .state(.io(path: location.description, message: "\(error)"))
        }
    }
}

/// The job leases a `state` change holds, taken one at a time and all given back at the end.
final class HeldLeases: @unchecked Sendable {
    // Used from one task at a time (the change's).
    private let coordinator: any RunCoordinator
    private var jobs: [String] = []

    init(coordinator: any RunCoordinator) {
        self.coordinator = coordinator
    }

    /// Takes `job`'s lease unless already held; `CoordinationError.jobHeld` when another process runs it.
    func acquire(_ job: String) async throws {
        guard !jobs.contains(job) else { return }
        try await coordinator.acquireJob(job, wait: false) { _ in }
        jobs.append(job)
    }

    func release() async {
        for job in jobs { await coordinator.releaseJob(job) }
        jobs = []
        await coordinator.close()
    }
}
