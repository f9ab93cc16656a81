import CTSyncSupport
import CleverTapContract

/// The JSON Schema (draft 2020-12) of job files, for editors (`yaml-language-server`)
/// and for `ctsync schema job`. Keys come from `SpecKeys`, the lists the decoder
/// checks against, so the schema and the decoder agree. Every key carries its
/// description, default and examples, from which `JobReference` writes
/// docs/job-reference.md.
public enum JobSchema {
    /// `${NAME}`, a whole value read from the environment.
    static let variablePattern = "^\\$\\{[A-Za-z_][A-Za-z0-9_]*\\}$"
    /// Text that references at least one environment variable.
    static let containsVariablePattern = "\\$\\{[A-Za-z_][A-Za-z0-9_]*\\}"
    /// `90s`, `30m`, `1h30m`, `500ms`, or a `${NAME}`.
    static let durationPattern = "^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$|^\\$\\{[A-Za-z_][A-Za-z0-9_]*\\}$"
    static let namePattern = "^[A-Za-z0-9._-]{1,100}$"
    static let percentPattern = "^[0-9]+(\\.[0-9]+)?%$"

    /// What each pattern means, in words, for the reference.
    static let patternWords: [String: String] = [
        variablePattern: "an environment variable `${NAME}`",
        containsVariablePattern: "text containing an environment variable `${NAME}`",
        durationPattern: "a duration such as `90s`, `30m`, `1h30m` or `500ms` (or `${NAME}`)",
        namePattern: "1 to 100 letters, digits, `.`, `_` or `-`",
        percentPattern: "a percentage such as `0.5%`",
        CountryCode.pattern: "`+` and 1 to 3 digits, the first not 0, such as `+1` or `+91`",
    ]

    public static var document: JSONValue {
        let transformName: JSONValue = [
            "enum": .array(Transform.names.map { .string($0) }),
            "description": "A transform without argument; see docs/transforms.md.",
        ]
        let transformWithArgument: JSONValue = [
            "type": "object", "minProperties": 1, "maxProperties": 1,
            "description": "A transform with its argument, as a one-key mapping.",
            "properties": .object(
                Dictionary(uniqueKeysWithValues: TransformKind.allCases.compactMap { kind in
                    argumentSchema(kind).map { (kind.name, $0) }
                })),
            "additionalProperties": false,
        ]
        let transform: JSONValue = ["oneOf": [transformName, transformWithArgument]]
        let mapping: JSONValue = [
            "type": "object",
            "description": "One field: a source column (from) or a constant (value), transformed, into a CleverTap field (to).",
            "properties": [
                "from": [
                    "type": "string", "minLength": 1,
                    "description": "The source column: a CSV/TSV header or a JSONL key. Exactly one of from and value.",
                    "examples": ["email", "created_at_ms"],
                ],
                "value": [
                    "type": ["string", "number", "boolean"],
                    "description": "A constant written into every record instead of a column, e.g. the event name.",
                    "examples": ["Charged", 1, true],
                ],
                "to": [
                    "type": "string", "minLength": 1, "maxLength": 120,
                    "description":
                        "The CleverTap field: identity, ts (events, epoch seconds), evtName (events), or a property of profileData/evtData (standard profile fields such as Email, Phone, Gender, DOB, MSG-email, or any custom name).",
                    "examples": ["identity", "Phone", "Customer Type", "evtName", "ts"],
                ],
                "transform": [
                    "oneOf": [transform, ["type": "array", "items": transform]],
                    "description":
                        "Transforms applied in order to the value before CleverTap's rules are checked; see docs/transforms.md.",
                    "default": [],
                    "examples": [["trim", "lowercase"], ["e164"], [["default": "Free"]], [["split": "|"]]],
                ],
            ],
            "required": ["to"],
            "oneOf": [["required": ["from"]], ["required": ["value"]]],
            "additionalProperties": false,
        ]
        let duration: JSONValue = [
            "oneOf": [
                ["type": "number", "exclusiveMinimum": 0, "description": "Seconds."],
                ["type": "string", "pattern": .string(durationPattern)],
            ]
        ]
        func with(_ base: JSONValue, _ extra: [String: JSONValue]) -> JSONValue {
            guard case .object(var members) = base else { return base }
            for (key, value) in extra { members[key] = value }
            return .object(members)
        }
        return [
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "https://ctsync.dev/schemas/job.schema.json",
            "title": "ctsync job",
            "description": "A declarative job that syncs rows from a file or command into CleverTap profiles or events.",
            "type": "object",
            "properties": [
                "version": [
                    "const": 1,
                    "description": "The job file format; this ctsync reads version 1.",
                    "examples": [1],
                ],
                "name": [
                    "type": "string", "pattern": .string(namePattern),
                    "description":
                        "Names the job in reports, state and leases: renaming a job starts its state afresh.",
                    "examples": ["crm-profiles", "order-events"],
                ],
                "description": [
                    "type": "string", "description": "Free text for the people who read the job.",
                    "examples": ["Contacts from the CRM export, upserted as CleverTap profiles keyed by email."],
                ],
                "destination": [
                    "type": "object",
                    "description": "The CleverTap account the job writes to.",
                    "properties": [
                        "region": [
                            "description":
                                "The account's region: read it from the dashboard URL (in1.dashboard.clevertap.com is in1). A wrong region answers 401.",
                            "anyOf": [
                                ["enum": .array(Region.allCases.map { .string($0.rawValue) })],
                                ["type": "string", "pattern": .string(variablePattern)],
                            ],
                            "examples": ["in1", "us1", "${CLEVERTAP_REGION}"],
                        ],
                        "account_id": [
                            "type": "string", "minLength": 1,
                            "description": "The project's Account ID (in the dashboard's project settings), usually from the environment.",
                            "examples": ["${CLEVERTAP_ACCOUNT_ID}"],
                        ],
                        "passcode": [
                            "type": "string", "pattern": .string(containsVariablePattern),
                            "description":
                                "The account passcode, only from the environment; a literal secret is an error. It appears in no report, log or message.",
                            "examples": ["${CLEVERTAP_PASSCODE}"],
                        ],
                        "endpoint": [
                            "type": "string",
                            "description":
                                "Base URL override instead of the region's API host (a proxy, or the local sandbox); may contain {region}; http:// only to loopback. A host other than CleverTap's (*.clevertap.com) or loopback is refused unless the operator allows it with CTSYNC_ALLOW_ENDPOINTS where ctsync runs. --endpoint and $CTSYNC_ENDPOINT override it.",
                            "examples": ["http://127.0.0.1:9000/{region}"],
                        ],
                        "limits": [
                            "type": "object",
                            "description":
                                "Budgets for CleverTap's account-wide limits. State remembers, per destination, the event names and the property keys per event name CleverTap acknowledged; a run reserves the new ones it plans (so two processes cannot both spend the last ones) and rejects rows that would pass a budget (too_many_event_names, too_many_event_properties). Jobs of one account should agree on them.",
                            "properties": [
                                "event_names": [
                                    "type": "integer", "minimum": 1, "maximum": .int(CleverTapRules.maxEventNames),
                                    "default": .int(CleverTapRules.maxEventNames),
                                    "description":
                                        .string("Distinct event names the account may have. CleverTap keeps \(CleverTapRules.maxEventNames) and its own system events count too: leave them room."),
                                    "examples": [480],
                                ],
                                "properties_per_event": [
                                    "type": "integer", "minimum": 1, "maximum": .int(CleverTapRules.maxCustomProperties),
                                    "default": .int(CleverTapRules.maxCustomProperties),
                                    "description":
                                        "Distinct property keys one event name may have. Newer CleverTap accounts default to 100 (set per account): write your account's figure.",
                                    "examples": [100],
                                ],
                            ],
                            "additionalProperties": false,
                        ],
                    ],
                    "required": .array(SpecKeys.destinationRequired.map { .string($0) }),
                    "additionalProperties": false,
                ],
                "source": [
                    "type": "object",
                    "description": "Where the rows come from: a file, or a command that prints them. Either file, or command with format.",
                    "properties": [
                        "file": [
                            "type": "string", "minLength": 1,
                            "description":
                                "A CSV, TSV or JSONL file, relative to the job file's folder; the format follows from the extension (.csv, .tsv or .tab, .jsonl or .ndjson) unless format says otherwise.",
                            "examples": ["../data/contacts.csv", "/exports/orders.jsonl"],
                        ],
                        "command": [
                            "type": "string", "minLength": 1,
                            "description":
                                "Run with /bin/sh -c from the job file's folder; prints the rows on stdout. ctsync substitutes nothing here: the shell expands $VAR and ${VAR} from the command's environment, which lacks the job's passcode and account variables and the state password unless listed in env. A non-zero exit or a timeout aborts the run (exit 3).",
                            "examples": ["psql \"$WAREHOUSE_URL\" -c \"\\copy (select * from crm.contacts) to stdout csv header\""],
                        ],
                        "env": [
                            "type": "array",
                            "items": ["type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$"],
                            "description":
                                "Environment variables the command gets even though ctsync withholds them (the job's destination variables, CTSYNC_STATE_PASSWORD, PGPASSWORD when it is the state's password).",
                            "default": [],
                            "examples": [["PGPASSWORD"]],
                        ],
                        "format": [
                            "enum": .array(SourceFormat.allCases.map { .string($0.rawValue) }),
                            "description": "The rows' format: required with command, inferred from a file's extension.",
                            "examples": ["csv", "jsonl"],
                        ],
                        "timeout": with(
                            duration,
                            [
                                "description": "How long the source command may run before it is stopped; no limit when absent.",
                                "examples": ["30m", "1h30m", 90],
                            ]),
                        "delimiter": [
                            "type": "string", "minLength": 1, "maxLength": 3,
                            "description":
                                "CSV field delimiter: one ASCII character other than a quote or newline, or \\t (tab). Default: `,`; tsv always uses a tab.",
                            "examples": [";", "|", "\\t"],
                        ],
                        "header": [
                            "type": "boolean", "default": true,
                            "description": "Whether the first CSV/TSV line names the columns.",
                            "examples": [true],
                        ],
                    ],
                    "oneOf": [["required": ["file"]], ["required": ["command", "format"]]],
                    "additionalProperties": false,
                ],
                "object": [
                    "enum": .array(ObjectType.allCases.map { .string($0.rawValue) }),
                    "description": "What each row becomes: a user profile, or an event.",
                    "examples": ["profiles", "events"],
                ],
                "mode": [
                    "enum": .array(SyncMode.allCases.map { .string($0.rawValue) }),
                    "description":
                        "upsert sends new and changed rows; insert sends only rows whose primary key CleverTap never acknowledged. Default: upsert for profiles, insert for events (events are append-only: upsert is an error for them).",
                    "examples": ["upsert", "insert"],
                ],
                "primary_key": [
                    "type": "string", "minLength": 1,
                    "description":
                        "The source column that identifies a row across runs (state is kept by it). Default for profiles: the column mapped to identity; events without one are re-sent on every run.",
                    "examples": ["contact_id", "order_id"],
                ],
                "identity_kind": [
                    "enum": .array(IdentityKind.allCases.map { .string($0.rawValue) }),
                    "description":
                        "What identity holds, so lint can warn when jobs of one account use different schemes (duplicate profiles).",
                    "examples": ["email"],
                ],
                "mappings": [
                    "type": "array", "minItems": 1, "items": mapping,
                    "description":
                        "The fields each record gets, in order. One must write identity; events also need evtName and usually ts.",
                    "examples": [
                        [["from": "email", "to": "identity", "transform": ["trim", "lowercase"]]],
                        [["value": "Charged", "to": "evtName"], ["from": "created_at_ms", "to": "ts", "transform": ["ms_to_s"]]],
                    ],
                ],
                "options": [
                    "type": "object",
                    "description": "How the run sends: batch size, concurrency, retries and the rejection budget.",
                    "properties": [
                        "batch_size": [
                            "type": "integer", "minimum": 1, "maximum": 1000, "default": 1000,
                            "description": "Records a request; CleverTap takes at most 1000.",
                            "examples": [500],
                        ],
                        "concurrency": [
                            "type": "integer", "minimum": 1, "maximum": 15, "default": 10,
                            "description":
                                "Requests in flight for this job. Every ctsync process sending to one account shares its 15 request slots.",
                            "examples": [5],
                        ],
                        "max_attempts": [
                            "type": "integer", "minimum": 1, "maximum": 100, "default": 10,
                            "description":
                                "Attempts a batch gets on server errors (5xx), timeouts and dropped connections, with backoff, within retry_timeout. Throttling (429) uses no attempts.",
                            "examples": [6],
                        ],
                        "max_rejected": [
                            "oneOf": [
                                ["type": "integer", "minimum": 0, "description": "Rows."],
                                ["type": "string", "pattern": .string(percentPattern)],
                            ],
                            "default": 0,
                            "description":
                                "Invalid plus rejected rows a run tolerates, as a count or a percentage of source rows; above it the run exits 1.",
                            "examples": [10, "1%", "0.5%"],
                        ],
                        "request_timeout": with(
                            duration,
                            [
                                "description": "How long one upload request may take before it is abandoned and retried (1s to 10m).",
                                "default": "30s",
                                "examples": ["30s", "2m"],
                            ]),
                        "retry_timeout": with(
                            duration,
                            [
                                "description":
                                    "How long a batch keeps retrying from its first attempt (1s to 24h): 429s (the account's 15 request slots are taken) are retried until it runs out, other failures also use up max_attempts. ctsync run --retry-timeout overrides it.",
                                "default": "10m",
                                "examples": ["10m", "1h"],
                            ]),
                    ],
                    "additionalProperties": false,
                ],
                "guards": [
                    "type": "object",
                    "description":
                        "Limits the plan must stay within before anything is sent, against a broken source (a query that returns 10 rows instead of 10 million, or garbage in every row). A job with guards plans completely before it sends: the source is read once, the planned records are kept in a private temporary file, then sent. A tripped guard stops the job before any request: status aborted, exit 3. `ctsync run --force` sends anyway (the report still shows the tripped guards); `--no-guards` skips them. `ctsync plan` shows which guards would trip and exits 3 if one would.",
                    "properties": [
                        "min_source_rows": [
                            "type": "integer", "minimum": 1,
                            "description": "The fewest source rows (valid or not) a run may read; fewer trips the guard.",
                            "examples": [1000],
                        ],
                        "max_source_drop": [
                            "type": "string", "pattern": .string(percentPattern),
                            "description":
                                "The largest drop in source rows against the last successful run (exit 0) of the job to the same destination, from state's run history; a larger drop trips the guard. Not checked before the first successful run.",
                            "examples": ["50%"],
                        ],
                        "max_changed": [
                            "type": "string", "pattern": .string(percentPattern),
                            "description":
                                "The largest share of the keys CleverTap has acknowledged for the job that a run may change (send again with new values); a larger share trips the guard.",
                            "examples": ["30%"],
                        ],
                        "max_invalid": [
                            "type": "string", "pattern": .string(percentPattern),
                            "description":
                                "The largest share of source rows that may be invalid (refused by the planner); a larger share trips the guard.",
                            "examples": ["5%"],
                        ],
                    ],
                    "additionalProperties": false,
                ],
            ],
            "required": .array(SpecKeys.jobRequired.map { .string($0) }),
            "additionalProperties": false,
        ]
    }

    /// The argument a transform accepts, as ``TransformKind/transform(argument:)`` checks it; nil for none.
    static func argumentSchema(_ kind: TransformKind) -> JSONValue? {
        switch kind {
        case .default:
            ["type": ["string", "number", "boolean"], "description": "The value written when the cell is empty or null."]
        case .split: ["type": "string", "minLength": 1, "description": "The separator; `,` without argument."]
        case .e164:
            [
                "type": "string", "pattern": .string(CountryCode.pattern),
                "description": "The country code for numbers written without one.",
            ]
        case .trim, .lowercase, .uppercase, .msToS, .iso8601, .date, .number, .bool, .string, .gender: nil
        }
    }
}
