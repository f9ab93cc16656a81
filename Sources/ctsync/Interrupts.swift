import Foundation
import Synchronization

/// SIGINT/SIGTERM: the first stops sending gracefully (in-flight requests finish
/// and are recorded, the report says aborted); a second exits at once.
final class InterruptWatcher: @unchecked Sendable {
    // `sources` is written once in init; the rest is synchronised.
    private let handler = Mutex<(@Sendable () -> Void)?>(nil)
    private let count = Atomic<Int>(0)
    private var sources: [any DispatchSourceSignal] = []

    init() {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [self] in
                if count.add(1, ordering: .relaxed).newValue > 1 { exit(130) }
                Terminal.error("\nctsync: stopping: waiting for requests in flight (interrupt again to quit at once)")
                handler.withLock { $0 }?()
            }
            source.resume()
            sources.append(source)
        }
    }

    var fired: Bool { count.load(ordering: .relaxed) > 0 }

    func onInterrupt(_ body: @escaping @Sendable () -> Void) {
        handler.withLock { $0 = body }
        if fired { body() }
    }
}
