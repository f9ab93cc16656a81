import Dispatch
import Synchronization
import CTSyncPlan

/// The planner's lookups over PostgreSQL: a round trip a chunk, not a row, and
/// overlapped with the planner's work.
///
/// The planner announces each chunk's keys with `prefetch`, one chunk ahead of
/// the `find`s for it, which come in the announced order. Each prefetch is one
/// `key = ANY(array)` query, run in order on a queue of its own while the planner
/// diffs the chunk before; `find` answers from the oldest chunk's answers,
/// waiting for them if they are still on the way. A `find` out of that order
/// falls back to a query of its own.
final class PostgresStateLookup: StateLookup {
    private let store: PostgresStateStore
    private let jobID: Int64
    private let fetches = DispatchQueue(label: "ctsync.state-prefetch")
    /// Announced chunks whose answers have not been used yet, oldest first.
    private var pending: [PendingFetch] = []
    /// The current chunk: its keys in order, how many were looked up, and the records of those acknowledged.
    private var keys: [String] = []
    private var position = 0
    private var found: [String: StoredRecord] = [:]

    init(store: PostgresStateStore, jobID: Int64) {
        self.store = store
        self.jobID = jobID
    }

    var prefetches: Bool { true }

    func prefetch(_ keys: [String]) throws(StateError) {
        let fetch = PendingFetch(keys: keys)
        pending.append(fetch)
        let (store, jobID) = (self.store, self.jobID)
        fetches.async {
            fetch.finish(
                Result { () throws(StateError) -> [String: StoredRecord] in
                    keys.isEmpty ? [:] : try store.records(of: keys, jobID: jobID)
                })
        }
    }

    func find(_ key: String) throws(StateError) -> StoredRecord? {
        while true {
            // The same string the planner announced: `==` is a pointer comparison.
            if position < keys.count, keys[position] == key {
                position += 1
                return found[key]
            }
            guard position == keys.count, !pending.isEmpty else { break }
            let next = pending.removeFirst()
            found = try next.wait()
            keys = next.keys
            position = 0
        }
        if let record = found[key] { return record }
        return try store.records(of: [key], jobID: jobID)[key]
    }

    func close() {
        pending = []
        keys = []
        found = [:]
    }
}

/// One chunk's answers, on their way.
private final class PendingFetch: Sendable {
    let keys: [String]
    private let result = Mutex<Result<[String: StoredRecord], StateError>?>(nil)
    private let done = DispatchSemaphore(value: 0)

    init(keys: [String]) {
        self.keys = keys
    }

    func finish(_ value: Result<[String: StoredRecord], StateError>) {
        result.withLock { $0 = value }
        done.signal()
    }

    func wait() throws(StateError) -> [String: StoredRecord] {
        done.wait()
        return try result.withLock { $0! }.get()
    }
}
