/// The job keys each lint rule looks at, so docs/job-reference.md can list the rules of
/// every key. The rules themselves (id, severity, summary) are `LintRule`'s; a test fails
/// when a rule is missing here or names a key the schema does not have.
enum JobKeyRules {
    /// Key paths as the reference names them (`options.batch_size`, `mappings[].to`); `*` for
    /// a rule about any key; empty for a rule about the file as a whole.
    static let keys: [LintRule: [String]] = [
        // Reading the file
        .yamlIO: [], .yamlSize: [], .yamlEncoding: [], .yamlReader: [], .yamlScanner: [], .yamlParser: [],
        .yamlComposer: [], .emptyJob: [],
        // Any key
        .unknownKey: ["*"], .invalidType: ["*"], .unsetVariable: ["*"], .invalidInterpolation: ["*"],
        .missingKey: [
            "version", "name", "destination", "source", "object", "mappings", "destination.region",
            "destination.account_id", "destination.passcode", "source.file", "source.command", "mappings[].from",
            "mappings[].value", "mappings[].to",
        ],
        .invalidValue: [
            "*", "primary_key", "destination.account_id", "source.file", "source.command", "source.timeout",
            "mappings[].from", "mappings[].to", "options.max_attempts", "options.max_rejected",
            "options.request_timeout", "options.retry_timeout", "guards.min_source_rows", "guards.max_source_drop",
            "guards.max_changed", "guards.max_invalid", "destination.limits.event_names",
            "destination.limits.properties_per_event",
        ],
        .conflictingKeys: ["source.file", "source.command", "mappings[].from", "mappings[].value"],
        // The job and its destination
        .unsupportedVersion: ["version"],
        .invalidName: ["name"],
        .invalidRegion: ["destination.region"],
        .literalSecret: ["destination.passcode"],
        .invalidEndpoint: ["destination.endpoint"],
        .endpointNotAllowed: ["destination.endpoint"],
        // The source
        .invalidFormat: ["source.format"],
        .missingFormat: ["source.format", "source.file", "source.command"],
        .invalidDelimiter: ["source.delimiter"],
        .sourceNotFound: ["source.file"],
        .withheldVariable: ["source.command", "source.env"],
        .invalidEnvName: ["source.env"],
        .envWithoutCommand: ["source.env"],
        // What is written, and how
        .invalidObject: ["object"],
        .invalidMode: ["mode"],
        .unsupportedMode: ["mode"],
        .eventsAppendOnly: ["mode", "object"],
        .invalidIdentityKind: ["identity_kind"],
        .identityKindConflict: ["identity_kind"],
        .eventsWithoutPrimaryKey: ["primary_key"],
        .batchSizeRange: ["options.batch_size"],
        .concurrencyRange: ["options.concurrency"],
        // Mappings
        .missingIdentity: ["mappings"],
        .missingEventName: ["object", "mappings"],
        .tooManyProperties: ["mappings"],
        .eventsWithoutTs: ["mappings"],
        .duplicateTarget: ["mappings[].to"],
        .targetNotAllowed: ["mappings[].to"],
        .keyTooLong: ["mappings[].to"],
        .invalidKey: ["mappings[].to"],
        .valueTooLong: ["mappings[].value"],
        .invalidEventName: ["mappings[].value"],
        .restrictedEvent: ["mappings[].value"],
        .tooManyEventNames: ["mappings[].value", "destination.limits.event_names"],
        .unknownTransform: ["mappings[].transform"],
        .invalidTransform: ["mappings[].transform"],
        .transformTargetMismatch: ["mappings[].transform"],
        .dobWithoutDate: ["mappings[].transform"],
    ]

    /// The rules that look at `path` specifically (not those about any key), in registry order.
    static func checking(_ path: String) -> [LintRule] {
        LintRule.allCases.filter { keys[$0]?.contains(path) ?? false }
    }
}
