/// The in-memory store of every configured account.
///
/// A plain value: `SandboxState` keeps it behind a lock and mutates it in place,
/// one whole batch per lock acquisition.
struct SandboxStore: Sendable {
    /// Account IDs in configuration order, for stable listings.
    let accountOrder: [String]
    private(set) var accounts: [String: AccountStore]

    init(accountIDs: [String]) {
        accountOrder = accountIDs
        accounts = Dictionary(uniqueKeysWithValues: accountIDs.map { ($0, AccountStore(account: $0)) })
    }

    /// Stores validated records of one batch; returns the ones the account's
    /// limits refused, keyed by their 1-based record number.
    mutating func apply(
        _ records: [(number: Int, record: UploadRecord)],
        account: String,
        receivedAt: Int,
        limits: ValidationLimits
    ) -> [(number: Int, rejection: RecordRejection)] {
        var refused: [(number: Int, rejection: RecordRejection)] = []
        for (number, record) in records {
            if let rejection = accounts[account]?.apply(record, receivedAt: receivedAt, limits: limits) {
                refused.append((number, rejection))
            }
        }
        return refused
    }

    /// The profile of `identity` in `account`, or in the first account that has one.
    func profile(identity: String, account: String? = nil) -> SandboxProfile? {
        for id in accountIDs(account) {
            if let profile = accounts[id]?.profiles[identity] { return profile }
        }
        return nil
    }

    /// The profile of `account` whose `Email` property is `email`; the smallest
    /// identity when several share it. A scan: for lookups, not bulk work.
    func profile(email: String, account: String) -> SandboxProfile? {
        let matches = accounts[account]?.profiles.values.filter { $0.properties["Email"] == .string(email) } ?? []
        return matches.min { $0.identity < $1.identity }
    }

    /// Identities with a profile, sorted.
    func identities(account: String? = nil) -> [String] {
        accountIDs(account).flatMap { accounts[$0]?.profiles.keys.map { $0 } ?? [] }.sorted()
    }

    /// Events in acceptance order, optionally only those of one identity or name.
    func events(identity: String? = nil, name: String? = nil, account: String? = nil) -> [SandboxEvent] {
        var events: [SandboxEvent] = []
        for id in accountIDs(account) {
            guard let store = accounts[id] else { continue }
            let candidates = identity.map { store.eventsByIdentity[$0] ?? [] } ?? store.allEvents
            events.append(contentsOf: name.map { name in candidates.filter { $0.name == name } } ?? candidates)
        }
        return events
    }

    var profileCount: Int { accounts.values.reduce(0) { $0 + $1.profiles.count } }
    var eventCount: Int { accounts.values.reduce(0) { $0 + $1.eventCount } }

    func profileCount(account: String) -> Int { accounts[account]?.profiles.count ?? 0 }
    func eventCount(account: String) -> Int { accounts[account]?.eventCount ?? 0 }
    func eventNameCount(account: String) -> Int { accounts[account]?.eventNames.count ?? 0 }

    mutating func removeAll() {
        self = SandboxStore(accountIDs: accountOrder)
    }

    private func accountIDs(_ account: String?) -> [String] {
        account.map { [$0] } ?? accountOrder
    }
}
