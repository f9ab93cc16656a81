import CTSyncMapping
import CTSyncSpec
import CTSyncSupport

/// Renders a plan for people (text) and for machines (versioned JSON).
public enum PlanRenderer {
    /// 2 (ctsync 0.2): adds `destination` and `state`. Everything in version 1 is unchanged.
    public static let formatVersion = 2

    public static func json(_ summary: PlanSummary, spec: JobSpec, revealPII: Bool) -> String {
        JSONValue.document(PlanDocument(summary, spec: spec, revealPII: revealPII))
    }

    public static func text(
        _ summary: PlanSummary, spec: JobSpec, revealPII: Bool, rejects: RejectsFileSummary? = nil
    ) -> String {
        let c = summary.counts
        var out = "Destination: \(summary.destination)\n"
        out += "Plan for \(spec.name.value) (\(spec.file)): \(spec.object.value.rawValue), \(spec.mode.value.rawValue)\n"
        if summary.full { out += "  --full: state ignored, every valid row is planned\n" }
        for line in summary.baseline.messages(object: spec.object.value, resending: c.planned) { out += "  \(line)\n" }
        out += "\n"
        let rows: [(String, Int)] = [
            ("source rows", c.sourceRows), ("invalid", c.invalid), ("unchanged", c.unchanged), ("to add", c.added),
            ("to change", c.changed), ("batches", summary.batches),
        ]
        let width = rows.map(\.1).map { String($0).count }.max() ?? 1
        for (label, value) in rows {
            out += "  " + label.padding(12) + String(repeating: " ", count: width - String(value).count) + "\(value)\n"
        }
        if summary.rejected.total > 0 {
            // Rows once; a row with several problems is counted under each problem's reason.
            out += "\nRejected rows (\(c.invalid)):\n"
            for reason in summary.rejected.reasonsByCount {
                let group = summary.rejected.groups[reason]!
                out += "  \(reason) (\(group.count))\n"
                for sample in group.samples {
                    out += "    " + sampleText(sample, revealPII: revealPII) + "\n"
                }
                if group.count > group.samples.count {
                    out += "    … and \(group.count - group.samples.count) more\n"
                }
            }
        }
        if let rejects { out += "\nRejected rows: \(rejects.lines) lines in \(rejects.file)\n" }
        if let guards = summary.guards { out += guardsText(guards) }
        out += "\nPlan: \(c.added) to add, \(c.changed) to change, \(c.invalid) rejected, \(c.unchanged) unchanged.\n"
        return out
    }

    /// Each guard with its limit and figure, and what a run would do.
    static func guardsText(_ guards: GuardEvaluation) -> String {
        guard guards.policy != .skip else { return "\nGuards: not evaluated (--no-guards)\n" }
        var out = "\nGuards:\n"
        for check in guards.checks {
            let verdict = check.tripped ? "TRIPPED" : "ok"
            out += "  \(check.kind.rawValue.padding(16))\(verdict.padding(8))limit \(check.limitText): \(check.detail)\n"
        }
        if !guards.tripped.isEmpty {
            out +=
                guards.policy == .force
                ? "  --force: a run would send despite the tripped guards.\n"
                : "  A run would stop before sending anything (exit 3); --force sends anyway, --no-guards skips the guards.\n"
        }
        return out
    }

    static func sampleText(_ r: PlanRejection, revealPII: Bool) -> String {
        var parts = ["row \(r.line)"]
        if let key = Redaction.apply(r.primaryKey, reveal: revealPII) { parts.append("key \(key)") }
        if let field = r.field { parts.append("field \(field)") }
        var text = parts.joined(separator: ", ") + ": " + r.message
        if !r.otherProblems.isEmpty {
            text += "; also " + r.otherProblems.map(problemText).joined(separator: "; ")
        }
        return text
    }

    /// One further problem of a row, as its sample lists it: `[reason] field F: message`.
    static func problemText(_ problem: RowProblem) -> String {
        "[\(problem.reason)] " + (problem.field.map { "field \($0): " } ?? "") + problem.message
    }
}

extension String {
    func padding(_ width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }
}
