import Foundation
import Synchronization

/// Writes acknowledgements to state off the sending path: one transaction per
/// batch, in the order responses arrive, on its own serial queue.
final class StateWriter: Sendable {
    private let store: any StateStore
    private let job: String
    private let spec: UInt64
    private let queue = DispatchQueue(label: "ctsync.state-writer")
    private let failure = Mutex<StateError?>(nil)

    init(store: any StateStore, job: String, spec: UInt64) {
        self.store = store
        self.job = job
        self.spec = spec
    }

    var error: StateError? { failure.withLock { $0 } }

    func write(_ records: [PlannedRecord]) {
        guard !records.isEmpty else { return }
        let acks = records.compactMap { $0.key.isEmpty ? nil : Acknowledgement(key: $0.key, hash: $0.hash) }
        guard !acks.isEmpty else { return }
        queue.async { [self] in
            guard failure.withLock({ $0 == nil }) else { return }
            do {
                try store.acknowledge(acks, job: job, spec: spec)
            } catch let error as StateError {
                failure.withLock { $0 = error }
            } catch {
                failure.withLock { $0 = .io(path: "state", message: "\(error)") }
            }
        }
    }

    /// Waits until every queued write is done.
    func drain() async {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume() }
        }
    }
}
