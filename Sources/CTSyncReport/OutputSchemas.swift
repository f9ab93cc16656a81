import CTSyncPlan
import CTSyncSpec
import CTSyncSupport
import CleverTapContract

/// JSON Schemas (draft 2020-12) of ctsync's machine-readable output: `plan --format json`
/// and the run report. `ctsync schema plan|report` prints them; `schemas/` commits them.
public enum OutputSchemas {
    static let count: JSONValue = ["type": "integer", "minimum": 0]

    /// Rejections or errors grouped by reason/code, with bounded samples.
    static let groupedErrors: JSONValue = [
        "type": "object",
        "description": "Keyed by stable reason code (planner) or CleverTap/HTTP code (uploader). A row with several problems counts once under each problem's code, so counts can add up to more than the rows.",
        "additionalProperties": [
            "type": "object",
            "properties": [
                "count": count,
                "samples": [
                    "type": "array", "maxItems": 5,
                    "items": [
                        "type": "object",
                        "properties": [
                            "row": ["type": "integer", "minimum": 1, "description": "Source line where the row starts."],
                            "key": ["type": ["string", "null"], "description": "Primary key; redacted unless asked otherwise."],
                            "field": ["type": ["string", "null"]],
                            "message": ["type": "string"],
                            "other_problems": [
                                "type": "array",
                                "description": "The row's other problems: a row with several is counted under each of their codes, and each of its samples lists the rest.",
                                "items": [
                                    "type": "object",
                                    "properties": [
                                        "code": ["type": "string", "description": "Stable reason code."],
                                        "field": ["type": ["string", "null"]],
                                        "message": ["type": "string"],
                                    ],
                                    "required": ["code", "field", "message"],
                                    "additionalProperties": false,
                                ],
                            ],
                        ],
                        "required": ["row", "key", "field", "message", "other_problems"],
                        "additionalProperties": false,
                    ],
                ],
            ],
            "required": ["count", "samples"],
            "additionalProperties": false,
        ],
    ]

    /// A job's `guards:` against its plan: plan and report.
    static let guards: JSONValue = [
        "type": ["object", "null"],
        "description": "The job's guards against its complete plan; null when the job has none. A tripped guard stops a run before anything is sent (status aborted, exit 3) unless --force; --no-guards skips them (policy skip, no checks).",
        "properties": [
            "policy": [
                "enum": .array(GuardPolicy.allCases.map { .string($0.rawValue) }),
                "description": "enforce; force (--force: sent despite tripped guards); skip (--no-guards: not evaluated).",
            ],
            "tripped": ["type": "boolean", "description": "Whether any guard tripped."],
            "checks": [
                "type": "array",
                "items": [
                    "type": "object",
                    "properties": [
                        "guard": ["enum": .array(GuardCheck.Kind.allCases.map { .string($0.rawValue) })],
                        "limit": [
                            "type": "number", "minimum": 0,
                            "description": "As the job sets it: rows for min_source_rows, else percent.",
                        ],
                        "figure": [
                            "type": ["number", "null"], "minimum": 0,
                            "description": "What the plan measured, in the limit's unit (percent to two decimals); null when not measured (max_source_drop before the first successful run).",
                        ],
                        "tripped": ["type": "boolean"],
                        "detail": ["type": "string", "description": "The figures in words."],
                    ],
                    "required": ["guard", "limit", "figure", "tripped", "detail"],
                    "additionalProperties": false,
                ],
            ],
        ],
        "required": ["policy", "tripped", "checks"],
        "additionalProperties": false,
    ]

    /// Where `--rejects` wrote: plan and report.
    static let rejectsFile: JSONValue = [
        "type": ["object", "null"],
        "description": "The rejects file (--rejects): one JSON line per refused row (schemas/rejects.schema.json); null when not asked for.",
        "properties": [
            "file": ["type": "string", "description": "The path given to --rejects; every job of the invocation writes to it."],
            "lines": ["type": "integer", "minimum": 0, "description": "Lines this job wrote."],
        ],
        "required": ["file", "lines"],
        "additionalProperties": false,
    ]

    /// One line of the rejects file (`--rejects`).
    public static var rejects: JSONValue {
        [
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "https://ctsync.dev/schemas/rejects.schema.json",
            "title": "ctsync rejects line",
            "description": "One line of the file `ctsync run --rejects` and `ctsync plan --rejects` write (JSON Lines): a row that did not get into CleverTap. Keys and the record's values are redacted (their first two characters and ***) unless --report-pii (run) or --show-pii (plan).",
            "type": "object",
            "properties": [
                "job": ["type": "string", "description": "The job's name: one file holds the lines of every job of the invocation."],
                "row": ["type": "integer", "minimum": 1, "description": "Source line (or row) where the row starts."],
                "key": ["type": ["string", "null"], "description": "The primary key (identity or objectId column); redacted unless asked otherwise; null when the row had none."],
                "field": ["type": ["string", "null"], "description": "The CleverTap field (or source column) at fault, when one is."],
                "outcome": [
                    "enum": .array(RejectsFile.Outcome.allCases.map { .string($0.rawValue) }),
                    "description": "invalid: refused by the planner, not sent; rejected: refused by CleverTap; failed: sent and not delivered (retries exhausted, permanent HTTP error).",
                ],
                "reason": [
                    "type": "string",
                    "description": "The stable reason code, as plans and reports group by: a planner reason (invalid_email, duplicate_primary_key, …), CleverTap's per-record code (\"515\"), http_<status>, timeout, connection_error.",
                ],
                "message": ["type": "string", "description": "What is wrong and how to fix it; never quotes a value."],
                "record": [
                    "type": ["object", "null"],
                    "description": "The record as it was (or would have been) sent in the request's d; null when the row could not be mapped into one (an unparsable row, a value the mapping refused). Values redacted unless asked otherwise; type, evtName and ts are kept.",
                ],
            ],
            "required": ["job", "row", "key", "field", "outcome", "reason", "message", "record"],
            "additionalProperties": false,
        ]
    }

    /// Where records go (`CleverTapDestination`): plan, report, status and history.
    static let destination: JSONValue = [
        "type": "object",
        "description": "Where the job's records go. State is kept per job and destination.",
        "properties": [
            "account": ["type": "string"], "region": ["type": "string"],
            "endpoint": [
                "type": "string",
                "description": "Normalised base URL: scheme and host lowercased, default port dropped, {region} expanded, no trailing slash.",
            ],
            "host": ["type": "string", "description": "Host (and a non-default port) records go to."],
            "production": ["type": "boolean", "description": "True when the endpoint is the region's CleverTap API host, not an override."],
        ],
        "required": ["account", "region", "endpoint", "host", "production"],
        "additionalProperties": false,
    ]

    static let nullableDestination: JSONValue = [
        "oneOf": [destination, ["type": "null", "description": "State written before destinations were recorded."]]
    ]

    /// What state held for the plan's job at its destination.
    static let baseline: JSONValue = [
        "type": "object",
        "properties": [
            "baseline": [
                "enum": .array(StateBaseline.Kind.allCases.map { .string($0.rawValue) }),
                "description": "no_state: no earlier run to this destination; no_completed_run: state exists there but no run completed; unchanged; adopted: state from before destinations were recorded matches and is used; spec_changed: mappings or destination changed since the last completed run.",
            ],
            "changes": [
                "type": "array",
                "description": "For spec_changed: what changed. Empty when the earlier state cannot say (written before ctsync kept specs).",
                "items": [
                    "type": "object",
                    "properties": [
                        "field": [
                            "type": "string",
                            "description": "destination.account|region|endpoint, object, primary_key, identity_kind, mapping (added or removed), mapping.from|value|transform, or spec.",
                        ],
                        "target": ["type": ["string", "null"], "description": "The mapping's target, for mapping fields."],
                        "before": ["type": ["string", "null"]], "after": ["type": ["string", "null"]],
                        "note": ["type": ["string", "null"]],
                    ],
                    "required": ["field", "target", "before", "after", "note"],
                    "additionalProperties": false,
                ],
            ],
            "renamed_from": [
                "type": "array", "items": ["type": "string"],
                "description": "For no_state: jobs in state with the same source and destination under another name.",
            ],
            "other_destinations": ["type": "array", "items": destination],
            "unadopted_legacy_state": [
                "type": "boolean",
                "description": "State from before destinations were recorded exists for this job name but does not match: not used.",
            ],
            "unfinished_run": [
                "description": "The job's last run to this destination when it stopped before its plan was done (aborted, or never finished); null otherwise. A run now resends what it did not get acknowledged (counts.planned).",
                "oneOf": [
                    [
                        "type": "object",
                        "properties": [
                            "run_id": ["type": "string"],
                            "started_at": ["type": "string", "format": "date-time"],
                            "status": [
                                "enum": ["aborted", "interrupted"],
                                "description": "interrupted: it never finished (killed, or still running).",
                            ],
                            "abort_reason": ["type": ["string", "null"]],
                            "planned": ["type": ["integer", "null"], "minimum": 0],
                            "sent": ["type": ["integer", "null"], "minimum": 0],
                            "acknowledged": ["type": ["integer", "null"], "minimum": 0],
                        ],
                        "required": ["run_id", "started_at", "status", "abort_reason", "planned", "sent", "acknowledged"],
                        "additionalProperties": false,
                    ],
                    ["type": "null"],
                ],
            ],
        ],
        "required": ["baseline", "changes", "renamed_from", "other_destinations", "unadopted_legacy_state", "unfinished_run"],
        "additionalProperties": false,
    ]

    static let job: JSONValue = [
        "type": "object",
        "properties": [
            "name": ["type": "string"], "file": ["type": "string"],
            "object": ["enum": ["profiles", "events"]], "mode": ["enum": ["upsert", "insert"]],
        ],
        "required": ["name", "file", "object", "mode"],
    ]

    public static var plan: JSONValue {
        [
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "https://ctsync.dev/schemas/plan.schema.json",
            "title": "ctsync plan",
            "description": "Output of `ctsync plan --format json`. source_rows = invalid + unchanged + planned; planned = added + changed.",
            "type": "object",
            "properties": [
                "format_version": ["const": .int(PlanRenderer.formatVersion)],
                "job": job,
                "destination": destination,
                "state": baseline,
                "full": ["type": "boolean"],
                "mapping_changed": ["type": "boolean"],
                "counts": [
                    "type": "object",
                    "properties": [
                        "source_rows": count, "invalid": count, "unchanged": count, "planned": count, "added": count,
                        "changed": count,
                    ],
                    "required": ["source_rows", "invalid", "unchanged", "planned", "added", "changed"],
                    "additionalProperties": false,
                ],
                "batches": count,
                "rejected": groupedErrors,
                "guards": guards,
                "rejects": rejectsFile,
            ],
            "required": [
                "format_version", "job", "destination", "state", "full", "mapping_changed", "counts", "batches", "rejected",
                "guards", "rejects",
            ],
            "additionalProperties": false,
        ]
    }

    public static var lint: JSONValue {
        [
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "https://ctsync.dev/schemas/lint.schema.json",
            "title": "ctsync lint",
            "description": "Output of `ctsync lint --format json`: every finding, in file, line, column order.",
            "type": "object",
            "properties": [
                "format_version": ["const": .int(DiagnosticRenderer.jsonFormatVersion)],
                "files_checked": count,
                "errors": count,
                "warnings": count,
                "findings": [
                    "type": "array",
                    "items": [
                        "type": "object",
                        "properties": [
                            "file": ["type": "string"],
                            "line": ["type": "integer", "minimum": 1],
                            "column": ["type": "integer", "minimum": 1],
                            "severity": ["enum": ["error", "warning"]],
                            "rule": ["type": "string", "description": "Stable rule id; `ctsync rules` lists them."],
                            "message": ["type": "string"],
                        ],
                        "required": ["file", "line", "column", "severity", "rule", "message"],
                        "additionalProperties": false,
                    ],
                ],
            ],
            "required": ["format_version", "files_checked", "errors", "warnings", "findings"],
            "additionalProperties": false,
        ]
    }

    public static var check: JSONValue {
        let nullableString: JSONValue = ["type": ["string", "null"]]
        return [
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "https://ctsync.dev/schemas/check.schema.json",
            "title": "ctsync check",
            "description": "Output of `ctsync check --format json`: each job's checks, in a fixed order. Stores nothing in CleverTap or in state.",
            "type": "object",
            "properties": [
                "format_version": ["const": .int(CheckDocument.formatVersion)],
                "ok": ["type": "boolean", "description": "No check of any job failed (warnings and skipped checks allowed)."],
                "jobs": [
                    "type": "array",
                    "items": [
                        "type": "object",
                        "properties": [
                            "name": ["type": ["string", "null"], "description": "The job's name; null when the file does not parse."],
                            "file": ["type": "string"],
                            "ok": ["type": "boolean"],
                            "checks": [
                                "type": "array",
                                "items": [
                                    "type": "object",
                                    "properties": [
                                        "check": ["enum": .array(CheckKind.allCases.map { .string($0.rawValue) })],
                                        "status": ["enum": .array(CheckStatus.allCases.map { .string($0.rawValue) })],
                                        "target": [
                                            "type": ["string", "null"],
                                            "description": "What was checked: the host asked, the source file, the state location.",
                                        ],
                                        "message": ["type": "string"],
                                        "fix": nullableString,
                                        "details": ["type": "array", "items": ["type": "string"]],
                                    ],
                                    "required": ["check", "status", "target", "message", "fix", "details"],
                                    "additionalProperties": false,
                                ],
                            ],
                        ],
                        "required": ["name", "file", "ok", "checks"],
                        "additionalProperties": false,
                    ],
                ],
            ],
            "required": ["format_version", "ok", "jobs"],
            "additionalProperties": false,
        ]
    }

    public static var report: JSONValue {
        let latency: JSONValue = ["type": ["number", "null"], "minimum": 0]
        return [
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "https://ctsync.dev/schemas/report.schema.json",
            "title": "ctsync run report",
            "description": "Written by `ctsync run`. source_rows = invalid + unchanged + planned; unless aborted, planned = succeeded + rejected + failed.",
            "type": "object",
            "properties": [
                "format_version": ["const": .int(RunReport.formatVersion)],
                "run_id": ["type": "string"],
                "ctsync_version": [
                    "type": "string",
                    "description": "The ctsync that wrote the report: version and commit, as `ctsync --version` prints them.",
                ],
                "job": [
                    "type": "object",
                    "properties": [
                        "name": ["type": "string"], "file": ["type": "string"], "spec_hash": ["type": "string"],
                        "object": ["enum": ["profiles", "events"]], "mode": ["enum": ["upsert", "insert"]],
                        "region": ["enum": .array(Region.allCases.map { .string($0.rawValue) })],
                        "endpoint": ["type": "string"],
                    ],
                    "required": ["name", "file", "spec_hash", "object", "mode", "region", "endpoint"],
                    "additionalProperties": false,
                ],
                "destination": nullableDestination,
                "status": ["enum": ["succeeded", "completed_with_errors", "failed", "aborted"]],
                "abort_reason": ["type": ["string", "null"]],
                "started_at": ["type": "string", "format": "date-time"],
                "finished_at": ["type": "string", "format": "date-time"],
                "duration_seconds": ["type": "number", "minimum": 0],
                "full": ["type": "boolean"],
                "mapping_changed": ["type": "boolean"],
                "max_rejected": ["type": "string"],
                "counts": [
                    "type": "object",
                    "properties": [
                        "source_rows": count, "invalid": count, "unchanged": count, "planned": count, "added": count,
                        "changed": count, "sent": count, "succeeded": count, "rejected": count, "failed": count,
                        "possibly_duplicated": count,
                    ],
                    "required": [
                        "source_rows", "invalid", "unchanged", "planned", "added", "changed", "sent", "succeeded",
                        "rejected", "failed", "possibly_duplicated",
                    ],
                    "additionalProperties": false,
                ],
                "http": [
                    "type": "object",
                    "properties": [
                        "requests": count, "retries": count, "throttled": count,
                        "latency_ms": [
                            "type": "object", "properties": ["p50": latency, "p95": latency, "max": latency],
                            "required": ["p50", "p95", "max"], "additionalProperties": false,
                        ],
                        "records_per_second": ["type": "number", "minimum": 0],
                    ],
                    "required": ["requests", "retries", "throttled", "latency_ms", "records_per_second"],
                    "additionalProperties": false,
                ],
                "errors": groupedErrors,
                "guards": guards,
                "rejects": rejectsFile,
            ],
            "required": [
                "format_version", "run_id", "ctsync_version", "job", "destination", "status", "abort_reason",
                "started_at", "finished_at",
                "duration_seconds", "full", "mapping_changed", "max_rejected", "counts", "http", "errors", "guards",
                "rejects",
            ],
            "additionalProperties": false,
        ]
    }

    // MARK: status and history

    static let lease: JSONValue = [
        "type": ["object", "null"],
        "description": "The process holding the job's lease now (running it), or null.",
        "properties": [
            "pid": ["type": ["integer", "null"]], "host": ["type": ["string", "null"]],
            "since": ["type": ["string", "null"], "format": "date-time"],
        ],
        "required": ["pid", "host", "since"],
        "additionalProperties": false,
    ]

    /// One recorded run.
    static let run: JSONValue = [
        "type": "object",
        "properties": [
            "run_id": ["type": "string", "description": "The run report's run_id."],
            "status": [
                "enum": ["succeeded", "completed_with_errors", "failed", "aborted", "interrupted", "running"],
                "description": "interrupted: started and never finished (killed); running: its process holds the job's lease now.",
            ],
            "destination": nullableDestination,
            "started_at": ["type": "string", "format": "date-time"],
            "finished_at": ["type": ["string", "null"], "format": "date-time"],
            "duration_seconds": ["type": ["number", "null"], "minimum": 0],
            "exit_status": ["type": ["integer", "null"], "description": "What `ctsync run` exited with for this job."],
            "full_sync": [
                "enum": ["first_run", "full", "spec_changed", .null],
                "description": "Why the run brought every row in line: first_run (no completed run to the destination before it), full (--full), spec_changed (changed mappings of a profiles job).",
            ],
            "abort_reason": ["type": ["string", "null"]],
            "counts": [
                "type": ["object", "null"],
                "properties": [
                    "source_rows": count, "invalid": count, "unchanged": count, "planned": count, "added": count,
                    "changed": count, "sent": count, "succeeded": count, "rejected": count, "failed": count,
                    "possibly_duplicated": count,
                ],
                "required": [
                    "source_rows", "invalid", "unchanged", "planned", "added", "changed", "sent", "succeeded",
                    "rejected", "failed", "possibly_duplicated",
                ],
                "additionalProperties": false,
            ],
            "report": ["type": ["string", "null"], "description": "Where the run report was written."],
            "ctsync_version": ["type": "string"],
            "host": ["type": "string"],
            "pid": ["type": "integer"],
        ],
        "required": [
            "run_id", "status", "destination", "started_at", "finished_at", "duration_seconds", "exit_status",
            "full_sync", "abort_reason", "counts", "report", "ctsync_version", "host", "pid",
        ],
        "additionalProperties": false,
    ]

    /// Shared definitions of the status and history schemas, referred to as `#/$defs/NAME`.
    static let stateDefinitions: JSONValue = [
        "destination": destination,
        "nullable_destination": [
            "oneOf": [
                ["$ref": "#/$defs/destination"],
                ["type": "null", "description": "State written before destinations were recorded."],
            ]
        ],
        "lease": lease,
        "run": run.replacingDestinations(),
        "nullable_run": ["oneOf": [["$ref": "#/$defs/run"], ["type": "null"]]],
    ]

    /// `ctsync status --format json`; `version` is `StatusReport.formatVersion`.
    public static func status(version: Int) -> JSONValue {
        [
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "https://ctsync.dev/schemas/status.schema.json",
            "title": "ctsync status",
            "description": "Output of `ctsync status --format json`: per job, its state at each destination and the runs state recorded.",
            "type": "object",
            "properties": [
                "format_version": ["const": .int(version)],
                "state": ["type": "string", "description": "Where the state is (no password)."],
                "jobs": [
                    "type": "array",
                    "items": [
                        "type": "object",
                        "properties": [
                            "name": ["type": "string"],
                            "lease": ["$ref": "#/$defs/lease"],
                            "destinations": [
                                "type": "array",
                                "description": "One entry a destination the job has state for, most recently run first; empty when state holds nothing for the job.",
                                "items": [
                                    "type": "object",
                                    "properties": [
                                        "destination": ["$ref": "#/$defs/nullable_destination"],
                                        "keys": ["type": "integer", "minimum": 0, "description": "Keys state holds as acknowledged."],
                                        "last_run": ["$ref": "#/$defs/nullable_run"],
                                        "last_success": ["$ref": "#/$defs/nullable_run"],
                                        "last_full_sync": ["$ref": "#/$defs/nullable_run"],
                                    ],
                                    "required": ["destination", "keys", "last_run", "last_success", "last_full_sync"],
                                    "additionalProperties": false,
                                ],
                            ],
                        ],
                        "required": ["name", "lease", "destinations"],
                        "additionalProperties": false,
                    ],
                ],
                "budgets": [
                    "type": "array",
                    "description":
                        "CleverTap's account-wide limits at each destination of the jobs shown (destination.limits): event names, and property keys per event name, acknowledged by CleverTap or reserved by runs in progress.",
                    "items": [
                        "type": "object",
                        "properties": [
                            "destination": ["$ref": "#/$defs/destination"],
                            "event_names": ["$ref": "#/$defs/budget_use"],
                            "events": [
                                "type": "array",
                                "description": "Each event name, by name, with the use of its property budget.",
                                "items": [
                                    "type": "object",
                                    "properties": [
                                        "name": ["type": "string"],
                                        "acknowledged": [
                                            "type": "boolean",
                                            "description": "Whether CleverTap acknowledged a record with it (else a run in progress reserved it).",
                                        ],
                                        "properties": ["$ref": "#/$defs/budget_use"],
                                    ],
                                    "required": ["name", "acknowledged", "properties"],
                                    "additionalProperties": false,
                                ],
                            ],
                        ],
                        "required": ["destination", "event_names", "events"],
                        "additionalProperties": false,
                    ],
                ],
            ],
            "required": ["format_version", "state", "jobs", "budgets"],
            "additionalProperties": false,
            "$defs": stateDefinitions.adding(
                "budget_use",
                [
                    "type": "object",
                    "description":
                        "How much of one budget is used: used = acknowledged + reserved; limit is the last run's destination.limits (CleverTap's default before one ran).",
                    "properties": [
                        "used": ["type": "integer", "minimum": 0],
                        "acknowledged": ["type": "integer", "minimum": 0],
                        "reserved": ["type": "integer", "minimum": 0],
                        "limit": ["type": "integer", "minimum": 1],
                    ],
                    "required": ["used", "acknowledged", "reserved", "limit"],
                    "additionalProperties": false,
                ]),
        ]
    }

    /// `ctsync history JOB --format json`; `version` is `HistoryReport.formatVersion`.
    public static func history(version: Int) -> JSONValue {
        [
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "https://ctsync.dev/schemas/history.schema.json",
            "title": "ctsync history",
            "description": "Output of `ctsync history JOB --format json`: the job's recorded runs, newest first.",
            "type": "object",
            "properties": [
                "format_version": ["const": .int(version)],
                "state": ["type": "string"],
                "job": ["type": "string"],
                "lease": ["$ref": "#/$defs/lease"],
                "runs": ["type": "array", "items": ["$ref": "#/$defs/run"]],
            ],
            "required": ["format_version", "state", "job", "lease", "runs"],
            "additionalProperties": false,
            "$defs": stateDefinitions,
        ]
    }
}

extension JSONValue {
    /// An object with `key` set to `value`.
    fileprivate func adding(_ key: String, _ value: JSONValue) -> JSONValue {
        guard case .object(var object) = self else { return self }
        object[key] = value
        return .object(object)
    }

    /// A run's schema with its destination as a reference into `$defs`.
    fileprivate func replacingDestinations() -> JSONValue {
        guard case .object(var schema) = self, case .object(var properties)? = schema["properties"] else { return self }
        properties["destination"] = ["$ref": "#/$defs/nullable_destination"]
        schema["properties"] = .object(properties)
        return .object(schema)
    }
}
