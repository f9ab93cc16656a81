import CTSyncPlan
import CTSyncReport
import CTSyncState
import CTSyncSupport
import Foundation

/// `ctsync status --format json`: the versioned contract described by
/// `schemas/status.schema.json`. Tests decode what the binary printed with this type.
public struct StatusDocument: Codable, Sendable, Equatable {
    public var formatVersion: Int
    /// Where the state is (no password).
    public var state: String
    public var jobs: [Job]
    /// CleverTap's account-wide limits at each destination of the jobs shown.
    public var budgets: [Budget]

    public struct BudgetUseDocument: Codable, Sendable, Equatable {
        public var used: Int
        public var acknowledged: Int
        public var reserved: Int
        public var limit: Int

        init(_ use: BudgetUse) {
            used = use.used
            acknowledged = use.acknowledged
            reserved = use.reserved
            limit = use.limit
        }
    }

    public struct Budget: Codable, Sendable, Equatable {
        public var destination: DestinationDocument
        public var eventNames: BudgetUseDocument
        public var events: [Event]

        public struct Event: Codable, Sendable, Equatable {
            public var name: String
            public var acknowledged: Bool
            public var properties: BudgetUseDocument
        }

        enum CodingKeys: String, CodingKey {
            case eventNames = "event_names"
            case destination, events
        }
    }

    public struct Job: Codable, Sendable, Equatable {
        public var name: String
        /// Who runs the job now; null when nobody does.
        public var lease: LeaseDocument?
        /// One entry a destination the job has state for, most recently run first.
        public var destinations: [Destination]

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .name)
            try container.encode(lease, forKey: .lease)
            try container.encode(destinations, forKey: .destinations)
        }
    }

    public struct Destination: Codable, Sendable, Equatable {
        /// Null: state from before destinations were recorded, not adopted yet.
        public var destination: DestinationDocument?
        /// Keys state holds as acknowledged.
        public var keys: Int
        public var lastRun: RunDocument?
        public var lastSuccess: RunDocument?
        public var lastFullSync: RunDocument?

        enum CodingKeys: String, CodingKey {
            case lastRun = "last_run"
            case lastSuccess = "last_success"
            case lastFullSync = "last_full_sync"
            case destination, keys
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(destination, forKey: .destination)
            try container.encode(keys, forKey: .keys)
            try container.encode(lastRun, forKey: .lastRun)
            try container.encode(lastSuccess, forKey: .lastSuccess)
            try container.encode(lastFullSync, forKey: .lastFullSync)
        }
    }

    enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version"
        case state, jobs, budgets
    }

    public init(_ report: StatusReport) {
        budgets = report.budgets.map { budget in
            Budget(
                destination: DestinationDocument(budget.destination), eventNames: BudgetUseDocument(budget.eventNames),
                events: budget.events.map {
                    Budget.Event(name: $0.name, acknowledged: $0.acknowledged, properties: BudgetUseDocument($0.properties))
                })
        }
        formatVersion = StatusReport.formatVersion
        state = report.state
        jobs = report.jobs.map { job in
            Job(
                name: job.name, lease: job.lease.map(LeaseDocument.init),
                destinations: job.destinations.map { entry in
                    Destination(
                        destination: entry.destination.map(DestinationDocument.init), keys: entry.keys,
                        lastRun: entry.lastRun.map(RunDocument.init), lastSuccess: entry.lastSuccess.map(RunDocument.init),
                        lastFullSync: entry.lastFullSync.map(RunDocument.init))
                })
        }
    }
}

/// `ctsync history JOB --format json`: the versioned contract described by
/// `schemas/history.schema.json`.
public struct HistoryDocument: Codable, Sendable, Equatable {
    public var formatVersion: Int
    public var state: String
    public var job: String
    public var lease: LeaseDocument?
    /// Newest first.
    public var runs: [RunDocument]

    enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version"
        case state, job, lease, runs
    }

    public init(_ report: HistoryReport) {
        formatVersion = HistoryReport.formatVersion
        state = report.state
        job = report.job
        lease = report.lease.map(LeaseDocument.init)
        runs = report.runs.map(RunDocument.init)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(formatVersion, forKey: .formatVersion)
        try container.encode(state, forKey: .state)
        try container.encode(job, forKey: .job)
        try container.encode(lease, forKey: .lease)
        try container.encode(runs, forKey: .runs)
    }
}

/// The process holding a job's lease, as far as it told.
public struct LeaseDocument: Codable, Sendable, Equatable {
    public var pid: Int32?
    public var host: String?
    /// RFC 3339.
    public var since: String?

    public init(_ holder: LeaseHolder) {
        pid = holder.pid
        host = holder.host
        since = holder.since.map(RunDocument.timestamp)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(pid, forKey: .pid)
        try container.encode(host, forKey: .host)
        try container.encode(since, forKey: .since)
    }
}

/// One recorded run (`status`, `history`).
public struct RunDocument: Codable, Sendable, Equatable {
    /// The run report's `run_id`.
    public var runID: String
    /// succeeded, completed_with_errors, failed, aborted, interrupted (started, never
    /// finished) or running (its process holds the job's lease now).
    public var status: String
    public var destination: DestinationDocument?
    public var startedAt: String
    public var finishedAt: String?
    public var durationSeconds: Double?
    /// What `ctsync run` exited with for this job.
    public var exitStatus: Int?
    /// Why the run planned every row: first_run, full, spec_changed; null otherwise.
    public var fullSync: String?
    public var abortReason: String?
    /// The report's counts; null for a run that never finished.
    public var counts: RunReportDocument.Counts?
    /// Where the run report was written.
    public var report: String?
    public var ctsyncVersion: String
    public var host: String
    public var pid: Int32

    enum CodingKeys: String, CodingKey {
        case runID = "run_id"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case durationSeconds = "duration_seconds"
        case exitStatus = "exit_status"
        case fullSync = "full_sync"
        case abortReason = "abort_reason"
        case ctsyncVersion = "ctsync_version"
        case status, destination, counts, report, host, pid
    }

    public init(_ summary: RunSummary) {
        let run = summary.record
        runID = run.id
        status = summary.status
        destination = run.job.destination.map(DestinationDocument.init)
        startedAt = Self.timestamp(run.startedAt)
        finishedAt = run.finishedAt.map(Self.timestamp)
        durationSeconds = run.finishedAt.map { ($0.timeIntervalSince(run.startedAt) * 1000).rounded() / 1000 }
        exitStatus = run.exitStatus
        fullSync = run.fullSync
        abortReason = run.abortReason
        counts = run.counts.map(RunReportDocument.Counts.init)
        report = run.reportPath
        ctsyncVersion = run.ctsyncVersion
        host = run.host
        pid = run.pid
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(runID, forKey: .runID)
        try container.encode(status, forKey: .status)
        try container.encode(destination, forKey: .destination)
        try container.encode(startedAt, forKey: .startedAt)
        try container.encode(finishedAt, forKey: .finishedAt)
        try container.encode(durationSeconds, forKey: .durationSeconds)
        try container.encode(exitStatus, forKey: .exitStatus)
        try container.encode(fullSync, forKey: .fullSync)
        try container.encode(abortReason, forKey: .abortReason)
        try container.encode(counts, forKey: .counts)
        try container.encode(report, forKey: .report)
        try container.encode(ctsyncVersion, forKey: .ctsyncVersion)
        try container.encode(host, forKey: .host)
        try container.encode(pid, forKey: .pid)
    }

    /// RFC 3339 with milliseconds, like the run report's times.
    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}
