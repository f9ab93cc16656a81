import CTSyncSpec
import Foundation
import CTSyncSupport
import CleverTapContract

/// What state holds for a job at its destination before a plan: which state the plan
/// diffs against, and what the plan says about it ("no earlier run to this
/// destination", "mapping to Phone: transform … → …", a renamed job).
public struct StateBaseline: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        /// No state for the job at this destination: every row is new.
        case noState = "no_state"
        /// State exists for this destination, but no run to it has completed yet.
        case noCompletedRun = "no_completed_run"
        /// The last completed run had the same spec.
        case unchanged
        /// State written before destinations were recorded, whose fingerprint matches
        /// this job and destination: this run adopts it (a plan only reads it).
        case adopted
        /// The spec changed since the last completed run to this destination.
        case specChanged = "spec_changed"
    }

    public var kind: Kind
    /// The state the plan diffs against; nil for none.
    public var readFrom: JobKey?
    /// For `specChanged`: what changed. Empty when the earlier state was written
    /// before ctsync kept specs: it can only say that the mappings changed.
    public var changes: [SpecChange] = []
    /// For `noState`: jobs of the same source and destination under another name.
    public var renamedFrom: [String] = []
    /// For `noState`: the destinations state holds this job's runs to.
    public var otherDestinations: [CleverTapDestination] = []
    /// For `noState`: state from before destinations were recorded exists for this
    /// job name, for another destination or other mappings, and is not used.
    public var unadoptedLegacy = false
    /// The job's last run to this destination, when it did not finish its plan: aborted
    /// (an interrupt, an unreachable host, …) or never finished (killed, or still running).
    public var unfinishedRun: RunRecord?

    public init(kind: Kind, readFrom: JobKey?) {
        self.kind = kind
        self.readFrom = readFrom
    }

    /// No state at all (no state file or database yet).
    public static let none = StateBaseline(kind: .noState, readFrom: nil)

    /// Looks the job up in `store`: the state at `destination`; else schema-1 state
    /// whose legacy fingerprint matches; else none, with what may explain it (a
    /// renamed job, other destinations).
    public static func resolve(
        store: (any StateStore)?, job name: String, destination: CleverTapDestination, spec: CanonicalSpec,
        legacyFingerprint: UInt64, source: String
    ) throws(StateError) -> StateBaseline {
        guard let store else { return .none }
        let jobs = try store.jobs(named: name)
        if let exact = jobs.first(where: { $0.key.destination == destination }) {
            var baseline: StateBaseline
            if let stored = exact.fingerprint {
                if stored == spec.fingerprint || (exact.spec == nil && stored == legacyFingerprint) {
                    baseline = StateBaseline(kind: .unchanged, readFrom: exact.key)
                } else {
                    baseline = StateBaseline(kind: .specChanged, readFrom: exact.key)
                    baseline.changes = exact.spec.map { spec.changes(from: $0) } ?? []
                }
            } else {
                baseline = StateBaseline(kind: .noCompletedRun, readFrom: exact.key)
            }
            if let last = try store.lastRun(job: exact.key, matching: .any), last.outcome.map(\.isUnfinished) ?? true {
                baseline.unfinishedRun = last
            }
            return baseline
        }
        if let legacy = jobs.first(where: { $0.key.destination == nil }), legacy.fingerprint == legacyFingerprint {
            return StateBaseline(kind: .adopted, readFrom: legacy.key)
        }
        var baseline = StateBaseline.none
        baseline.otherDestinations = jobs.compactMap(\.key.destination)
        baseline.unadoptedLegacy = jobs.contains { $0.key.destination == nil }
        baseline.renamedFrom = try store.allJobs()
            .filter { $0.key.name != name && $0.key.destination == destination && $0.source == source }
            .map(\.key.name)
        return baseline
    }

    /// Whether the plan treats the job's mappings or destination as changed.
    public var specChanged: Bool { kind == .specChanged }

    /// What a plan or run says about the job's state, one sentence a line. `resending`:
    /// for a plan, the records it plans, which a run after an unfinished one resends.
    public func messages(object: ObjectType, resending: Int? = nil) -> [String] {
        var lines = kindMessages(object: object)
        if let run = unfinishedRun { lines.insert(Self.unfinishedMessage(run, resending: resending), at: 0) }
        return lines
    }

    /// "the previous run of crm (started …) was aborted after sending 3000 of 5000
    /// planned records (2000 acknowledged); …".
    static func unfinishedMessage(_ run: RunRecord, resending: Int?) -> String {
        let started = ISO8601DateFormatter.string(
            from: run.startedAt, timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withInternetDateTime])
        var text = "the previous run of \(run.job.name) (started \(started)) "
        if let counts = run.counts, run.outcome == .aborted {
            text +=
                "was aborted after sending \(counts.sent) of \(counts.planned) planned records "
                + "(\(counts.succeeded) acknowledged)"
        } else {
            text += "never finished (it was killed, or it is still running)"
        }
        if let resending {
            text += "; a run now resends the \(resending) records not acknowledged"
        } else {
            text += "; this run resends the records not acknowledged (its summary counts them as planned)"
        }
        return text
    }

    private func kindMessages(object: ObjectType) -> [String] {
        switch kind {
        case .noState:
            var lines = ["no earlier run to this destination: every row is new"]
            for old in renamedFrom {
                lines.append(
                    "no state for this job: was it renamed? state holds job \"\(old)\" with the same source and destination; `ctsync state rename \(old) NEW` moves its state to the new name"
                )
            }
            if !otherDestinations.isEmpty {
                lines.append(
                    "state holds this job's runs to another destination: "
                        + otherDestinations.map(\.description).joined(separator: "; "))
            }
            if unadoptedLegacy {
                lines.append(
                    "state holds keys of this job written by an earlier ctsync (which did not record destinations) under other mappings or for another destination; they are not used"
                )
            }
            return lines
        case .noCompletedRun:
            return ["no completed run to this destination yet; keys acknowledged by earlier attempts are not sent again"]
        case .unchanged:
            return []
        case .adopted:
            return [
                "state written by an earlier ctsync (before destinations were recorded) matches this job's spec and destination; it is used, and the next run records it under this destination"
            ]
        case .specChanged:
            let effect =
                object == .profiles
                ? "full resync of profiles" : "events already sent are not re-sent"
            if changes.isEmpty {
                return ["mappings changed since the last run (state written by an earlier ctsync cannot say which): \(effect)"]
            }
            return ["spec changed since the last run to this destination (\(effect)):"]
                + changes.map { "  " + $0.description }
        }
    }
}

/// What identifies a job's source across a rename of the job: the file as the job
/// names it, or the command. Kept in state as a hash: a command may hold secrets.
public enum SourceIdentity {
    public static func of(_ spec: JobSpec) -> String {
        let text: String
        switch spec.source.input {
        case .file(let written, _): text = "file:" + written.value
        case .command(let command): text = "command:" + command.value
        }
        return String(format: "%016llx", RecordHash(bytes: Array(text.utf8)).high)
    }
}
