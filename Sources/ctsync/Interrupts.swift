import Foundation
import Synchronization

/// SIGINT/SIGTERM: the first calls `onInterrupt` (the session stops sending
/// gracefully: in-flight requests finish and are recorded, the report says aborted);
/// a second exits at once.
final class InterruptWatcher {
    private let sources: [any DispatchSourceSignal]

    init(_ onInterrupt: @escaping @Sendable () -> Void) {
        let count = Count()
        sources = [SIGINT, SIGTERM].map { sig in
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                if count.value.add(1, ordering: .relaxed).newValue > 1 { exit(130) }
                Terminal.error("\nctsync: stopping: waiting for requests in flight (interrupt again to quit at once)")
                onInterrupt()
            }
            source.resume()
            return source
        }
    }

    private final class Count: Sendable {
        let value = Atomic<Int>(0)
    }

    func stop() {
        for source in sources { source.cancel() }
    }
}
