import CTSyncSession
import CTSyncUpload
import Foundation
import Synchronization

/// Renders a run session's events on stderr: a progress line for the running job
/// (live on a terminal, every few seconds in CI logs), then each job's summary.
final class ProgressDisplay: Sendable {
    private let enabled: Bool
    private let printer = Mutex<(ProgressPrinter, Task<Void, Never>)?>(nil)

    init(enabled: Bool) {
        self.enabled = enabled
    }

    func show(_ event: RunEvent) {
        switch event {
        case .started(let job, let destination, let notes, let progress):
            // Where a run sends is never left unsaid, even with --quiet.
            Terminal.error("ctsync run: \(job): sending to \(destination)")
            for note in notes { Terminal.error("ctsync run: \(job): \(note)") }
            guard enabled else { return }
            let reporter = ProgressPrinter(progress: progress)
            let task = Task { await reporter.run() }
            printer.withLock { $0 = (reporter, task) }
        case .waitingForLease(let job, let holder):
            Terminal.error(
                "ctsync run: \(job): another ctsync process is running it (\(holder?.description ?? "holder unknown")); waiting for it to finish (--wait-for-lock)"
            )
        case .notRun(let job, let reason):
            Terminal.error("ctsync run: \(job): not run: \(reason)")
        case .warning(let job, let message):
            Terminal.error("ctsync run: \(job): warning: \(message)")
        case .finished(let report, let path, let error):
            if let (reporter, task) = printer.withLock({ value in defer { value = nil }; return value }) {
                task.cancel()
                reporter.finish()
            }
            if let error { Terminal.error("ctsync run: \(error)") }
            Terminal.error(report.summary(reportPath: path))
        }
    }
}
