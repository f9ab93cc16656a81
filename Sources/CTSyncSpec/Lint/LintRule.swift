import CTSyncSupport
import CTSyncYAML

/// Every rule a finding about a job file can come from: its stable id (the raw value,
/// a contract: scripts and `--disable` name rules by it), its default severity, what it
/// finds, and whether `lint --disable` may switch it off. `ctsync rules` and the README
/// list this registry.
public enum LintRule: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    // MARK: Reading the file
    case yamlIO = "yaml-io"
    case yamlSize = "yaml-size"
    case yamlEncoding = "yaml-encoding"
    case yamlReader = "yaml-reader"
    case yamlScanner = "yaml-scanner"
    case yamlParser = "yaml-parser"
    case yamlComposer = "yaml-composer"

    // MARK: The job format
    case emptyJob = "empty-job"
    case invalidType = "invalid-type"
    case invalidValue = "invalid-value"
    case unknownKey = "unknown-key"
    case missingKey = "missing-key"
    case conflictingKeys = "conflicting-keys"
    case unsupportedVersion = "unsupported-version"
    case invalidName = "invalid-name"
    case invalidRegion = "invalid-region"
    case invalidObject = "invalid-object"
    case invalidMode = "invalid-mode"
    case unsupportedMode = "unsupported-mode"
    case invalidIdentityKind = "invalid-identity-kind"
    case invalidFormat = "invalid-format"
    case missingFormat = "missing-format"
    case invalidDelimiter = "invalid-delimiter"
    case invalidInterpolation = "invalid-interpolation"
    case unknownTransform = "unknown-transform"
    case invalidTransform = "invalid-transform"
    case batchSizeRange = "batch-size-range"
    case concurrencyRange = "concurrency-range"
    case invalidEnvName = "invalid-env-name"

    // MARK: Security
    case literalSecret = "literal-secret"
    case invalidEndpoint = "invalid-endpoint"
    case endpointNotAllowed = "endpoint-not-allowed"

    // MARK: CleverTap's rules
    case missingIdentity = "missing-identity"
    case missingEventName = "missing-event-name"
    case targetNotAllowed = "target-not-allowed"
    case duplicateTarget = "duplicate-target"
    case keyTooLong = "key-too-long"
    case invalidKey = "invalid-key"
    case tooManyProperties = "too-many-properties"
    case valueTooLong = "value-too-long"
    case invalidEventName = "invalid-event-name"
    case restrictedEvent = "restricted-event"
    case transformTargetMismatch = "transform-target-mismatch"
    case tooManyEventNames = "too-many-event-names"
    case eventsAppendOnly = "events-append-only"

    // MARK: Advice
    case dobWithoutDate = "dob-without-date"
    case eventsWithoutTs = "events-without-ts"
    case eventsWithoutPrimaryKey = "events-without-primary-key"
    case identityKindConflict = "identity-kind-conflict"
    case envWithoutCommand = "env-without-command"
    case withheldVariable = "withheld-variable"

    // MARK: The machine lint runs on
    case unsetVariable = "unset-variable"
    case sourceNotFound = "source-not-found"

    /// What kind of problem a rule finds; it decides whether the rule can be disabled.
    public enum Category: String, Sendable, CaseIterable, Codable {
        /// The file cannot be read as a YAML document.
        case yaml
        /// The document is not a job ctsync can load.
        case spec
        /// The job would leak a secret.
        case security
        /// The job breaks one of CleverTap's rules: every row, or the run, would be refused.
        case clevertap
        /// Probably a mistake, but the job runs.
        case advice
        /// Depends on where lint runs (variables, files), not on the job.
        case environment
    }

    /// The id findings and `--disable` use, e.g. `unknown-key`.
    public var id: String { rawValue }

    public var description: String { rawValue }

    public var category: Category {
        switch self {
        case .yamlIO, .yamlSize, .yamlEncoding, .yamlReader, .yamlScanner, .yamlParser, .yamlComposer:
            .yaml
        case .emptyJob, .invalidType, .invalidValue, .unknownKey, .missingKey, .conflictingKeys, .unsupportedVersion,
            .invalidName, .invalidRegion, .invalidObject, .invalidMode, .unsupportedMode, .invalidIdentityKind,
            .invalidFormat, .missingFormat, .invalidDelimiter, .invalidInterpolation, .unknownTransform,
            .invalidTransform, .batchSizeRange, .concurrencyRange, .invalidEnvName:
            .spec
        case .literalSecret, .invalidEndpoint, .endpointNotAllowed:
            .security
        case .missingIdentity, .missingEventName, .targetNotAllowed, .duplicateTarget, .keyTooLong, .invalidKey,
            .tooManyProperties, .valueTooLong, .invalidEventName, .restrictedEvent, .transformTargetMismatch,
            .tooManyEventNames, .eventsAppendOnly:
            .clevertap
        case .dobWithoutDate, .eventsWithoutTs, .eventsWithoutPrimaryKey, .identityKindConflict, .envWithoutCommand,
            .withheldVariable:
            .advice
        case .unsetVariable, .sourceNotFound:
            .environment
        }
    }

    /// How `lint` reports the rule. `plan` and `run` load jobs with the same rules, but
    /// an unset variable is an error there.
    public var severity: Severity {
        switch category {
        case .yaml, .spec, .security, .clevertap: .error
        case .advice, .environment: .warning
        }
    }

    /// Whether `lint --disable` may switch the rule off: only advice and checks of the
    /// machine lint runs on. Errors stop `plan` and `run` as well, so hiding one from
    /// `lint` would only move the failure to deploy time; security rules always apply.
    public var canBeDisabled: Bool {
        switch category {
        case .advice, .environment: true
        case .yaml, .spec, .security, .clevertap: false
        }
    }

    /// One line: what the rule finds.
    public var summary: String {
        switch self {
        case .yamlIO: "the job file cannot be opened or read"
        case .yamlSize: "the job file is larger than 1 MiB"
        case .yamlEncoding: "the job file is not UTF-8 text"
        case .yamlReader: "the job file contains a character YAML does not allow"
        case .yamlScanner: "YAML syntax: a token cannot be formed (a tab in the indentation, an unclosed quote)"
        case .yamlParser: "YAML structure: tokens in an invalid order (bad indentation, a missing ':')"
        case .yamlComposer:
            "valid YAML but not an acceptable document: a duplicate key, several documents, a bad alias, or nesting, alias expansion or size over the limits"
        case .emptyJob: "the job file holds no document"
        case .invalidType: "a value of the wrong kind: a list where a mapping belongs, text where a number belongs"
        case .invalidValue: "a value that is empty or out of range"
        case .unknownKey: "a key the job format does not define (with a did-you-mean for typos)"
        case .missingKey: "a required key is missing"
        case .conflictingKeys: "two keys that exclude each other: source file and command, mapping from and value"
        case .unsupportedVersion: "a job format version this ctsync cannot read"
        case .invalidName: "the job name is not 1 to 100 letters, digits, '-', '_' or '.'"
        case .invalidRegion: "an unknown CleverTap region"
        case .invalidObject: "object is neither profiles nor events"
        case .invalidMode: "an unknown sync mode"
        case .unsupportedMode: "a sync mode CleverTap's API cannot support (update only, mirror, audiences)"
        case .invalidIdentityKind: "identity_kind is not email, phone or custom"
        case .invalidFormat: "the source format is not csv, tsv or jsonl"
        case .missingFormat: "the source format cannot be inferred (a command, or an unknown file extension)"
        case .invalidDelimiter: "the delimiter is not a single ASCII character other than a quote or newline"
        case .invalidInterpolation: "a malformed ${VAR} reference"
        case .unknownTransform: "a transform ctsync does not know"
        case .invalidTransform: "a transform written wrongly, or with an argument it refuses"
        case .batchSizeRange: "batch_size outside 1..1000"
        case .concurrencyRange: "concurrency outside 1..15"
        case .invalidEnvName: "a source.env entry that is not a valid environment variable name"
        case .literalSecret: "the passcode is written literally instead of as an environment variable"
        case .invalidEndpoint: "an endpoint override that is not https:// (plain http:// only to loopback)"
        case .endpointNotAllowed:
            "a job-file endpoint to a host that is neither CleverTap's nor loopback: the passcode would go there"
        case .missingIdentity: "no mapping writes identity"
        case .missingEventName: "an events job does not map evtName"
        case .targetNotAllowed: "a profiles job maps evtName"
        case .duplicateTarget: "two mappings write the same target"
        case .keyTooLong: "a property key longer than 120 bytes"
        case .invalidKey: "a property key with characters CleverTap strips"
        case .tooManyProperties: "more than 256 custom properties are mapped"
        case .valueTooLong: "a constant value longer than 512 bytes"
        case .invalidEventName: "a constant event name that is empty, too long, or has characters CleverTap strips"
        case .restrictedEvent: "a constant event name that is a CleverTap system event"
        case .transformTargetMismatch: "a transform whose output the target cannot hold (date into Phone)"
        case .tooManyEventNames: "the linted jobs of one account map more distinct event names than 512 or their destination.limits.event_names"
        case .eventsAppendOnly: "an events job in upsert mode: CleverTap stores every event, so events are insert-only"
        case .dobWithoutDate: "DOB is mapped from a column without the date transform"
        case .eventsWithoutTs: "an events job does not map ts, so CleverTap stamps events when it receives them"
        case .eventsWithoutPrimaryKey: "an events job without primary_key re-sends every event on every run"
        case .identityKindConflict: "jobs of one account declare different identity_kind values"
        case .envWithoutCommand: "source.env on a file source, where no command runs"
        case .withheldVariable: "a source command reads a secret ctsync withholds from it (pass it in source.env)"
        case .unsetVariable: "an environment variable the job uses is not set (an error for plan and run)"
        case .sourceNotFound: "the source file does not exist where lint runs"
        }
    }

    /// The rule of a YAML loading error.
    public init(_ kind: YAMLError.Kind) {
        switch kind {
        case .io: self = .yamlIO
        case .size: self = .yamlSize
        case .encoding: self = .yamlEncoding
        case .reader: self = .yamlReader
        case .scanner: self = .yamlScanner
        case .parser: self = .yamlParser
        case .composer: self = .yamlComposer
        }
    }

    /// The rules `lint --disable` accepts, in registry order.
    public static var disableable: [LintRule] { allCases.filter(\.canBeDisabled) }

    /// The rules named by `--disable`, or why a name cannot be disabled.
    public static func disabling(_ ids: [String]) throws(RuleSelectionError) -> Set<LintRule> {
        var rules: Set<LintRule> = []
        for id in ids {
            guard let rule = LintRule(rawValue: id) else { throw .unknown(id) }
            guard rule.canBeDisabled else { throw .cannotBeDisabled(rule) }
            rules.insert(rule)
        }
        return rules
    }
}

/// A rule named on the command line that cannot be switched off.
public enum RuleSelectionError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknown(String)
    case cannotBeDisabled(LintRule)

    public var description: String {
        let choices = "rules that can be disabled: " + LintRule.disableable.map(\.id).joined(separator: ", ")
        switch self {
        case .unknown(let id):
            return "unknown rule \"\(id)\""
                + Suggestion.hint(for: id, in: LintRule.allCases.map(\.id)) + "; \(choices)"
        case .cannotBeDisabled(let rule):
            let why =
                rule.category == .security
                ? "security rules always apply"
                : "its errors stop plan and run as well"
            return "rule \"\(rule.id)\" cannot be disabled (\(why)); \(choices)"
        }
    }
}
