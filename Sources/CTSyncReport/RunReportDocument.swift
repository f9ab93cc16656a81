import CTSyncPlan
import CTSyncSpec
import CTSyncSupport
import CleverTapContract
import Foundation

/// The run report file: the versioned contract described by
/// `schemas/report.schema.json`. Tests decode the files a run wrote with this type.
public struct RunReportDocument: Codable, Sendable, Equatable {
    public var formatVersion: Int
    public var runID: String
    /// The ctsync that wrote the report, as `ctsync --version` prints it: `0.2.0 (38d956f0a1b2)`.
    public var ctsyncVersion: String
    public var job: Job
    /// Where the records went (null only in reports of a run that never resolved one).
    public var destination: DestinationDocument?
    public var status: RunStatus
    /// Why the run stopped early; null unless aborted.
    public var abortReason: String?
    public var startedAt: String
    public var finishedAt: String
    public var durationSeconds: Double
    public var full: Bool
    public var mappingChanged: Bool
    public var maxRejected: String
    public var counts: Counts
    public var http: HTTP
    /// Rejections and failures grouped by reason or code.
    public var errors: [String: RejectionGroupDocument]
    /// The job's guards against its plan; null when the job has none.
    public var guards: GuardsDocument?
    /// The rejects file (`--rejects`) and the lines this job wrote to it; null when not asked for.
    public var rejects: RejectsFileSummary?

    public struct Job: Codable, Sendable, Equatable {
        public var name: String
        public var file: String
        public var specHash: String
        public var object: ObjectType
        public var mode: SyncMode
        public var region: Region
        public var endpoint: String

        enum CodingKeys: String, CodingKey {
            case specHash = "spec_hash"
            case name, file, object, mode, region, endpoint
        }
    }

    /// `sourceRows == invalid + unchanged + planned`; unless aborted, `planned == succeeded + rejected + failed`.
    public struct Counts: Codable, Sendable, Equatable {
        public var sourceRows: Int
        public var invalid: Int
        public var unchanged: Int
        public var planned: Int
        public var added: Int
        public var changed: Int
        public var sent: Int
        public var succeeded: Int
        public var rejected: Int
        public var failed: Int
        public var possiblyDuplicated: Int

        enum CodingKeys: String, CodingKey {
            case sourceRows = "source_rows"
            case possiblyDuplicated = "possibly_duplicated"
            case invalid, unchanged, planned, added, changed, sent, succeeded, rejected, failed
        }
    }

    public struct HTTP: Codable, Sendable, Equatable {
        public var requests: Int
        public var retries: Int
        public var throttled: Int
        public var latencyMs: Latency
        public var recordsPerSecond: Double

        enum CodingKeys: String, CodingKey {
            case latencyMs = "latency_ms"
            case recordsPerSecond = "records_per_second"
            case requests, retries, throttled
        }
    }

    /// Request latencies in milliseconds; null when no request was made.
    public struct Latency: Codable, Sendable, Equatable {
        public var p50: Double?
        public var p95: Double?
        public var max: Double?

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(p50, forKey: .p50)
            try container.encode(p95, forKey: .p95)
            try container.encode(max, forKey: .max)
        }
    }

    enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version"
        case runID = "run_id"
        case ctsyncVersion = "ctsync_version"
        case abortReason = "abort_reason"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case durationSeconds = "duration_seconds"
        case mappingChanged = "mapping_changed"
        case maxRejected = "max_rejected"
        case job, destination, status, full, counts, http, errors, guards, rejects
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(formatVersion, forKey: .formatVersion)
        try container.encode(runID, forKey: .runID)
        try container.encode(ctsyncVersion, forKey: .ctsyncVersion)
        try container.encode(job, forKey: .job)
        try container.encode(destination, forKey: .destination)
        try container.encode(status, forKey: .status)
        try container.encode(abortReason, forKey: .abortReason)
        try container.encode(startedAt, forKey: .startedAt)
        try container.encode(finishedAt, forKey: .finishedAt)
        try container.encode(durationSeconds, forKey: .durationSeconds)
        try container.encode(full, forKey: .full)
        try container.encode(mappingChanged, forKey: .mappingChanged)
        try container.encode(maxRejected, forKey: .maxRejected)
        try container.encode(counts, forKey: .counts)
        try container.encode(http, forKey: .http)
        try container.encode(errors, forKey: .errors)
        try container.encode(guards, forKey: .guards)
        try container.encode(rejects, forKey: .rejects)
    }
}

extension RunReportDocument {
    public init(_ report: RunReport, revealPII: Bool) {
        let c = report.counts
        let latencies = report.http.latenciesMs.sorted()
        func tenth(_ value: Double) -> Double { (value * 10).rounded() / 10 }
        func percentile(_ p: Double) -> Double? {
            guard !latencies.isEmpty else { return nil }
            let index = Swift.min(latencies.count - 1, Int((Double(latencies.count) * p).rounded(.up)) - 1)
            return tenth(latencies[Swift.max(0, index)])
        }
        formatVersion = RunReport.formatVersion
        runID = report.runID
        ctsyncVersion = BuildInfo.description
        job = Job(
            name: report.jobName, file: report.jobFile, specHash: report.specHash, object: report.object,
            mode: report.mode, region: report.region, endpoint: report.endpoint)
        destination = report.destination.map(DestinationDocument.init)
        status = report.status
        abortReason = report.abortReason
        startedAt = RunReport.timestamp(report.startedAt)
        finishedAt = RunReport.timestamp(report.finishedAt)
        durationSeconds = (report.durationSeconds * 1000).rounded() / 1000
        full = report.full
        mappingChanged = report.mappingChanged
        maxRejected = report.maxRejected.description
        counts = Counts(
            sourceRows: c.plan.sourceRows, invalid: c.plan.invalid, unchanged: c.plan.unchanged,
            planned: c.plan.planned, added: c.plan.added, changed: c.plan.changed, sent: c.sent,
            succeeded: c.succeeded, rejected: c.rejected, failed: c.failed, possiblyDuplicated: c.possiblyDuplicated)
        http = HTTP(
            requests: report.http.requests, retries: report.http.retries, throttled: report.http.throttled,
            latencyMs: Latency(p50: percentile(0.5), p95: percentile(0.95), max: latencies.last.map(tenth)),
            recordsPerSecond: report.recordsPerSecond.isFinite ? report.recordsPerSecond.rounded() : 0)
        errors = RejectionGroupDocument.groups(of: report.errors, revealPII: revealPII)
        guards = report.guards.map(GuardsDocument.init)
        rejects = report.rejects
    }
}
