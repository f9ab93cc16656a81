import Foundation
import CTSyncUpload

/// The text of a running job's progress line.
enum ProgressPrinter {
    /// How often the lines are shown: redrawn in place on a terminal, printed anew in CI logs.
    static func interval(live: Bool) -> Duration { live ? .milliseconds(250) : .seconds(5) }

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
