import Foundation
import CTSyncMapping
import CTSyncSource
import CTSyncSpec
import CTSyncSupport
import CleverTapContract

/// Why a plan could not finish. Rejected rows are not errors: they are counted.
public enum PlanError: Error, Sendable, CustomStringConvertible {
    case source(SourceError)
    case state(StateError)
    /// The consumer of the plan (for example the uploader) stopped it.
    case stopped(any Error & Sendable)

    public var description: String {
        switch self {
        case .source(let error): "\(error)"
        case .state(let error): "\(error)"
        case .stopped(let error): "\(error)"
        }
    }
}

/// Turns a job's source into the records that would be sent: read, map, validate,
/// de-duplicate and diff against state, streaming in source order.
///
/// Two threads share the work: the calling thread reads, maps and hashes rows; a
/// second one looks keys up in state (the costliest step) and feeds the consumer.
/// Between them a bounded queue keeps memory flat.
public struct Planner: Sendable {
    public let spec: JobSpec
    private let state: (any StateStore)?
    private let full: Bool
    /// The destination's event-name and property budgets, across runs (state).
    public let budget: EventBudget
    /// Where the job's records go; with the job's name, the key of its state.
    public let destination: CleverTapDestination
    /// The job's canonical spec; its fingerprint is stored with each acknowledgement.
    public let canonicalSpec: CanonicalSpec
    /// The fingerprint ctsync 0.1 computed for this spec: acknowledgements carrying it
    /// were made with the same spec.
    public let legacyFingerprint: UInt64
    /// Rows per hand-off between the two threads.
    private let chunkSize = 2048

    /// The destination-and-mappings fingerprint stored with each acknowledgement.
    public var fingerprint: UInt64 { canonicalSpec.fingerprint }

    /// The key of the job's state at its destination.
    public var key: JobKey { JobKey(name: spec.name.value, destination: destination) }

    /// - Parameters:
    ///   - state: nil for no state (a first run, or a state file that does not exist yet).
    ///   - endpoint: where records go; with the account and region, the job's destination.
    ///   - budget: the destination's budgets for this run (one that reserves in state);
    ///     nil counts against what state holds without reserving (`plan`).
    public init(
        spec: JobSpec, state: (any StateStore)?, endpoint: Endpoint, full: Bool, budget: EventBudget? = nil
    ) {
        self.spec = spec
        self.state = state
        self.full = full
        let destination = Planner.destination(of: spec, endpoint: endpoint)
        self.destination = destination
        self.budget =
            budget ?? EventBudget(store: state, destination: destination, limits: spec.destination.limits, run: nil)
        canonicalSpec = CanonicalSpec.of(spec, destination: destination)
        legacyFingerprint = LegacySpecFingerprint.of(spec, endpoint: endpoint.base)
    }

    /// Where `spec`'s records go through `endpoint`: with the job's name, the key of its state.
    public static func destination(of spec: JobSpec, endpoint: Endpoint) -> CleverTapDestination {
        CleverTapDestination(
            account: spec.destination.accountID.value, region: spec.destination.region.value, endpoint: endpoint)
    }

    /// What state holds for the job at its destination (read-only).
    public func baseline() throws(StateError) -> StateBaseline {
        try StateBaseline.resolve(
            store: state, job: spec.name.value, destination: destination, spec: canonicalSpec,
            legacyFingerprint: legacyFingerprint, source: SourceIdentity.of(spec))
    }

    /// Opens the job's source with the job's settings. A command runs with
    /// `spec.source.commandEnvironment`, else this process's environment minus what the
    /// job withholds (``CommandEnvironment``).
    public static func openSource(_ spec: JobSpec) throws(SourceError) -> any RowReader {
        var csv = CSVOptions()
        csv.header = spec.source.header
        if let delimiter = spec.source.delimiter {
            csv.delimiter = delimiter
        } else if spec.source.format == .tsv {
            csv.delimiter = UInt8(ascii: "\t")
        }
        switch spec.source.input {
        case .file(_, let resolved):
            return try Sources.open(file: resolved, format: spec.source.format, csv: csv)
        case .command(let command):
            let environment =
                spec.source.commandEnvironment
                ?? CommandEnvironment.make(for: spec, from: ProcessInfo.processInfo.environment)
            return try Sources.open(
                command: command.value, workingDirectory: Paths.directory(of: spec.file), format: spec.source.format,
                csv: csv, environment: environment, timeout: spec.source.timeout)
        }
    }

    /// Plans the job, handing chunks to `consume` in source order (on a planner
    /// thread). If `consume` throws, planning stops and the error is rethrown as `.stopped`.
    public func run(_ consume: @escaping @Sendable (PlanChunk) throws -> Void) throws(PlanError) -> PlanSummary {
        let baseline: StateBaseline
        do {
            baseline = try self.baseline()
        } catch {
            throw .state(error)
        }
        let reader: any RowReader
        let mapper = RecordMapper(spec: spec)
        do {
            reader = try Planner.openSource(spec)
            try reader.project(mapper.columns)
        } catch {
            throw .source(error)
        }
        defer { reader.close() }

        let queue = BoundedQueue<Candidates>(capacity: 4)
        // The differ opens its own lookup on its thread: a lookup is not thread-safe.
        let differ = Differ(
            state: full ? nil : state, job: baseline.readFrom, queue: queue, consume: consume, mode: spec.mode.value,
            object: spec.object.value, fingerprints: [fingerprint, legacyFingerprint])
        let diffed = BoundedQueue<Result<Differ.Counts, PlanError>>(capacity: 1)
        let thread = Thread {
            diffed.put(differ.run())
            diffed.close()
        }
        thread.stackSize = 1 << 20
        thread.start()

        var counts = PlanCounts()
        var log = RejectionLog()
        var sourceError: SourceError?
        var budgetError: StateError?
        // Per event name, the keys the budget already counted for this plan: a record
        // within them needs no budget check. Key lists are shared by records alike.
        var covered: [String: PropertyMask] = [:]
        var keyLists: [PropertyMask: [String]] = [:]
        let propertyKeys = mapper.propertyKeys
        var reserving = false
        var seen = KeySet()
        let hasKey = spec.effectivePrimaryKey != nil
        let isEvents = spec.object.value == .events
        var chunk = Candidates()
        chunk.records.reserveCapacity(chunkSize)

        func reject(_ rejection: PlanRejection) {
            counts.invalid += 1
            log.add(rejection)
            chunk.items.append(.rejection(rejection))
        }

        reading: do {
            while true {
                guard let event = try reader.next() else { break }
                counts.sourceRows += 1
                switch event {
                case .invalid(let line, let message):
                    reject(PlanRejection(line: line, primaryKey: nil, field: nil, reason: .invalidRow, message: message))
                case .row(let line, let values):
                    switch mapper.map(values, line: line) {
                    case .rejected(let rejection):
                        reject(PlanRejection(rejection))
                    case .record(let record):
                        if hasKey {
                            if record.primaryKey.isEmpty {
                                reject(
                                    PlanRejection(
                                        line: line, primaryKey: nil, field: spec.effectivePrimaryKey,
                                        reason: .primaryKeyMissing,
                                        message: "primary key column \"\(spec.effectivePrimaryKey!)\" is empty"))
                                break
                            }
                            if !seen.insert(RecordHash(bytes: record.primaryKey.utf8).high) {
                                reject(
                                    PlanRejection(
                                        line: line, primaryKey: record.primaryKey, field: spec.effectivePrimaryKey,
                                        reason: .duplicatePrimaryKey,
                                        message: "primary key appears earlier in the source; only its first row is sent",
                                        record: record.json))
                                break
                            }
                        }
                        var keys: [String] = []
                        if isEvents, let name = record.eventName {
                            let isCovered = covered[name].map { record.properties.isSubset(of: $0) } ?? false
                            // A record carries its keys once the run reserved anything: its
                            // acknowledgement may then turn reservations into acknowledged keys.
                            if !isCovered || reserving {
                                if let list = keyLists[record.properties] {
                                    keys = list
                                } else {
                                    keys = record.properties.indices.map { propertyKeys[$0] }
                                    keyLists[record.properties] = keys
                                }
                            }
                            if !isCovered {
                                let refusal: (RejectReason, String)?
                                do {
                                    refusal = try budget.admit(eventName: name, keys: keys)
                                } catch {
                                    budgetError = error
                                    break reading
                                }
                                if let refusal {
                                    reject(
                                        PlanRejection(
                                            line: line, primaryKey: record.primaryKey.isEmpty ? nil : record.primaryKey,
                                            field: refusal.0 == .tooManyEventNames ? "evtName" : nil, reason: refusal.0,
                                            message: refusal.1, record: record.json))
                                    break
                                }
                                covered[name, default: PropertyMask()].formUnion(record.properties)
                                if !reserving { reserving = budget.hasPending }
                            }
                        }
                        chunk.items.append(.record(chunk.records.count))
                        chunk.records.append(record)
                        chunk.propertyKeys.append(keys)
                    }
                }
                if chunk.items.count >= chunkSize {
                    guard queue.put(chunk) else { break reading }
                    chunk = Candidates()
                    chunk.records.reserveCapacity(chunkSize)
                }
            }
        } catch {
            sourceError = error
        }
        if !chunk.items.isEmpty { queue.put(chunk) }
        queue.close()
        guard let diff = diffed.take() else { preconditionFailure("the differ thread ended without a result") }

        let diffCounts: Differ.Counts
        switch diff {
        case .success(let value): diffCounts = value
        case .failure(let failure): throw failure
        }
        if let budgetError { throw .state(budgetError) }
        if let sourceError { throw .source(sourceError) }
        counts.unchanged = diffCounts.unchanged
        counts.added = diffCounts.added
        counts.changed = diffCounts.changed
        return PlanSummary(
            counts: counts, destination: destination, baseline: baseline, full: full, canonicalSpec: canonicalSpec,
            rejected: log, batchSize: spec.options.batchSize.value)
    }
}

/// Rows of one hand-off, before the state diff.
struct Candidates: Sendable {
    enum Item: Sendable {
        case record(Int)
        case rejection(PlanRejection)
    }
    var items: [Item] = []
    var records: [EncodedRecord] = []
    /// Each record's property keys (events; empty for profiles).
    var propertyKeys: [[String]] = []
}

/// The second thread: looks each key up in state, classifies it, hands chunks on.
private struct Differ: Sendable {
    struct Counts: Sendable {
        var unchanged = 0
        var added = 0
        var changed = 0
    }

    /// Nil for no state (a first run, `--full`).
    let state: (any StateStore)?
    /// The state to diff against; nil for none.
    let job: JobKey?
    let queue: BoundedQueue<Candidates>
    let consume: @Sendable (PlanChunk) throws -> Void
    let mode: SyncMode
    let object: ObjectType
    /// Fingerprints of the job's spec now (current and legacy): an acknowledgement
    /// carrying one of them was made with the same spec.
    let fingerprints: [UInt64]

    static func keys(of candidates: Candidates) -> [String] {
        candidates.records.compactMap { $0.primaryKey.isEmpty ? nil : $0.primaryKey }
    }

    /// Diffs every chunk until the queue is drained; on failure closes the queue so the reader stops.
    func run() -> Result<Counts, PlanError> {
        let lookup: any StateLookup
        do {
            if let state, let job {
                lookup = try state.makeLookup(job: job)
            } else {
                lookup = EmptyStateLookup()
            }
        } catch {
            queue.close()
            return .failure(.state(error))
        }
        defer { lookup.close() }
        var counts = Counts()
        // Events are facts: once acknowledged they are never sent again, whatever the mode.
        let sendChanged = mode == .upsert && object == .profiles
        do {
            // A store across a network is asked for a chunk's keys in one round trip,
            // a chunk ahead: the next chunk's answers travel while this one is diffed.
            let ahead = lookup.prefetches
            var next = queue.take()
            if ahead, let first = next { try lookup.prefetch(Self.keys(of: first)) }
            while let candidates = next {
                if ahead {
                    next = queue.take()
                    if let upcoming = next { try lookup.prefetch(Self.keys(of: upcoming)) }
                }
                var chunk = PlanChunk()
                chunk.records.reserveCapacity(candidates.records.count)
                for item in candidates.items {
                    switch item {
                    case .rejection(let rejection):
                        chunk.rejections.append(rejection)
                    case .record(let index):
                        let record = candidates.records[index]
                        var change = Change.added
                        if !record.primaryKey.isEmpty, let stored = try lookup.find(record.primaryKey) {
                            let same =
                                stored.hash == record.hash && (fingerprints.contains(stored.spec) || object == .events)
                            if !sendChanged || same {
                                counts.unchanged += 1
                                chunk.unchanged += 1
                                continue
                            }
                            change = .changed
                        }
                        if change == .added { counts.added += 1 } else { counts.changed += 1 }
                        chunk.records.append(
                            PlannedRecord(
                                json: record.json, key: record.primaryKey, hash: record.hash, identity: record.identity,
                                line: record.line, change: change, eventName: record.eventName,
                                propertyKeys: candidates.propertyKeys[index]))
                    }
                }
                try consume(chunk)
                if !ahead { next = queue.take() }
            }
        } catch let error as StateError {
            queue.close()
            return .failure(.state(error))
        } catch {
            queue.close()
            return .failure(.stopped(error))
        }
        return .success(counts)
    }
}
