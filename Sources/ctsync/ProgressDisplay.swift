import CTSyncSession
import CTSyncUpload
import Foundation
import Synchronization

/// Renders a run session's events on stderr: one progress line per running job
/// (redrawn in place on a terminal, printed every few seconds in CI logs), each
/// job's messages and its summary when it ends. Jobs running at once report from
/// their own tasks; everything shown goes through one lock, a whole line at a time.
final class ProgressDisplay: Sendable {
    private let enabled: Bool
    private let live = Terminal.stderrIsTerminal
    private let state = Mutex(State())

    private struct State {
        /// The running jobs' progress, in the order they started.
        var jobs: [(name: String, progress: RunProgress)] = []
        var ticker: Task<Void, Never>?
    }

    init(enabled: Bool) {
        self.enabled = enabled
    }

    func show(_ event: RunEvent) {
        switch event {
        case .started(let job, let destination, let notes, let progress):
            // Where a run sends is never left unsaid, even with --quiet.
            say(["ctsync run: \(job): sending to \(destination)"] + notes.map { "ctsync run: \(job): \($0)" }) { state in
                guard enabled else { return }
                state.jobs.append((job, progress))
                if state.ticker == nil { state.ticker = startTicker() }
            }
        case .waitingForLease(let job, let holder):
            say([
                "ctsync run: \(job): another ctsync process is running it (\(holder?.description ?? "holder unknown")); waiting for it to finish (--wait-for-lock)"
            ])
        case .notRun(let job, let reason):
            say(["ctsync run: \(job): not run: \(reason)"])
        case .warning(let job, let message):
            say(["ctsync run: \(job): warning: \(message)"])
        case .finished(let report, let path, let error):
            say((error.map { ["ctsync run: \($0)"] } ?? []) + [report.summary(reportPath: path)]) { state in
                state.jobs.removeAll { $0.name == report.jobName }
                if state.jobs.isEmpty {
                    state.ticker?.cancel()
                    state.ticker = nil
                }
            }
        }
    }

    /// Prints `lines` (each whole) after `change` updates the running jobs, then
    /// redraws the live lines: all under the display's lock.
    private func say(_ lines: [String], _ change: (inout State) -> Void = { _ in }) {
        state.withLock { state in
            change(&state)
            for line in lines { Terminal.error(line) }
            if live { Terminal.live(Self.lines(of: state)) }
        }
    }

    private func startTicker() -> Task<Void, Never> {
        let interval = ProgressPrinter.interval(live: live)
        return Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard let self, !Task.isCancelled else { return }
                tick()
            }
        }
    }

    /// The progress lines again: redrawn on a terminal, printed anew otherwise.
    private func tick() {
        state.withLock { state in
            guard state.ticker?.isCancelled == false else { return }
            let lines = Self.lines(of: state)
            if live {
                Terminal.live(lines)
            } else {
                for line in lines { Terminal.error(line) }
            }
        }
    }

    private static func lines(of state: State) -> [String] {
        state.jobs.map { ProgressPrinter.line($0.progress.snapshot) }
    }
}
