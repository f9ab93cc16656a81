/// What one account (CleverTap project) holds: profiles, events and the set of
/// event names it has seen.
struct AccountStore: Sendable {
    let account: String
    private(set) var profiles: [String: SandboxProfile] = [:]
    private(set) var eventsByIdentity: [String: [SandboxEvent]] = [:]
    private(set) var eventNames: Set<String> = []
    private(set) var eventCount = 0

    init(account: String) {
        self.account = account
    }

    /// Stores one validated record, or says why the account's limits refuse it.
    mutating func apply(_ record: UploadRecord, receivedAt: Int, limits: ValidationLimits) -> RecordRejection? {
        switch record {
        case .profile(let upsert):
            // One hashed access: merge in place, creating the profile on first sight.
            // A refusal leaves an existing profile untouched; a new one cannot be
            // refused because validation already bounds a single record.
            return profiles[upsert.identity, default: SandboxProfile(account: account, identity: upsert.identity)]
                .merge(upsert, timestamp: upsert.timestamp ?? receivedAt, limits: limits)
        case .event(let event):
            if !eventNames.contains(event.name) {
                guard eventNames.count < limits.maxEventNames else { return .eventNamesLimit(limits.maxEventNames) }
                eventNames.insert(event.name)
            }
            eventCount += 1
            let stored = SandboxEvent(
                sequence: eventCount,
                account: account,
                identity: event.identity,
                name: event.name,
                timestamp: event.timestamp ?? receivedAt,
                properties: event.properties
            )
            eventsByIdentity[event.identity, default: []].append(stored)
        }
        return nil
    }

    /// Every event in acceptance order.
    var allEvents: [SandboxEvent] {
        eventsByIdentity.values.joined().sorted { $0.sequence < $1.sequence }
    }
}
