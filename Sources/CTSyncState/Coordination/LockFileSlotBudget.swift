import Foundation
import CTSyncSupport
import Synchronization

/// An account's request slots shared by the processes of one machine: one lock
/// file a slot (`slot-00` … `slot-14`), held with flock(2) for the time of one
/// request, plus one member file a process.
///
/// Fair share, as with PostgreSQL: while another process is waiting, a process
/// takes no more than the capacity divided among the processes holding or
/// waiting for slots. A slot file says who holds it; `member-<id>` is locked by
/// its live process, and `waiting-<id>` while that process waits for a slot.
final class LockFileSlotBudget: SlotBudget {
    private let slots: LockFileSlots
    private let queue: SlotWaitQueue

    /// - Parameter failed: told (before `acquire` throws) when the lock files cannot be used.
    init(
        directory: String, capacity: Int, identity: HolderIdentity,
        failed: @escaping @Sendable (CoordinationError) -> Void
    ) {
        let slots = LockFileSlots(directory: directory, capacity: capacity, identity: identity)
        self.slots = slots
        queue = SlotWaitQueue(
            attempt: { () throws(CoordinationError) -> Int? in
                do throws(CoordinationError) {
                    return try slots.attempt()
                } catch {
                    failed(error)
                    throw error
                }
            },
            waiting: { waiting in slots.setWaiting(waiting) })
    }

    func acquire() async throws(CoordinationError) -> Int {
        try await queue.acquire()
    }

    func release(_ slot: Int) {
        slots.release(slot)
        let queue = self.queue
        Task { await queue.nudge() }
    }

    /// Gives every slot back and leaves the account.
    func close() {
        slots.close()
    }
}

/// The slot, member and waiting files of one account, as this process holds them.
private final class LockFileSlots: Sendable {
    private let directory: String
    private let capacity: Int
    private let identity: HolderIdentity
    private let state = Mutex<State>(State())

    private struct State {
        var slots: [LockFile] = []
        var held: Set<Int> = []
        var member: LockFile?
        var waitingFlag: LockFile?
        var joined = false
        var waitingCache: (at: ContinuousClock.Instant, holders: Set<String>)?
    }

    init(directory: String, capacity: Int, identity: HolderIdentity) {
        self.directory = directory
        self.capacity = capacity
        self.identity = identity
    }

    func release(_ slot: Int) {
        state.withLock { state in
            guard state.held.remove(slot) != nil else { return }
            state.slots[slot].unlock()
        }
    }

    func close() {
        state.withLock { state in
            for slot in state.held { state.slots[slot].unlock() }
            state.held = []
            for file in [state.member, state.waitingFlag].compactMap({ $0 }) {
                unlink(file.path)
                file.close()
            }
            state.member = nil
            state.waitingFlag = nil
        }
    }

    // MARK: - One attempt

    func attempt() throws(CoordinationError) -> Int? {
        try state.withLock { (state: inout State) throws(CoordinationError) -> Int? in
            if !state.joined { try join(&state) }
            let held = state.held.count
            if held >= capacity { return nil }
            let waiting = try waitingMembers(&state)
            var candidate: Int?
            var busyHolders: Set<String> = []
            let start = Int.random(in: 0..<capacity)
            for offset in 0..<capacity {
                let index = (start + offset) % capacity
                if state.held.contains(index) { continue }
                if try state.slots[index].tryLock() {
                    if candidate == nil {
                        candidate = index
                    } else {
                        state.slots[index].unlock()
                    }
                    // Nobody waits: any free slot will do, no need to look further.
                    if waiting.isEmpty { break }
                } else {
                    let holder = state.slots[index].read(limit: 64)
                    if !holder.isEmpty { busyHolders.insert(holder) }
                }
            }
            var share = capacity
            if !waiting.isEmpty || candidate == nil {
                let others = busyHolders.union(waiting).subtracting([identity.id])
                share = (capacity + others.count) / (others.count + 1)
            }
            if let index = candidate {
                if held >= share && !waiting.isEmpty {
                    state.slots[index].unlock()
                    return nil
                }
                state.slots[index].write(identity.id)
                state.held.insert(index)
                return index
            }
            return nil
        }
    }

    /// Shows the other processes that this one waits for a slot (or no longer does).
    func setWaiting(_ waiting: Bool) {
        state.withLock { state in
            guard let flag = state.waitingFlag else { return }
            // Others hold it (shared) only for the moment they look: wait for that.
            if waiting { try? flag.lock() } else { flag.unlock() }
        }
    }

    private func join(_ state: inout State) throws(CoordinationError) {
        do {
            try PrivateFile.makeDirectory(directory)
        } catch {
            throw .io(path: directory, message: error.reason)
        }
        state.slots = try (0..<capacity).map { index throws(CoordinationError) in
            try LockFile(path: directory + String(format: "/slot-%02d", index))
        }
        // Locked before it gets its name, so nobody sees it unlocked and takes it for stale.
        let member = try LockFile(path: directory + "/.joining-" + identity.id)
        _ = try member.tryLock()
        try member.rename(to: directory + "/member-" + identity.id)
        state.member = member
        state.waitingFlag = try LockFile(path: directory + "/waiting-" + identity.id)
        state.joined = true
    }

    /// Holder IDs of the other live processes waiting for a slot, at most 50 ms old;
    /// files left by dead processes are removed on the way.
    private func waitingMembers(_ state: inout State) throws(CoordinationError) -> Set<String> {
        let now = ContinuousClock.now
        if let cache = state.waitingCache, now - cache.at < .milliseconds(50) { return cache.holders }
        var waiting: Set<String> = []
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for name in names where name.hasPrefix("member-") {
            let holder = String(name.dropFirst("member-".count))
            if holder == identity.id { continue }
            guard let member = try LockFile.existing(path: directory + "/" + name) else { continue }
            defer { member.close() }
            if try member.tryLock(shared: true) {
                // Nobody holds it: its process is gone.
                unlink(directory + "/" + name)
                unlink(directory + "/waiting-" + holder)
                continue
            }
            guard let flag = try LockFile.existing(path: directory + "/waiting-" + holder) else { continue }
            defer { flag.close() }
            if !(try flag.tryLock(shared: true)) { waiting.insert(holder) }
        }
        state.waitingCache = (now, waiting)
        return waiting
    }
}
