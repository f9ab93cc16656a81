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
        "description": "Keyed by stable reason code (planner) or CleverTap/HTTP code (uploader).",
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
                        ],
                        "required": ["row", "key", "field", "message"],
                        "additionalProperties": false,
                    ],
                ],
            ],
            "required": ["count", "samples"],
            "additionalProperties": false,
        ],
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
            ],
            "required": ["format_version", "job", "full", "mapping_changed", "counts", "batches", "rejected"],
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
            ],
            "required": [
                "format_version", "run_id", "ctsync_version", "job", "status", "abort_reason", "started_at", "finished_at",
                "duration_seconds", "full", "mapping_changed", "max_rejected", "counts", "http", "errors",
            ],
            "additionalProperties": false,
        ]
    }
}
