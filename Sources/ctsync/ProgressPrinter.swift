import Foundation
import CTSyncUpload

/// Progress on stderr: a live line on a terminal, a plain line every few seconds in CI logs.
final class ProgressPrinter: Sendable {
    let progress: RunProgress
    let live: Bool

    init(progress: RunProgress) {
        self.progress = progress
        live = Terminal.stderrIsTerminal
    }

    func run() async {
        let interval: Duration = live ? .milliseconds(250) : .seconds(5)
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            if Task.isCancelled { break }
            let line = ProgressPrinter.line(progress.snapshot)
            if live {
                Terminal.error("\r\u{1B}[2K" + line, newline: false)
            } else {
                Terminal.error(line)
            }
        }
    }

    func finish() {
        if live { Terminal.error("\r\u{1B}[2K", newline: false) }
    }

    static func line(_ s: RunProgress.Snapshot) -> String {
        let elapsed = max(0.001, Date().timeIntervalSince(s.started))
        let rate = Double(s.succeeded + s.rejected + s.failed) / elapsed
        let done = s.succeeded + s.rejected + s.failed
        var text = "\(s.job): \(s.rowsRead) rows read, \(s.sent) sent, \(s.succeeded) acknowledged"
        if s.rejected + s.failed > 0 { text += ", \(s.rejected) rejected, \(s.failed) failed" }
        text += String(format: ", %.0f records/s", rate)
        if s.planFinished && s.planned > 0 {
            let share = min(1, Double(done) / Double(s.planned))
            let width = 20
            let filled = Int(share * Double(width))
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            text = "[\(bar)] \(Int(share * 100))% " + text
            if rate > 0 {
                let eta = Int(Double(s.planned - done) / rate)
                text += String(format: ", ETA %d:%02d", eta / 60, eta % 60)
            }
        }
        return text
    }
}
