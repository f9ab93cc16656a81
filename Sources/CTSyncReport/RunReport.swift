import Foundation
import CTSyncPlan
import CTSyncSpec
import CTSyncSupport
import CleverTapContract

/// How a run ended.
public enum RunStatus: String, Sendable, Codable, CaseIterable {
    /// Every planned record acknowledged, nothing rejected.
    case succeeded
    /// Finished; some rows were invalid or rejected by CleverTap.
    case completedWithErrors = "completed_with_errors"
    /// Some records could not be delivered (retries exhausted, permanent HTTP errors).
    case failed
    /// Stopped before the plan was sent: credentials, region, source command, state, or an interrupt.
    case aborted
}

/// Counts of a run. Always `sourceRows == invalid + unchanged + planned`, and unless
/// aborted `planned == succeeded + rejected + failed`.
public struct RunCounts: Sendable, Equatable {
    public var plan = PlanCounts()
    public var sent = 0
    public var succeeded = 0
    public var rejected = 0
    public var failed = 0
    public var possiblyDuplicated = 0

    public init(
        plan: PlanCounts = PlanCounts(), sent: Int = 0, succeeded: Int = 0, rejected: Int = 0, failed: Int = 0, possiblyDuplicated: Int = 0
    ) {
        self.plan = plan
        self.sent = sent
        self.succeeded = succeeded
        self.rejected = rejected
        self.failed = failed
        self.possiblyDuplicated = possiblyDuplicated
    }
}

/// The versioned JSON record of one job's run, for CI pipelines and people.
public struct RunReport: Sendable {
    /// 2 (ctsync 0.2): adds `destination`. Everything in version 1 is unchanged.
    public static let formatVersion = 2

    public var runID: String
    public var jobName: String
    public var jobFile: String
    public var specHash: String
    public var object: ObjectType
    public var mode: SyncMode
    public var region: Region
    public var endpoint: String
    public var status: RunStatus
    public var startedAt: Date
    public var finishedAt: Date
    public var counts: RunCounts
    public var http: HTTPStats
    public var mappingChanged: Bool
    public var full: Bool
    /// Why the run stopped early, for aborted runs.
    public var abortReason: String?
    public var maxRejected: RejectionThreshold
    /// Rejections and failures grouped by code, with bounded samples.
    public var errors: RejectionLog
    /// Whether the rejected/failed rows exceed `max_rejected` (exit 1).
    public var overThreshold: Bool
    /// Where the records went (account, region, normalised endpoint).
    public var destination: CleverTapDestination?
    /// The job's guards against its plan; nil when the job has none.
    public var guards: GuardEvaluation?
    /// The rejects file (`--rejects`) and the lines this job wrote to it; nil when not asked for.
    public var rejects: RejectsFileSummary?

    public init(
        runID: String, jobName: String, jobFile: String, specHash: String, object: ObjectType, mode: SyncMode, region: Region, endpoint: String, status: RunStatus, startedAt: Date, finishedAt: Date, counts: RunCounts, http: HTTPStats, mappingChanged: Bool, full: Bool, abortReason: String?, maxRejected: RejectionThreshold, errors: RejectionLog, overThreshold: Bool
    ) {
        self.runID = runID
        self.jobName = jobName
        self.jobFile = jobFile
        self.specHash = specHash
        self.object = object
        self.mode = mode
        self.region = region
        self.endpoint = endpoint
        self.status = status
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.counts = counts
        self.http = http
        self.mappingChanged = mappingChanged
        self.full = full
        self.abortReason = abortReason
        self.maxRejected = maxRejected
        self.errors = errors
        self.overThreshold = overThreshold
    }

    public var durationSeconds: Double { finishedAt.timeIntervalSince(startedAt) }

    public var recordsPerSecond: Double {
        durationSeconds > 0 ? Double(counts.succeeded) / durationSeconds : 0
    }

    /// The report file's text: ``RunReportDocument`` in canonical JSON.
    public func json(revealPII: Bool) -> String {
        JSONValue.document(RunReportDocument(self, revealPII: revealPII))
    }

    /// One paragraph for people, at the end of a run.
    public func summary(reportPath: String?) -> String {
        let c = counts
        var text = "\(jobName): \(status.rawValue). "
        text += "\(c.plan.sourceRows) source rows: \(c.plan.unchanged) unchanged, \(c.plan.invalid) invalid, "
        text += "\(c.plan.planned) planned (\(c.plan.added) new, \(c.plan.changed) changed); "
        text += "\(c.succeeded) acknowledged, \(c.rejected) rejected by CleverTap, \(c.failed) failed"
        text += String(format: " in %.1f s (%.0f records/s, %d requests, %d retries, %d throttled).", durationSeconds, recordsPerSecond, http.requests, http.retries, http.throttled)
        if c.possiblyDuplicated > 0 {
            text += " \(c.possiblyDuplicated) records went out in requests whose answer was lost and may be stored twice."
        }
        if let abortReason { text += " Aborted: \(abortReason)" }
        if errors.total > 0 {
            // Every code, most frequent first; a long tail is summed up.
            let shown = 10
            let reasons = errors.reasonsByCount
            var list = reasons.prefix(shown).map { "\($0) ×\(errors.groups[$0]?.count ?? 0)" }.joined(separator: ", ")
            if reasons.count > shown {
                let rest = reasons.dropFirst(shown).reduce(0) { $0 + (errors.groups[$1]?.count ?? 0) }
                list += " and \(reasons.count - shown) more codes ×\(rest)"
            }
            text += " Errors: \(list)."
        }
        if overThreshold { text += " Rejected rows exceed max_rejected (\(maxRejected.description))." }
        if let guards, guards.policy == .force, let tripped = guards.trippedMessage(sent: true) {
            text += " Guards: \(tripped)."
        }
        if let rejects { text += " Rejected rows: \(rejects.lines) lines in \(rejects.file)." }
        if let reportPath { text += " Report: \(reportPath)" }
        return text
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}
