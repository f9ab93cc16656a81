/// `ctsync check --format json`: the versioned contract described by
/// `schemas/check.schema.json`. One entry a job, in the order the jobs were given,
/// each with its checks in a fixed order (`CheckKind.allCases`).
public struct CheckDocument: Codable, Sendable, Equatable {
    /// The `format_version` this ctsync writes.
    public static let formatVersion = 1

    public var formatVersion: Int
    /// Whether no check of any job failed (warnings and skipped checks allowed).
    public var ok: Bool
    public var jobs: [JobCheck]

    enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version"
        case ok, jobs
    }

    public init(jobs: [JobCheck]) {
        formatVersion = Self.formatVersion
        self.jobs = jobs
        ok = jobs.allSatisfy(\.ok)
    }
}

/// The checks of one job file.
public struct JobCheck: Codable, Sendable, Equatable {
    /// The job's `name:`; nil when the file does not say (it does not parse).
    public var name: String?
    /// The job file as given on the command line.
    public var file: String
    /// Whether none of its checks failed.
    public var ok: Bool
    public var checks: [CheckResult]

    public init(name: String?, file: String, checks: [CheckResult]) {
        self.name = name
        self.file = file
        self.checks = checks
        ok = !checks.contains { $0.status == .failed }
    }

    /// The result of one kind of check, if it was made.
    public subscript(kind: CheckKind) -> CheckResult? {
        checks.first { $0.check == kind }
    }

    enum CodingKeys: String, CodingKey {
        case name, file, ok, checks
    }

    /// `name` is written as null rather than left out: the schema requires every key.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(file, forKey: .file)
        try container.encode(ok, forKey: .ok)
        try container.encode(checks, forKey: .checks)
    }
}

/// One check of one job.
public struct CheckResult: Codable, Sendable, Equatable {
    public var check: CheckKind
    public var status: CheckStatus
    /// What was checked: the host asked, the source file, the state location; nil when
    /// nothing outside the job file was involved.
    public var target: String?
    /// What was found, in one line.
    public var message: String
    /// What to do about a failure or a warning; nil when there is nothing to do.
    public var fix: String?
    /// Lines backing the message up (the spec's findings, `file:line:col: error: message [rule]`).
    public var details: [String]

    enum CodingKeys: String, CodingKey {
        case check, status, target, message, fix, details
    }

    /// `target` and `fix` are written as null rather than left out: the schema requires every key.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(check, forKey: .check)
        try container.encode(status, forKey: .status)
        try container.encode(target, forKey: .target)
        try container.encode(message, forKey: .message)
        try container.encode(fix, forKey: .fix)
        try container.encode(details, forKey: .details)
    }

    public init(
        _ check: CheckKind, _ status: CheckStatus, target: String? = nil, _ message: String, fix: String? = nil,
        details: [String] = []
    ) {
        self.check = check
        self.status = status
        self.target = target
        self.message = message
        self.fix = fix
        self.details = details
    }
}

/// What `ctsync check` checks, in the order it checks them.
public enum CheckKind: String, Codable, Sendable, CaseIterable {
    /// The job file loads and lints without errors.
    case spec
    /// Every `${VAR}` the job uses is set.
    case environment
    /// CleverTap accepts the account ID and passcode on the region's host (a read-only
    /// Get User Profile request).
    case credentials
    /// The source is readable and has every mapped column.
    case source
    /// The state is reachable and of a schema version this ctsync knows.
    case state
    /// Whether another process holds the job's lease (is running it now).
    case lease
}

/// How one check came out.
public enum CheckStatus: String, Codable, Sendable, CaseIterable {
    case ok
    /// Works now, but worth knowing (the job is running elsewhere); not a failure.
    case warning
    /// Fails the check: exit 1 (2 for the spec).
    case failed
    /// Not made: a check it depends on failed, or it was not asked for (a source command without `--source`).
    case skipped
}
