/// Every rule id a finding can carry (`lint`, `plan` and `run` load jobs through the same
/// checks), what it finds and the job keys it looks at: docs/job-reference.md lists the
/// rules of each key from here. A test fails when a rule in the sources is missing.
public struct JobKeyRule: Sendable, Equatable {
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
    public static let all: [JobKeyRule] = yaml + structure + values + mappings + events + acrossJobs

    static let yaml: [JobKeyRule] = [
        JobKeyRule("yaml-io", "error", "The job file cannot be opened or read.", keys: []),
        JobKeyRule("yaml-size", "error", "The job file is larger than ctsync reads (4 MB).", keys: []),
        JobKeyRule("yaml-encoding", "error", "The job file is not UTF-8 text.", keys: []),
        JobKeyRule("yaml-reader", "error", "libyaml refused a character.", keys: []),
        JobKeyRule("yaml-scanner", "error", "Invalid YAML syntax (libyaml's scanner).", keys: []),
        JobKeyRule("yaml-parser", "error", "Invalid YAML structure (libyaml's parser).", keys: []),
        JobKeyRule(
            "yaml-composer", "error",
            "Valid YAML but not an acceptable document: duplicate keys, bad aliases or merges, several documents, nesting or alias limits.",
            keys: []),
        JobKeyRule("empty-job", "error", "The job file holds no document.", keys: []),
    ]

    static let structure: [JobKeyRule] = [
        JobKeyRule("unknown-key", "error", "A key the section does not have (with a did-you-mean suggestion).", keys: ["*"]),
        JobKeyRule(
            "missing-key", "error",
            "A required key is absent: the job's and destination's required keys, source's file or command, a mapping's to and from or value.",
            keys: [
                "version", "name", "destination", "source", "object", "mappings", "destination.region",
                "destination.account_id", "destination.passcode", "source.file", "source.command", "mappings[].from",
                "mappings[].value", "mappings[].to",
            ]),
        JobKeyRule("invalid-type", "error", "A value of the wrong kind: a list where text belongs, text where a number belongs.", keys: ["*"]),
        JobKeyRule(
            "conflicting-keys", "error", "Two keys that exclude each other: source file and command, mapping from and value.",
            keys: ["source.file", "source.command", "mappings[].from", "mappings[].value"]),
        JobKeyRule(
            "unset-variable", "warning in lint, error in plan and run",
            "A `${NAME}` whose variable is not set (CI lints without secrets).", keys: ["*"]),
        JobKeyRule(
            "invalid-interpolation", "error", "A malformed `${`: unterminated, or not a variable name (`$${` writes a literal).",
            keys: ["*"]),
    ]

    static let values: [JobKeyRule] = [
        JobKeyRule("unsupported-version", "error", "A version other than 1.", keys: ["version"]),
        JobKeyRule("invalid-name", "error", "A job name that is not 1 to 100 letters, digits, `.`, `_` or `-`.", keys: ["name"]),
        JobKeyRule("invalid-region", "error", "A region CleverTap does not have.", keys: ["destination.region"]),
        JobKeyRule(
            "literal-secret", "error", "A passcode written into the file instead of read from the environment.",
            keys: ["destination.passcode"]),
        JobKeyRule(
            "invalid-endpoint", "error", "An endpoint that is not an http(s) URL, or plain http:// to a host other than loopback.",
            keys: ["destination.endpoint"]),
        JobKeyRule(
            "endpoint-not-allowed", "error",
            "An endpoint whose host is neither CleverTap's nor loopback nor in CTSYNC_ALLOW_ENDPOINTS (cannot be disabled).",
            keys: ["destination.endpoint"]),
        JobKeyRule("invalid-format", "error", "A source format other than csv, tsv or jsonl.", keys: ["source.format"]),
        JobKeyRule(
            "missing-format", "error", "A command without format, or a file whose extension implies none.",
            keys: ["source.format", "source.file", "source.command"]),
        JobKeyRule(
            "invalid-delimiter", "error", "A delimiter that is not one ASCII character (other than a quote or newline) or \\t.",
            keys: ["source.delimiter"]),
        JobKeyRule(
            "withheld-variable", "warning",
            "A source command reads a variable ctsync withholds from commands (credentials, the state password) without passing it in source.env.",
            keys: ["source.command", "source.env"]),
        JobKeyRule("invalid-env-name", "error", "An item of source.env that is not a variable name.", keys: ["source.env"]),
        JobKeyRule("env-without-command", "warning", "source.env on a file source, where it does nothing.", keys: ["source.env"]),
        JobKeyRule(
            "source-not-found", "warning", "The source file does not exist (yet) where the job says.", keys: ["source.file"]),
        JobKeyRule("invalid-object", "error", "An object other than profiles or events.", keys: ["object"]),
        JobKeyRule("invalid-mode", "error", "A mode other than upsert or insert.", keys: ["mode"]),
        JobKeyRule(
            "events-append-only", "error",
            "mode upsert on an events job: CleverTap stores every event it receives, so events are insert only.",
            keys: ["mode", "object"]),
        JobKeyRule(
            "unsupported-mode", "error",
            "A mode CleverTap's upload API cannot do (update-only, mirror/delete, audiences), with the reason.",
            keys: ["mode"]),
        JobKeyRule("invalid-identity-kind", "error", "An identity_kind other than email, phone or custom.", keys: ["identity_kind"]),
        JobKeyRule(
            "invalid-value", "error",
            "A value out of its range or empty where it must not be (max_attempts 1..100, request_timeout 1s..10m, max_rejected, durations, empty names).",
            keys: [
                "primary_key", "destination.account_id", "source.file", "source.command", "source.timeout",
                "mappings[].from", "mappings[].to", "options.max_attempts", "options.max_rejected",
                "options.request_timeout", "*",
            ]),
        JobKeyRule("batch-size-range", "error", "batch_size outside 1..1000.", keys: ["options.batch_size"]),
        JobKeyRule("concurrency-range", "error", "concurrency outside 1..15.", keys: ["options.concurrency"]),
    ]

    static let mappings: [JobKeyRule] = [
        JobKeyRule("missing-identity", "error", "No mapping writes identity (or mappings is empty).", keys: ["mappings"]),
        JobKeyRule("duplicate-target", "error", "Two mappings write the same field.", keys: ["mappings[].to"]),
        JobKeyRule("target-not-allowed", "error", "A profiles job maps evtName.", keys: ["mappings[].to"]),
        JobKeyRule("key-too-long", "error", "A property key longer than CleverTap's 120 bytes.", keys: ["mappings[].to"]),
        JobKeyRule("invalid-key", "error", "A property key with characters CleverTap strips.", keys: ["mappings[].to"]),
        JobKeyRule(
            "too-many-properties", "error", "More custom properties than CleverTap keeps (256).", keys: ["mappings"]),
        JobKeyRule("value-too-long", "error", "A constant longer than CleverTap's 512 bytes.", keys: ["mappings[].value"]),
        JobKeyRule(
            "unknown-transform", "error", "A transform ctsync does not have (with a did-you-mean suggestion).",
            keys: ["mappings[].transform"]),
        JobKeyRule(
            "invalid-transform", "error",
            "A transform with a missing, superfluous or malformed argument (e164's country code, split's separator).",
            keys: ["mappings[].transform"]),
        JobKeyRule(
            "transform-target-mismatch", "error",
            "A transform whose output the target cannot take (date into Phone, split into an event property, …).",
            keys: ["mappings[].transform"]),
        JobKeyRule(
            "dob-without-date", "warning", "DOB mapped from a column without the date transform.",
            keys: ["mappings[].transform"]),
    ]

    static let events: [JobKeyRule] = [
        JobKeyRule("missing-event-name", "error", "An events job without an evtName mapping.", keys: ["object", "mappings"]),
        JobKeyRule(
            "invalid-event-name", "error",
            "An event name that is empty, not text, longer than 512 bytes, or with characters CleverTap strips.",
            keys: ["mappings[].value"]),
        JobKeyRule("restricted-event", "error", "A CleverTap system event name (App Launched, …).", keys: ["mappings[].value"]),
        JobKeyRule(
            "events-without-ts", "warning", "An events job without a ts mapping: CleverTap stamps events on arrival.",
            keys: ["mappings"]),
        JobKeyRule(
            "events-without-primary-key", "warning", "An events job without primary_key: its events are re-sent on every run.",
            keys: ["primary_key"]),
    ]

    static let acrossJobs: [JobKeyRule] = [
        JobKeyRule(
            "too-many-event-names", "error", "The linted jobs of one account name more than 512 distinct events.",
            keys: ["mappings[].value"]),
        JobKeyRule(
            "identity-kind-conflict", "warning", "Jobs of one account declare different identity kinds.",
            keys: ["identity_kind"]),
    ]

    /// The rules that look at `path` specifically (not those for any key).
    public static func checking(_ path: String) -> [JobKeyRule] {
        all.filter { $0.keys.contains(path) }
    }
}
