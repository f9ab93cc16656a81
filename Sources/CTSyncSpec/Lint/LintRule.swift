/// Every rule id a finding can carry (`lint`, `plan` and `run` load jobs through the same
/// checks), what it checks and the job keys it looks at. docs/job-reference.md lists them
/// by key; a test fails when a rule in the sources is missing here.
public struct LintRule: Sendable, Equatable {
    /// The stable id findings carry, e.g. `batch-size-range`.
    public var id: String
    /// `error`, `warning`, or how it varies.
    public var severity: String
    public var summary: String
    /// Key paths as docs/job-reference.md names them (`options.batch_size`, `mappings[].to`);
    /// `*` for a rule that applies to any key, empty for the file as a whole.
    public var keys: [String]

    init(_ id: String, _ severity: String, _ summary: String, keys: [String]) {
        self.id = id
        self.severity = severity
        self.summary = summary
        self.keys = keys
    }

    /// The rules, grouped as the reference lists them.
    public static let all: [LintRule] = yaml + structure + values + mappings + events + acrossJobs

    static let yaml: [LintRule] = [
        LintRule("yaml-io", "error", "The job file cannot be opened or read.", keys: []),
        LintRule("yaml-size", "error", "The job file is larger than ctsync reads (4 MB).", keys: []),
        LintRule("yaml-encoding", "error", "The job file is not UTF-8 text.", keys: []),
        LintRule("yaml-reader", "error", "libyaml refused a character.", keys: []),
        LintRule("yaml-scanner", "error", "Invalid YAML syntax (libyaml's scanner).", keys: []),
        LintRule("yaml-parser", "error", "Invalid YAML structure (libyaml's parser).", keys: []),
        LintRule(
            "yaml-composer", "error",
            "Valid YAML but not an acceptable document: duplicate keys, bad aliases or merges, several documents, nesting or alias limits.",
            keys: []),
        LintRule("empty-job", "error", "The job file holds no document.", keys: []),
    ]

    static let structure: [LintRule] = [
        LintRule("unknown-key", "error", "A key the section does not have (with a did-you-mean suggestion).", keys: ["*"]),
        LintRule(
            "missing-key", "error",
            "A required key is absent: the job's and destination's required keys, source's file or command, a mapping's to and from or value.",
            keys: [
                "version", "name", "destination", "source", "object", "mappings", "destination.region",
                "destination.account_id", "destination.passcode", "source.file", "source.command", "mappings[].from",
                "mappings[].value", "mappings[].to",
            ]),
        LintRule("invalid-type", "error", "A value of the wrong kind: a list where text belongs, text where a number belongs.", keys: ["*"]),
        LintRule(
            "conflicting-keys", "error", "Two keys that exclude each other: source file and command, mapping from and value.",
            keys: ["source.file", "source.command", "mappings[].from", "mappings[].value"]),
        LintRule(
            "unset-variable", "warning in lint, error in plan and run",
            "A `${NAME}` whose variable is not set (CI lints without secrets).", keys: ["*"]),
        LintRule(
            "invalid-interpolation", "error", "A malformed `${`: unterminated, or not a variable name (`$${` writes a literal).",
            keys: ["*"]),
    ]

    static let values: [LintRule] = [
        LintRule("unsupported-version", "error", "A version other than 1.", keys: ["version"]),
        LintRule("invalid-name", "error", "A job name that is not 1 to 100 letters, digits, `.`, `_` or `-`.", keys: ["name"]),
        LintRule("invalid-region", "error", "A region CleverTap does not have.", keys: ["destination.region"]),
        LintRule(
            "literal-secret", "error", "A passcode written into the file instead of read from the environment.",
            keys: ["destination.passcode"]),
        LintRule(
            "invalid-endpoint", "error", "An endpoint that is not an http(s) URL, or plain http:// to a host other than loopback.",
            keys: ["destination.endpoint"]),
        LintRule("invalid-format", "error", "A source format other than csv, tsv or jsonl.", keys: ["source.format"]),
        LintRule(
            "missing-format", "error", "A command without format, or a file whose extension implies none.",
            keys: ["source.format", "source.file", "source.command"]),
        LintRule(
            "invalid-delimiter", "error", "A delimiter that is not one ASCII character (other than a quote or newline) or \\t.",
            keys: ["source.delimiter"]),
        LintRule(
            "source-not-found", "warning", "The source file does not exist (yet) where the job says.", keys: ["source.file"]),
        LintRule("invalid-object", "error", "An object other than profiles or events.", keys: ["object"]),
        LintRule("invalid-mode", "error", "A mode other than upsert or insert.", keys: ["mode"]),
        LintRule(
            "unsupported-mode", "error",
            "A mode CleverTap's upload API cannot do (update-only, mirror/delete, audiences), with the reason.",
            keys: ["mode"]),
        LintRule("invalid-identity-kind", "error", "An identity_kind other than email, phone or custom.", keys: ["identity_kind"]),
        LintRule(
            "invalid-value", "error",
            "A value out of its range or empty where it must not be (max_attempts 1..100, request_timeout 1s..10m, max_rejected, durations, empty names).",
            keys: [
                "primary_key", "destination.account_id", "source.file", "source.command", "source.timeout",
                "mappings[].from", "mappings[].to", "options.max_attempts", "options.max_rejected",
                "options.request_timeout", "*",
            ]),
        LintRule("batch-size-range", "error", "batch_size outside 1..1000.", keys: ["options.batch_size"]),
        LintRule("concurrency-range", "error", "concurrency outside 1..15.", keys: ["options.concurrency"]),
    ]

    static let mappings: [LintRule] = [
        LintRule("missing-identity", "error", "No mapping writes identity (or mappings is empty).", keys: ["mappings"]),
        LintRule("duplicate-target", "error", "Two mappings write the same field.", keys: ["mappings[].to"]),
        LintRule("target-not-allowed", "error", "A profiles job maps evtName.", keys: ["mappings[].to"]),
        LintRule("key-too-long", "error", "A property key longer than CleverTap's 120 bytes.", keys: ["mappings[].to"]),
        LintRule("invalid-key", "error", "A property key with characters CleverTap strips.", keys: ["mappings[].to"]),
        LintRule(
            "too-many-properties", "error", "More custom properties than CleverTap keeps (256).", keys: ["mappings"]),
        LintRule("value-too-long", "error", "A constant longer than CleverTap's 512 bytes.", keys: ["mappings[].value"]),
        LintRule(
            "unknown-transform", "error", "A transform ctsync does not have (with a did-you-mean suggestion).",
            keys: ["mappings[].transform"]),
        LintRule(
            "invalid-transform", "error",
            "A transform with a missing, superfluous or malformed argument (e164's country code, split's separator).",
            keys: ["mappings[].transform"]),
        LintRule(
            "transform-target-mismatch", "error",
            "A transform whose output the target cannot take (date into Phone, split into an event property, …).",
            keys: ["mappings[].transform"]),
        LintRule(
            "dob-without-date", "warning", "DOB mapped from a column without the date transform.",
            keys: ["mappings[].transform"]),
    ]

    static let events: [LintRule] = [
        LintRule("missing-event-name", "error", "An events job without an evtName mapping.", keys: ["object", "mappings"]),
        LintRule(
            "invalid-event-name", "error",
            "An event name that is empty, not text, longer than 512 bytes, or with characters CleverTap strips.",
            keys: ["mappings[].value"]),
        LintRule("restricted-event", "error", "A CleverTap system event name (App Launched, …).", keys: ["mappings[].value"]),
        LintRule(
            "events-without-ts", "warning", "An events job without a ts mapping: CleverTap stamps events on arrival.",
            keys: ["mappings"]),
        LintRule(
            "events-without-primary-key", "warning", "An events job without primary_key: its events are re-sent on every run.",
            keys: ["primary_key"]),
    ]

    static let acrossJobs: [LintRule] = [
        LintRule(
            "too-many-event-names", "error", "The linted jobs of one account name more than 512 distinct events.",
            keys: ["mappings[].value"]),
        LintRule(
            "identity-kind-conflict", "warning", "Jobs of one account declare different identity kinds.",
            keys: ["identity_kind"]),
    ]

    /// The rules that look at `path` specifically (not those for any key).
    public static func checking(_ path: String) -> [LintRule] {
        all.filter { $0.keys.contains(path) }
    }
}
