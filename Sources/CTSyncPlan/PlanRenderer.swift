import CTSyncSpec
import CTSyncSupport
import CleverTapContract

/// Renders a plan for people (text) and for machines (versioned JSON).
public enum PlanRenderer {
    public static let formatVersion = 1

    public static func json(_ summary: PlanSummary, spec: JobSpec, revealPII: Bool) -> String {
        let c = summary.counts
        let document: JSONValue = [
            "format_version": .int(formatVersion),
            "job": [
                "name": .string(spec.name.value), "file": .string(spec.file),
                "object": .string(spec.object.value.rawValue), "mode": .string(spec.mode.value.rawValue),
            ],
            "destination": destinationJSON(summary.destination),
            "state": baselineJSON(summary.baseline),
            "full": .bool(summary.full),
            "mapping_changed": .bool(summary.mappingChanged),
            "counts": [
                "source_rows": .int(c.sourceRows), "invalid": .int(c.invalid), "unchanged": .int(c.unchanged),
                "planned": .int(c.planned), "added": .int(c.added), "changed": .int(c.changed),
            ],
            "batches": .int(summary.batches),
            "rejected": rejectedJSON(summary.rejected, revealPII: revealPII),
        ]
        return document.serialized() + "\n"
    }

    /// Where records go; shared with the run report and `status`.
    package static func destinationJSON(_ destination: CleverTapDestination) -> JSONValue {
        [
            "account": .string(destination.account), "region": .string(destination.region),
            "endpoint": .string(destination.endpoint), "host": .string(destination.host),
            "production": .bool(destination.isProduction),
        ]
    }

    /// What state held for the job at its destination.
    static func baselineJSON(_ baseline: StateBaseline) -> JSONValue {
        [
            "baseline": .string(baseline.kind.rawValue),
            "changes": .array(
                baseline.changes.map { change in
                    [
                        "field": .string(change.field), "target": change.target.map(JSONValue.string) ?? .null,
                        "before": change.before.map(JSONValue.string) ?? .null,
                        "after": change.after.map(JSONValue.string) ?? .null,
                        "note": change.note.map(JSONValue.string) ?? .null,
                    ]
                }),
            "renamed_from": .array(baseline.renamedFrom.map(JSONValue.string)),
            "other_destinations": .array(baseline.otherDestinations.map(destinationJSON)),
            "unadopted_legacy_state": .bool(baseline.unadoptedLegacy),
        ]
    }

    /// Rejections grouped by reason, with their samples; shared with the run report.
    package static func rejectedJSON(_ log: RejectionLog, revealPII: Bool) -> JSONValue {
        var groups: [String: JSONValue] = [:]
        for (reason, group) in log.groups {
            groups[reason] = [
                "count": .int(group.count),
                "samples": .array(group.samples.map { sampleJSON($0, revealPII: revealPII) }),
            ]
        }
        return .object(groups)
    }

    static func sampleJSON(_ r: PlanRejection, revealPII: Bool) -> JSONValue {
        var sample: [String: JSONValue] = ["row": .int(r.line), "message": .string(r.message)]
        sample["key"] = Redaction.apply(r.primaryKey, reveal: revealPII).map(JSONValue.string) ?? .null
        sample["field"] = r.field.map(JSONValue.string) ?? .null
        return .object(sample)
    }

    public static func text(_ summary: PlanSummary, spec: JobSpec, revealPII: Bool) -> String {
        let c = summary.counts
        var out = "Destination: \(summary.destination)\n"
        out += "Plan for \(spec.name.value) (\(spec.file)): \(spec.object.value.rawValue), \(spec.mode.value.rawValue)\n"
        if summary.full { out += "  --full: state ignored, every valid row is planned\n" }
        for line in summary.baseline.messages(object: spec.object.value) { out += "  \(line)\n" }
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
            out += "\nRejected rows (\(summary.rejected.total)):\n"
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
        out += "\nPlan: \(c.added) to add, \(c.changed) to change, \(c.invalid) rejected, \(c.unchanged) unchanged.\n"
        return out
    }

    static func sampleText(_ r: PlanRejection, revealPII: Bool) -> String {
        var parts = ["row \(r.line)"]
        if let key = Redaction.apply(r.primaryKey, reveal: revealPII) { parts.append("key \(key)") }
        if let field = r.field { parts.append("field \(field)") }
        return parts.joined(separator: ", ") + ": " + r.message
    }
}

extension String {
    func padding(_ width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }
}
