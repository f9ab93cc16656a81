import ClevertapSandbox
import Foundation

@testable import CTSyncSupport
@testable import CleverTapContract
@testable import CTSyncSpec
@testable import CTSyncSource
@testable import CTSyncMapping
@testable import CTSyncPlan
@testable import CTSyncState
@testable import CTSyncReport
@testable import CTSyncUpload
@testable import CTSyncSession

/// What one side (the sandbox's store, or ctsync's state) holds for one job,
/// by the job's primary keys.
struct Holdings: Sendable {
    /// Distinct primary keys held.
    var keys: Set<String> = []
    /// Records stored: for events every copy, for profiles every merged upsert.
    var copies = 0
    /// Items whose key is not a row of the source.
    var foreign = 0
    /// Keys whose stored content differs from their row (a few samples) and how many.
    var mismatchSamples: [String] = []
    var mismatches = 0
    /// Why a read-only open refused the state file, when a run was killed while creating it.
    var unfinishedState: String?

    /// Keys held more than once (an event stored twice, a profile upserted twice).
    var repeated = 0

    /// Copies beyond the first of each key: duplicated events, or profiles upserted more than once.
    var duplicates: Int { copies - keys.count }

    mutating func mismatch(_ description: String) {
        mismatches += 1
        if mismatchSamples.count < 5 { mismatchSamples.append(description) }
    }

    // MARK: - The sandbox

    /// The contacts the sandbox holds; with `checkContent`, every profile is compared with its row.
    static func profiles(in server: SandboxServer, checkContent: Bool) -> Holdings {
        var holdings = Holdings()
        for identity in server.identities() {
            guard let i = ReliabilityWorkload.contactIndex(ofIdentity: identity),
                let profile = server.storedProfile(identity: identity)
            else {
                holdings.foreign += 1
                continue
            }
            holdings.keys.insert(ReliabilityWorkload.contactKey(i))
            holdings.copies += profile.updateCount
            if profile.updateCount > 1 { holdings.repeated += 1 }
            if checkContent, profile.properties != ReliabilityWorkload.expectedProfile(i) {
                holdings.mismatch("\(identity): \(profile.properties)")
            }
        }
        return holdings
    }

    /// The orders the sandbox holds (every copy counted); with `checkContent`,
    /// every copy is compared with its row.
    static func events(in server: SandboxServer, checkContent: Bool) -> Holdings {
        var holdings = Holdings()
        var seen: Set<String> = []
        var repeated: Set<String> = []
        defer { holdings.repeated = repeated.count }
        for event in server.events() {
            guard let key = event.properties["Order Id"]?.stringValue, let i = ReliabilityWorkload.orderIndex(key)
            else {
                holdings.foreign += 1
                continue
            }
            holdings.keys.insert(key)
            holdings.copies += 1
            if !seen.insert(key).inserted { repeated.insert(key) }
            if checkContent, !ReliabilityWorkload.matches(event, order: i) {
                holdings.mismatch("\(key): \(event)")
            }
        }
        return holdings
    }

    // MARK: - State

    /// The keys `job` has acknowledged in the SQLite state at `path`, found by looking
    /// up every source key; `foreign` counts acknowledged keys that are not source keys.
    /// What state acknowledged for `job`, over the keys of the source's `rows`:
    /// `location` is a SQLite path or a `postgres://` URL (read with the planner's
    /// batched lookups). Blocks: call it off the cooperative pool (``runDetached``).
    static func state(at location: String, job: String, rows: Int, key: (Int) -> String) throws -> Holdings {
        var holdings = Holdings()
        let store: any StateStore
        if location.hasPrefix("postgres://") {
            // A run killed before it created ctsync's tables leaves none: no state.
            guard let opened = try StateLocation(parsing: location, environment: [:]).openForReading() else {
                return holdings
            }
            store = opened
        } else {
            let path = location
            // A run killed before it opened state leaves none.
            guard FileManager.default.fileExists(atPath: path) else { return holdings }
            do {
                store = try SQLiteStateStore(path: path, readOnly: true)
            } catch {
                // A run killed while it created state leaves a database without ctsync's
                // tables or tag: read-only opens (`plan`) refuse it, `run` finishes creating
                // it. Look at a copy the way `run` opens it.
                let copy = path + ".inspect-\(UUID().uuidString)"
                for suffix in ["", "-wal"] where FileManager.default.fileExists(atPath: path + suffix) {
                    try FileManager.default.copyItem(atPath: path + suffix, toPath: copy + suffix)
                }
                store = try SQLiteStateStore(path: copy, readOnly: false)
                holdings.unfinishedState = "\(error)"
            }
        }
        defer { (store as? PostgresStateStore)?.shutdown() }
        let lookup = try store.makeLookup(job: try store.key(named: job))
        defer { lookup.close() }
        let chunk = 1000
        for start in stride(from: 0, to: rows, by: chunk) {
            let keys = (start..<min(rows, start + chunk)).map(key)
            if lookup.prefetches { try lookup.prefetch(keys) }
            for k in keys where try lookup.find(k) != nil { holdings.keys.insert(k) }
        }
        holdings.copies = holdings.keys.count
        holdings.foreign = try store.acknowledgedCount(named: job) - holdings.keys.count
        return holdings
    }
}

/// A few keys of a set, for failure messages.
func sample(_ keys: some Collection<String>, _ count: Int = 5) -> String {
    let shown = keys.sorted().prefix(count).joined(separator: ", ")
    return keys.count > count ? "\(shown), … (\(keys.count))" : shown
}
