import CTSyncSupport
import CleverTapContract

/// The JSON Schema (draft 2020-12) of job files, for editors (`yaml-language-server`)
/// and for `ctsync schema job`. Keys come from `SpecKeys`, the lists the decoder
/// checks against, so the schema and the decoder agree.
public enum JobSchema {
    public static var document: JSONValue {
        let stringOrVariable: JSONValue = ["type": "string", "minLength": 1]
        let transformName: JSONValue = ["enum": .array(Transform.names.map { .string($0) })]
        let transformWithArgument: JSONValue = [
            "type": "object", "minProperties": 1, "maxProperties": 1,
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
                "from": ["type": "string", "minLength": 1, "description": "Source column (CSV header or JSONL key)."],
                "value": ["type": ["string", "number", "boolean"], "description": "A constant instead of a column."],
                "to": [
                    "type": "string", "minLength": 1, "maxLength": 120,
                    "description": "identity, ts, evtName, or a property of profileData/evtData.",
                ],
                "transform": ["oneOf": [transform, ["type": "array", "items": transform]]],
            ],
            "required": ["to"],
            "oneOf": [["required": ["from"]], ["required": ["value"]]],
            "additionalProperties": false,
        ]
        let duration: JSONValue = [
            "oneOf": [
                ["type": "number", "exclusiveMinimum": 0],
                ["type": "string", "pattern": "^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$|^\\$\\{[A-Za-z_][A-Za-z0-9_]*\\}$"],
            ]
        ]
        return [
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "https://ctsync.dev/schemas/job.schema.json",
            "title": "ctsync job",
            "description": "A declarative job that syncs rows from a file or command into CleverTap profiles or events.",
            "type": "object",
            "properties": [
                "version": ["const": 1],
                "name": [
                    "type": "string", "pattern": "^[A-Za-z0-9._-]{1,100}$",
                    "description": "Names the job in reports and state.",
                ],
                "description": ["type": "string"],
                "destination": [
                    "type": "object",
                    "properties": [
                        "region": [
                            "description": "CleverTap region: read it from the dashboard URL (us1.dashboard.clevertap.com is us1).",
                            "anyOf": [
                                ["enum": .array(Region.allCases.map { .string($0.rawValue) })],
                                ["type": "string", "pattern": "^\\$\\{[A-Za-z_][A-Za-z0-9_]*\\}$"],
                            ],
                        ],
                        "account_id": stringOrVariable,
                        "passcode": [
                            "type": "string", "pattern": "\\$\\{[A-Za-z_][A-Za-z0-9_]*\\}",
                            "description": "Only from the environment, e.g. ${CLEVERTAP_PASSCODE}; a literal secret is an error.",
                        ],
                        "endpoint": [
                            "type": "string",
                            "description":
                                "Base URL override; may contain {region}; http:// only to loopback. A host other than CleverTap's (*.clevertap.com) or loopback is refused unless the operator allows it with CTSYNC_ALLOW_ENDPOINTS where ctsync runs.",
                        ],
                    ],
                    "required": .array(SpecKeys.destinationRequired.map { .string($0) }),
                    "additionalProperties": false,
                ],
                "source": [
                    "type": "object",
                    "properties": [
                        "file": ["type": "string", "minLength": 1, "description": "Relative to the job file."],
                        "command": [
                            "type": "string", "minLength": 1,
                            "description":
                                "Run with /bin/sh -c from the job file's folder; prints the rows on stdout. ctsync substitutes nothing here: the shell expands $VAR and ${VAR} from the command's environment, which lacks the job's passcode and account variables and the state password unless listed in env.",
                        ],
                        "env": [
                            "type": "array",
                            "items": ["type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$"],
                            "description":
                                "Environment variables the command gets even though ctsync withholds them (the job's destination variables, CTSYNC_STATE_PASSWORD, PGPASSWORD when it is the state's password).",
                        ],
                        "format": ["enum": .array(SourceFormat.allCases.map { .string($0.rawValue) })],
                        "timeout": duration,
                        "delimiter": ["type": "string", "minLength": 1, "maxLength": 3],
                        "header": ["type": "boolean"],
                    ],
                    "oneOf": [["required": ["file"]], ["required": ["command", "format"]]],
                    "additionalProperties": false,
                ],
                "object": ["enum": .array(ObjectType.allCases.map { .string($0.rawValue) })],
                "mode": ["enum": .array(SyncMode.allCases.map { .string($0.rawValue) })],
                "primary_key": ["type": "string", "minLength": 1],
                "identity_kind": ["enum": .array(IdentityKind.allCases.map { .string($0.rawValue) })],
                "mappings": ["type": "array", "minItems": 1, "items": mapping],
                "options": [
                    "type": "object",
                    "properties": [
                        "batch_size": ["type": "integer", "minimum": 1, "maximum": 1000],
                        "concurrency": ["type": "integer", "minimum": 1, "maximum": 15],
                        "max_attempts": ["type": "integer", "minimum": 1, "maximum": 100],
                        "max_rejected": [
                            "oneOf": [
                                ["type": "integer", "minimum": 0],
                                ["type": "string", "pattern": "^[0-9]+(\\.[0-9]+)?%$"],
                            ]
                        ],
                        "request_timeout": duration,
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
        case .default: ["type": ["string", "number", "boolean"]]
        case .split: ["type": "string", "minLength": 1]
        case .e164: ["type": "string", "pattern": .string(CountryCode.pattern)]
        case .trim, .lowercase, .uppercase, .msToS, .iso8601, .date, .number, .bool, .string, .gender: nil
        }
    }
}
