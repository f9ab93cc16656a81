import NIOConcurrencyHelpers

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The sandbox's shared mutable state: store, counters and fault sequence,
/// each behind its own lock.
///
/// Locks rather than an actor: a batch is stored under one short critical
/// section (about a millisecond for 1000 profiles) and nothing awaits while
/// holding a lock, so request tasks never hop executors for bookkeeping.
final class SandboxState: Sendable {
    let limits: ValidationLimits
    let validator: RecordValidator
    let persistPath: String?
    private let accounts: [String: SandboxAccount]
    private let store: NIOLockedValueBox<SandboxStore>
    private let counters: NIOLockedValueBox<SandboxStats>
    private let faults: NIOLockedValueBox<FaultInjector>
    private let uploadLog = NIOLockedValueBox(UploadLog())

    init(configuration: SandboxConfiguration) {
        limits = configuration.limits
        validator = RecordValidator(limits: configuration.limits)
        persistPath = configuration.persistPath
        accounts = Dictionary(uniqueKeysWithValues: configuration.accounts.map { ($0.id, $0) })
        store = NIOLockedValueBox(SandboxStore(accountIDs: configuration.accounts.map(\.id)))
        counters = NIOLockedValueBox(Self.freshCounters(accountIDs: configuration.accounts.map(\.id)))
        faults = NIOLockedValueBox(FaultInjector(configuration: configuration.faults, seed: configuration.seed))
    }

    func account(id: String) -> SandboxAccount? {
        accounts[id]
    }

    // MARK: - Concurrency limit

    /// Takes an in-flight slot for `account`, or counts the request as throttled.
    func enter(account: String) -> Bool {
        counters.withLockedValue { stats in
            let current = stats.accounts[account]?.inFlight ?? 0
            guard current < limits.maxConcurrentRequests else {
                stats.throttled += 1
                stats.accounts[account, default: SandboxAccountStats()].throttled += 1
                return false
            }
            stats.accounts[account, default: SandboxAccountStats()].inFlight = current + 1
            let accountMax = max(stats.accounts[account]!.maxInFlight, current + 1)
            stats.accounts[account]!.maxInFlight = accountMax
            stats.maxInFlight = max(stats.maxInFlight, accountMax)
            stats.inFlight += 1
            return true
        }
    }

    func leave(account: String) {
        counters.withLockedValue { stats in
            stats.accounts[account, default: SandboxAccountStats()].inFlight -= 1
            stats.inFlight -= 1
        }
    }

    // MARK: - Upload log

    /// Logs an upload request just let in; its ticket for ``uploadLeft(ticket:records:firstIdentity:)``.
    func uploadEntered(account: String) -> Int {
        uploadLog.withLockedValue { $0.enter(account: account) }
    }

    /// Logs the end of an admitted upload request, before it leaves the in-flight count.
    func uploadLeft(ticket: Int, records: Int, firstIdentity: String?) {
        uploadLog.withLockedValue { $0.leave(ticket: ticket, records: records, firstIdentity: firstIdentity) }
    }

    /// The logged upload requests, oldest first.
    func uploads() -> [UploadLogEntry] {
        uploadLog.withLockedValue { $0.ordered }
    }

    // MARK: - Counters

    func count(_ update: (inout SandboxStats) -> Void) {
        counters.withLockedValue { update(&$0) }
    }

    /// Counters plus store figures.
    func stats() -> SandboxStats {
        var stats = counters.withLockedValue { $0 }
        store.withLockedValue { store in
            stats.profiles = store.profileCount
            stats.events = store.eventCount
            for account in store.accountOrder {
                stats.accounts[account, default: SandboxAccountStats()].profiles = store.profileCount(account: account)
                stats.accounts[account, default: SandboxAccountStats()].events = store.eventCount(account: account)
                stats.accounts[account, default: SandboxAccountStats()].eventNames =
                    store.eventNameCount(account: account)
            }
        }
        return stats
    }

    // MARK: - Faults

    func nextFaultPlan() -> FaultPlan {
        faults.withLockedValue { $0.nextPlan() }
    }

    var faultConfiguration: FaultConfiguration {
        faults.withLockedValue { $0.configuration }
    }

    var faultSeed: UInt64 {
        faults.withLockedValue { $0.seed }
    }

    func setFaults(_ configuration: FaultConfiguration, seed: UInt64?) throws(SandboxConfigurationError) {
        try configuration.validate()
        faults.withLockedValue { $0.reconfigure(configuration, seed: seed) }
    }

    // MARK: - Store

    /// Stores a batch's valid records; returns those the account's limits refused.
    func store(
        _ records: [(number: Int, record: UploadRecord)],
        account: String
    ) -> [(number: Int, rejection: RecordRejection)] {
        let receivedAt = Int(Date().timeIntervalSince1970)
        return store.withLockedValue { store in
            store.apply(records, account: account, receivedAt: receivedAt, limits: limits)
        }
    }

    func profile(identity: String, account: String?) -> SandboxProfile? {
        store.withLockedValue { $0.profile(identity: identity, account: account) }
    }

    /// The profile a Get User Profile request names, in one account.
    func profile(_ lookup: ProfileLookup, account: String) -> SandboxProfile? {
        store.withLockedValue { store in
            switch lookup {
            case .identity(let identity): store.profile(identity: identity, account: account)
            case .email(let email): store.profile(email: email, account: account)
            }
        }
    }

    func identities(account: String?) -> [String] {
        store.withLockedValue { $0.identities(account: account) }
    }

    func events(identity: String?, name: String?, account: String?) -> [SandboxEvent] {
        store.withLockedValue { $0.events(identity: identity, name: name, account: account) }
    }

    func snapshot() -> [UInt8] {
        let copy = store.withLockedValue { $0 }
        return StoreJSON.snapshot(of: copy)
    }

    /// Empties the store, zeroes the counters (requests still in flight stay
    /// counted), empties the upload log and restarts the fault sequence from its seed.
    func reset() {
        store.withLockedValue { $0.removeAll() }
        counters.withLockedValue { stats in
            var fresh = Self.freshCounters(accountIDs: Array(accounts.keys))
            for (id, account) in stats.accounts {
                fresh.accounts[id, default: SandboxAccountStats()].inFlight = account.inFlight
                fresh.accounts[id, default: SandboxAccountStats()].maxInFlight = account.inFlight
            }
            fresh.inFlight = stats.inFlight
            fresh.maxInFlight = fresh.accounts.values.map(\.maxInFlight).max() ?? 0
            stats = fresh
        }
        faults.withLockedValue { $0.restart() }
        uploadLog.withLockedValue { $0.reset() }
    }

    private static func freshCounters(accountIDs: [String]) -> SandboxStats {
        var stats = SandboxStats()
        for id in accountIDs { stats.accounts[id] = SandboxAccountStats() }
        return stats
    }
}
