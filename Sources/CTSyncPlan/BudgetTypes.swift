import CTSyncSpec
import CleverTapContract

/// How much of one budget is used: what CleverTap acknowledged, and what runs still in
/// progress reserved (planned, not acknowledged yet).
public struct BudgetUse: Sendable, Equatable {
    public var acknowledged: Int
    public var reserved: Int
    public var limit: Int

    public init(acknowledged: Int, reserved: Int, limit: Int) {
        self.acknowledged = acknowledged
        self.reserved = reserved
        self.limit = limit
    }

    public var used: Int { acknowledged + reserved }
    public var remaining: Int { max(0, limit - used) }

    /// "512 of 512 used (500 acknowledged, 12 reserved)".
    public var summary: String { "\(used) of \(limit) used (\(acknowledged) acknowledged, \(reserved) reserved)" }
}

/// What state holds of one destination's event names: each name CleverTap acknowledged
/// or a live run reserved, with its property keys. A run that finished (or was marked
/// interrupted) holds no reservations: they are released.
public struct BudgetSnapshot: Sendable, Equatable {
    public struct Event: Sendable, Equatable {
        /// Whether CleverTap acknowledged a record with this name (else it is only reserved).
        public var acknowledged: Bool
        public var acknowledgedKeys: Set<String>
        /// Keys runs in progress reserved and CleverTap has not acknowledged yet.
        public var reservedKeys: Set<String>

        public init(acknowledged: Bool, acknowledgedKeys: Set<String> = [], reservedKeys: Set<String> = []) {
            self.acknowledged = acknowledged
            self.acknowledgedKeys = acknowledgedKeys
            self.reservedKeys = reservedKeys
        }

        public func keyUse(limit: Int) -> BudgetUse {
            BudgetUse(
                acknowledged: acknowledgedKeys.count, reserved: reservedKeys.subtracting(acknowledgedKeys).count,
                limit: limit)
        }
    }

    public var events: [String: Event]
    /// The budgets the last run to the destination declared (`destination.limits`);
    /// nil before a run recorded them.
    public var limits: AccountLimits?

    public init(events: [String: Event] = [:], limits: AccountLimits? = nil) {
        self.events = events
        self.limits = limits
    }

    public func nameUse(limit: Int) -> BudgetUse {
        let acknowledged = events.values.count(where: \.acknowledged)
        return BudgetUse(acknowledged: acknowledged, reserved: events.count - acknowledged, limit: limit)
    }
}

/// A run's request to spend budget on one record: its event name (new to the run) and
/// the property keys it carries that the run has not counted for that name yet.
public struct BudgetRequest: Sendable, Hashable {
    public var eventName: String
    public var keys: [String]

    public init(eventName: String, keys: [String]) {
        self.eventName = eventName
        self.keys = keys
    }
}

/// A state store's answer to a `BudgetRequest`: reserved for the run (or already
/// acknowledged), or refused with the budget's use. A refusal reserves nothing.
public enum BudgetDecision: Sendable, Equatable {
    case granted
    /// The event name is new and the destination's names are used up.
    case eventNamesExhausted(BudgetUse)
    /// The record's new keys would take its event name past its property budget.
    case propertiesExhausted(BudgetUse, newKeys: [String])
}

/// Names and keys CleverTap acknowledged in records of one run: recorded as acknowledged,
/// and the run's reservations of them dropped, in the transaction of the acknowledgements.
public struct BudgetAcknowledgement: Sendable, Equatable {
    public var destination: CleverTapDestination
    public var run: String
    /// Event name to the keys acknowledged with it.
    public var events: [String: Set<String>]

    public init(destination: CleverTapDestination, run: String, events: [String: Set<String>]) {
        self.destination = destination
        self.run = run
        self.events = events
    }
}
