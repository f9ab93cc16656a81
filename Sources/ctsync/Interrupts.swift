import CTSyncSession
import Foundation
import Synchronization

/// Forwards SIGINT/SIGTERM to the run session and says what it does: the session
/// decides (`RunSession.interrupt`). The first stops gracefully; the second stops at
/// once, and the process quits without the report if the session has not finished
/// within its deadline; the third quits at once. Quitting exits 130.
final class InterruptWatcher {
    private let sources: [any DispatchSourceSignal]
    /// Set once the session has ended: a pending deadline no longer quits.
    private let finished = Flag()

    private final class Flag: Sendable {
        let value = Atomic<Bool>(false)
    }

    init(_ interrupt: @escaping @Sendable () -> InterruptResponse) {
        let queue = DispatchQueue(label: "ctsync.interrupts")
        var sources: [any DispatchSourceSignal] = []
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            sources.append(DispatchSource.makeSignalSource(signal: sig, queue: queue))
        }
        self.sources = sources
        let finished = finished
        for source in sources {
            source.setEventHandler {
                switch interrupt() {
                case .stopping:
                    Terminal.error(
                        "\nctsync: stopping: waiting for requests in flight (interrupt again to stop at once)")
                case .stoppingNow(let deadline):
                    Terminal.error(
                        "\nctsync: stopping now: cancelling requests in flight, then writing the report (interrupt again to quit without it)")
                    let seconds = Double(deadline.components.seconds)
                    queue.asyncAfter(deadline: .now() + seconds) {
                        guard !finished.value.load(ordering: .relaxed) else { return }
                        Terminal.error(
                            "ctsync: not stopped within \(Int(seconds)) s: quitting without the report (state shows the run interrupted)")
                        exit(130)
                    }
                case .quitNow:
                    Terminal.error(
                        "\nctsync: quitting at once without the report (state shows the run interrupted)")
                    exit(130)
                }
            }
            source.resume()
        }
    }

    func stop() {
        finished.value.store(true, ordering: .relaxed)
        for source in sources { source.cancel() }
    }
}
