import CTSyncSpec
import CleverTapContract
import Synchronization

/// One job's view of its destination's account-wide budgets: the event names the
/// account may have and the property keys each event name may have
/// (`destination.limits`), counted across runs and processes in state.
///
/// For a run, a record whose event name or keys are new to the run reserves them in
/// state first (`StateStore.reserve`, one transaction that counts what every live run
/// reserved), so two processes planning at once never both spend the last names; the
/// reservations become acknowledged names and keys when CleverTap acknowledges a
/// record carrying them (``acknowledgement(of:)``), and the rest are released at the end
/// of the run (``release()``), or when a later run finds the run finished.
///
/// For `plan` (no run), nothing is written: the budget counts in memory against what
/// state holds, and may be shared by the jobs of one plan.
///
/// Once refused, an event name stays refused for the rest of the run, so every row of
/// it is rejected alike.
public final class EventBudget: Sendable {
    public let destination: CleverTapDestination
    public let limits: AccountLimits
    private let store: (any StateStore)?
    /// The run that reserves; nil for a plan.
    public let run: String?
    private let ledger = Mutex(Ledger())

    private struct Ledger {
        var loaded = false
        /// What state held when the budget was loaded; a plan also adds what it counted.
        var snapshot = BudgetSnapshot()
        /// A run's names with the keys it counted (acknowledged, or reserved by the run).
        var counted: [String: Set<String>] = [:]
        /// Names and keys the run reserved that CleverTap has not acknowledged yet.
        var pendingNames: Set<String> = []
        var pendingKeys: [String: Set<String>] = [:]
        /// Refusals already given: an event name, or a name with a set of new keys.
        var refusedNames: [String: String] = [:]
        var refusedKeys: [BudgetRequest: String] = [:]
    }

    public init(
        store: (any StateStore)?, destination: CleverTapDestination, limits: AccountLimits, run: String?
    ) {
        self.store = store
        self.destination = destination
        self.limits = limits
        self.run = run
    }

    /// Nil when a record of event `name` carrying `keys` fits the budgets (for a run,
    /// what it needs is reserved); else why it is rejected.
    public func admit(eventName name: String, keys: [String]) throws(StateError) -> (RejectReason, String)? {
        try load()
        guard let run, let store else { return admitInMemory(name, keys) }
        // Only the plan's reading thread admits records of a run: the store's answer is
        // applied without the lock held across the call.
        let request: BudgetRequest? = ledger.withLock { ledger in
            if ledger.refusedNames[name] != nil { return nil }
            let counted = ledger.counted[name]
            let new = counted.map { known in keys.filter { !known.contains($0) } } ?? keys
            if counted != nil && new.isEmpty { return nil }
            return BudgetRequest(eventName: name, keys: new.sorted())
        }
        guard let request else {
            return ledger.withLock { ledger in ledger.refusedNames[name].map { (.tooManyEventNames, $0) } }
        }
        if let message = ledger.withLock({ $0.refusedKeys[request] }) { return (.tooManyEventProperties, message) }
        let decision = try store.reserve(request, at: destination, run: run, limits: limits)
        return ledger.withLock { ledger in
            switch decision {
            case .granted:
                let known = ledger.snapshot.events[name]
                if known?.acknowledged != true { ledger.pendingNames.insert(name) }
                let pending = request.keys.filter { !(known?.acknowledgedKeys.contains($0) ?? false) }
                if !pending.isEmpty { ledger.pendingKeys[name, default: []].formUnion(pending) }
                ledger.counted[name, default: []].formUnion(request.keys)
                return nil
            case .eventNamesExhausted(let use):
                let message = Self.nameMessage(name, use: use, destination: destination)
                ledger.refusedNames[name] = message
                return (.tooManyEventNames, message)
            case .propertiesExhausted(let use, let newKeys):
                let message = Self.keysMessage(name, newKeys: newKeys, use: use)
                ledger.refusedKeys[request] = message
                return (.tooManyEventProperties, message)
            }
        }
    }

    /// A plan's check: counts against the snapshot, adding what fits to it.
    private func admitInMemory(_ name: String, _ keys: [String]) -> (RejectReason, String)? {
        ledger.withLock { ledger in
            if let message = ledger.refusedNames[name] { return (.tooManyEventNames, message) }
            let known = ledger.snapshot.events[name]
            if known == nil {
                let use = ledger.snapshot.nameUse(limit: limits.eventNames)
                if use.used >= use.limit {
                    let message = Self.nameMessage(name, use: use, destination: destination)
                    ledger.refusedNames[name] = message
                    return (.tooManyEventNames, message)
                }
            }
            var event = known ?? BudgetSnapshot.Event(acknowledged: false)
            let new = keys.filter { !event.acknowledgedKeys.contains($0) && !event.reservedKeys.contains($0) }
            let use = event.keyUse(limit: limits.propertiesPerEvent)
            if use.used + new.count > use.limit {
                return (.tooManyEventProperties, Self.keysMessage(name, newKeys: new.sorted(), use: use))
            }
            event.reservedKeys.formUnion(new)
            ledger.snapshot.events[name] = event
            return nil
        }
    }

    /// Loads what state holds, once; a run first releases the reservations of finished
    /// runs and records its limits.
    private func load() throws(StateError) {
        guard !ledger.withLock({ $0.loaded }) else { return }
        var snapshot = BudgetSnapshot()
        if let store {
            if let run {
                snapshot = try store.beginBudget(at: destination, run: run, limits: limits)
            } else {
                snapshot = try store.budget(at: destination, run: nil)
            }
        }
        ledger.withLock { ledger in
            guard !ledger.loaded else { return }
            ledger.loaded = true
            ledger.snapshot = snapshot
            if run != nil {
                for (name, event) in snapshot.events where event.acknowledged {
                    ledger.counted[name] = event.acknowledgedKeys
                }
            }
        }
    }

    /// Of the event names and keys in records CleverTap acknowledged, those the run
    /// reserved and state does not hold as acknowledged yet: what to record with the
    /// acknowledgements. Nil when there is nothing (the usual case after a first run).
    public func acknowledgement(of events: [String: Set<String>]) -> BudgetAcknowledgement? {
        guard let run else { return nil }
        let found = ledger.withLock { ledger -> [String: Set<String>] in
            if ledger.pendingNames.isEmpty && ledger.pendingKeys.isEmpty { return [:] }
            var found: [String: Set<String>] = [:]
            for (name, keys) in events {
                let pendingKeys = ledger.pendingKeys[name].map { keys.intersection($0) } ?? []
                if ledger.pendingNames.contains(name) || !pendingKeys.isEmpty { found[name] = pendingKeys }
            }
            return found
        }
        return found.isEmpty ? nil : BudgetAcknowledgement(destination: destination, run: run, events: found)
    }

    /// Whether the run reserved names or keys CleverTap has not acknowledged yet.
    public var hasPending: Bool {
        ledger.withLock { !$0.pendingNames.isEmpty || !$0.pendingKeys.isEmpty }
    }

    /// State recorded `acknowledgement`: its names and keys are no longer pending.
    public func recorded(_ acknowledgement: BudgetAcknowledgement) {
        ledger.withLock { ledger in
            for (name, keys) in acknowledgement.events {
                ledger.pendingNames.remove(name)
                ledger.pendingKeys[name]?.subtract(keys)
                if ledger.pendingKeys[name]?.isEmpty == true { ledger.pendingKeys[name] = nil }
            }
        }
    }

    /// Releases what the run reserved and CleverTap did not acknowledge.
    public func release() throws(StateError) {
        guard let run, let store, ledger.withLock({ $0.loaded }) else { return }
        try store.releaseReservations(run: run)
    }

    static func nameMessage(_ name: String, use: BudgetUse, destination: CleverTapDestination) -> String {
        "event name budget: \(use.summary) for account \(destination.account) (\(destination.region)); \"\(name)\" is a new event name and would pass it (destination.limits.event_names; CleverTap keeps \(CleverTapRules.maxEventNames) an account, its system events included)"
    }

    static func keysMessage(_ name: String, newKeys: [String], use: BudgetUse) -> String {
        let shown = newKeys.prefix(5).map { "\"\($0)\"" }.joined(separator: ", ") + (newKeys.count > 5 ? ", …" : "")
        return
            "property budget of event \"\(name)\": \(use.summary); the row adds \(newKeys.count) new key\(newKeys.count == 1 ? "" : "s") (\(shown)) and would pass it (destination.limits.properties_per_event)"
    }
}
