import Synchronization
import CleverTapContract

/// CleverTap keeps at most 512 event names per account. Shared by every job of one
/// account in a process, so the limit holds across the whole plan.
public final class EventNameBudget: Sendable {
    private let names = Mutex<Set<String>>([])
    public let limit: Int

    public init(limit: Int = CleverTapRules.maxEventNames) {
        self.limit = limit
    }

    /// Whether `name` fits: already seen, or a new name within the limit (then recorded).
    public func admit(_ name: String) -> Bool {
        names.withLock { names in
            if names.contains(name) { return true }
            guard names.count < limit else { return false }
            names.insert(name)
            return true
        }
    }
}
