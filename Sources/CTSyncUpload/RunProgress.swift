import Foundation
import Synchronization

/// Live counters of a run, polled by the CLI for its progress bar; the core never prints.
public final class RunProgress: Sendable {
    public struct Snapshot: Sendable {
        public var job = ""
        public var rowsRead = 0
        public var planned = 0
        public var sent = 0
        public var succeeded = 0
        public var rejected = 0
        public var failed = 0
        public var planFinished = false
        public var started = Date()
    }

    private let state = Mutex(Snapshot())

    public init() {}

    public var snapshot: Snapshot { state.withLock { $0 } }

    func update(_ body: (inout Snapshot) -> Void) {
        state.withLock { body(&$0) }
    }
}
