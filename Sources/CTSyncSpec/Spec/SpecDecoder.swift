import CTSyncYAML
import CTSyncSupport
import CleverTapContract

/// Turns a YAML node tree into a `JobSpec`, collecting every problem with its location
/// instead of stopping at the first.
public struct SpecDecoder {
    /// How a `${VAR}` that is not set is reported: a warning for `lint` (CI lints
    /// without secrets), an error for `plan` and `run`.
    public var unsetVariableSeverity: Severity
    public var environment: [String: String]

    public init(environment: [String: String], unsetVariableSeverity: Severity) {
        self.environment = environment
        self.unsetVariableSeverity = unsetVariableSeverity
    }

    /// Decodes `root` (the document of `source`). The spec is nil when an error made
    /// it impossible to build; diagnostics hold every finding either way.
    public func decode(_ root: Node?, source: CTSyncYAML.SourceText) -> (spec: JobSpec?, diagnostics: [Diagnostic]) {
        var context = Context(decoder: self, file: source.path)
        let spec = context.job(root, fileMark: Mark(file: source.path, line: 1, column: 1))
        let failed = context.diagnostics.contains { $0.severity == .error }
        return (failed ? nil : spec, context.diagnostics)
    }
}

// MARK: - Decoding context

private struct Context {
    let decoder: SpecDecoder
    let file: String
    var diagnostics: [Diagnostic] = []

    init(decoder: SpecDecoder, file: String) {
        self.decoder = decoder
        self.file = file
    }

    mutating func error(_ rule: LintRule, _ message: String, _ mark: Mark) {
        diagnostics.append(Diagnostic(rule, message, mark))
    }

    /// A key as a message names it, quoted: whole up to 64 scalars, else its start and its
    /// size, so a hostile 1 MB key costs a short line, not a megabyte of terminal.
    static func quotedKey(_ key: String) -> String {
        let limit = 64
        guard key.unicodeScalars.count > limit else { return "\"\(key)\"" }
        let head = String(String.UnicodeScalarView(key.unicodeScalars.prefix(limit)))
        return "\"\(head)…\" (\(key.utf8.count) bytes)"
    }

    // MARK: Job

    mutating func job(_ root: Node?, fileMark: Mark) -> JobSpec? {
        guard let root else {
            error(.emptyJob, "job file is empty", fileMark)
            return nil
        }
        guard let pairs = mapping(root, what: "the job") else { return nil }
        checkKeys(pairs, allowed: SpecKeys.job, section: "job")
        requireKeys(pairs, SpecKeys.jobRequired, in: "job", at: root.mark)

        let version = root["version"].flatMap { integer($0, key: "version") }
        if let version, version.value != 1 {
            error(.unsupportedVersion, "unsupported version \(version.value); this ctsync reads version 1", version.mark)
        }
        let name = root["name"].flatMap { string($0, key: "name") }
        if let name, !isValidJobName(name.value) {
            error(
                .invalidName,
                "job name \"\(name.value)\" must be 1 to 100 letters, digits, '-', '_' or '.' (it names reports and state)",
                name.mark)
        }
        let description = root["description"].flatMap { string($0, key: "description")?.value }
        let destination = root["destination"].flatMap { self.destination($0) }
        let source = root["source"].flatMap { self.source($0) }
        let object = root["object"].flatMap { enumeration($0, key: "object", ObjectType.self, rule: .invalidObject) }
        // Events are append-only, so their default is insert (see `events-append-only`).
        var mode = Located(object?.value == .events ? SyncMode.insert : .upsert, root.mark)
        if let node = root["mode"], let text = string(node, key: "mode") {
            if let value = SyncMode(rawValue: text.value) {
                mode = Located(value, text.mark)
                if value == .upsert && object?.value == .events {
                    error(
                        .eventsAppendOnly,
                        "mode upsert does not apply to events: CleverTap stores every event it receives, so an event cannot be updated and a changed row would be stored again; use mode: insert (the default for events), which sends each primary key once",
                        text.mark)
                }
            } else if let reason = SpecKeys.unsupportedModeReason(text.value) {
                error(.unsupportedMode, "mode \"\(text.value)\" is not supported: \(reason)", text.mark)
            } else {
                error(
                    .invalidMode,
                    "unknown mode \"\(text.value)\"; expected upsert or insert"
                        + Suggestion.hint(for: text.value, in: SyncMode.allCases.map(\.rawValue)), text.mark)
            }
        }
        let primaryKey = root["primary_key"].flatMap { string($0, key: "primary_key") }
        if let primaryKey, primaryKey.value.isEmpty {
            error(.invalidValue, "primary_key must not be empty", primaryKey.mark)
        }
        let identityKind = root["identity_kind"].flatMap {
            enumeration($0, key: "identity_kind", IdentityKind.self, rule: .invalidIdentityKind)
        }
        let mappings = root["mappings"].map { self.mappings($0) } ?? []
        let options = root["options"].map { self.options($0) } ?? .defaults(at: root.mark)
        let guards = root["guards"].flatMap { self.guards($0) }

        guard let version, let name, let destination, let source, let object else { return nil }
        _ = version
        return JobSpec(
            file: file, version: version.value, name: name, description: description, destination: destination,
            source: source, object: object, mode: mode, primaryKey: primaryKey, mappings: mappings,
            identityKind: identityKind, options: options, guards: guards.flatMap { $0.isEmpty ? nil : $0 },
            mark: root.mark)
    }

    func isValidJobName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 100
            && name.unicodeScalars.allSatisfy {
                $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0))
            }
    }

    // MARK: Destination

    mutating func destination(_ node: Node) -> Destination? {
        guard let pairs = mapping(node, what: "destination") else { return nil }
        checkKeys(pairs, allowed: SpecKeys.destination, section: "destination")
        requireKeys(pairs, SpecKeys.destinationRequired, in: "destination", at: node.mark)
        let region = node["region"].flatMap { regionValue($0) }
        let account = node["account_id"].flatMap { string($0, key: "account_id") }
        if let account, account.value.isEmpty, !hasUnsetVariable(node["account_id"]) {
            error(.invalidValue, "account_id must not be empty", account.mark)
        }
        var passcode: Located<String>?
        if let passNode = node["passcode"], let scalar = passNode.scalar {
            if !scalar.value.contains("${") && !scalar.isNull {
                error(
                    .literalSecret,
                    "passcode is written literally; use an environment variable such as ${CLEVERTAP_PASSCODE} so the secret stays out of version control",
                    scalar.mark)
            }
            passcode = string(passNode, key: "passcode")
        } else if let passNode = node["passcode"] {
            passcode = string(passNode, key: "passcode")
        }
        let endpoint = node["endpoint"].flatMap { string($0, key: "endpoint") }
        if let endpoint, !endpoint.value.isEmpty, !hasUnsetVariable(node["endpoint"]) {
            if let problem = Endpoint.problem(with: endpoint.value) {
                error(.invalidEndpoint, problem, endpoint.mark)
            }
        }
        let limits = node["limits"].map { self.limits($0) } ?? AccountLimits()
        guard let region, let account, let passcode else { return nil }
        let secrets = referencedVariables(node["account_id"]) + referencedVariables(node["passcode"])
        return Destination(
            region: region, accountID: account, passcode: passcode, endpoint: endpoint, limits: limits,
            secretVariables: secrets.reduce(into: []) { names, name in if !names.contains(name) { names.append(name) } })
    }

    /// `destination.limits`: the event-name and property budgets, within CleverTap's limits.
    mutating func limits(_ node: Node) -> AccountLimits {
        var limits = AccountLimits(mark: node.mark)
        guard let pairs = mapping(node, what: "destination.limits") else { return limits }
        checkKeys(pairs, allowed: SpecKeys.limits, section: "destination.limits")
        if let n = node["event_names"], let value = integer(n, key: "event_names") {
            if AccountLimits.eventNamesRange.contains(value.value) {
                limits.eventNames = value.value
            } else {
                error(
                    .invalidValue,
                    "limits.event_names \(value.value) is out of range 1..\(CleverTapRules.maxEventNames) (CleverTap keeps at most \(CleverTapRules.maxEventNames) event names per account, its system events included)",
                    value.mark)
            }
        }
        if let n = node["properties_per_event"], let value = integer(n, key: "properties_per_event") {
            if AccountLimits.propertiesPerEventRange.contains(value.value) {
                limits.propertiesPerEvent = value.value
            } else {
                error(
                    .invalidValue,
                    "limits.properties_per_event \(value.value) is out of range 1..\(CleverTapRules.maxCustomProperties) (CleverTap keeps at most \(CleverTapRules.maxCustomProperties) property keys per event name; set your account's figure)",
                    value.mark)
            }
        }
        return limits
    }

    /// The `${VAR}` names a scalar reads.
    func referencedVariables(_ node: Node?) -> [String] {
        guard let scalar = node?.scalar else { return [] }
        return (try? Interpolation(environment: decoder.environment).expand(scalar.value))?.referenced ?? []
    }

    mutating func regionValue(_ node: Node) -> Located<Region>? {
        guard let text = string(node, key: "region") else { return nil }
        if text.value.isEmpty && hasUnsetVariable(node) {
            return Located(.us1, text.mark)  // unknown until run time; lint already warned
        }
        guard let region = Region(rawValue: text.value) else {
            let valid = Region.allCases.map(\.rawValue)
            error(
                .invalidRegion,
                "unknown region \"\(text.value)\"; expected one of \(valid.joined(separator: ", "))"
                    + Suggestion.hint(for: text.value, in: valid), text.mark)
            return nil
        }
        return Located(region, text.mark)
    }

    func hasUnsetVariable(_ node: Node?) -> Bool {
        guard let scalar = node?.scalar else { return false }
        let result = try? Interpolation(environment: decoder.environment).expand(scalar.value)
        return !(result?.unset.isEmpty ?? true)
    }

    // MARK: Source

    mutating func source(_ node: Node) -> SourceSpec? {
        guard let pairs = mapping(node, what: "source") else { return nil }
        checkKeys(pairs, allowed: SpecKeys.source, section: "source")
        let fileText = node["file"].flatMap { string($0, key: "file") }
        let command = node["command"].flatMap { commandText($0) }
        let passed = node["env"].map { environmentNames($0) } ?? []
        if command == nil, fileText != nil, let envNode = node["env"] {
            diagnostics.append(
                Diagnostic(.envWithoutCommand, "source.env only applies to a source command; remove it", envNode.mark))
        }
        var format: SourceFormat?
        if let formatNode = node["format"] {
            format = enumeration(formatNode, key: "format", SourceFormat.self, rule: .invalidFormat)?.value
            if format == nil { return nil }
        }
        let input: SourceSpec.Input
        switch (fileText, command) {
        case (let file?, nil):
            if file.value.isEmpty {
                error(.invalidValue, "source.file must not be empty", file.mark)
                return nil
            }
            let resolved = Paths.resolve(file.value, relativeTo: Paths.directory(of: self.file))
            input = .file(written: file, resolved: resolved)
            if format == nil {
                format = SourceFormat.inferred(fromPath: file.value)
                if format == nil {
                    error(
                        .missingFormat,
                        "cannot infer the format of \"\(file.value)\" from its extension; set source.format to csv, tsv or jsonl",
                        file.mark)
                    return nil
                }
            }
        case (nil, let command?):
            if command.value.isEmpty {
                error(.invalidValue, "source.command must not be empty", command.mark)
                return nil
            }
            input = .command(command)
            if format == nil {
                error(.missingFormat, "a source command needs source.format (csv, tsv or jsonl)", command.mark)
                return nil
            }
        case (.some, .some(let command)):
            error(.conflictingKeys, "source has both file and command; keep one", command.mark)
            return nil
        case (nil, nil):
            error(.missingKey, "source needs either file or command", node.mark)
            return nil
        }
        var delimiter: UInt8?
        if let delimNode = node["delimiter"], let text = string(delimNode, key: "delimiter") {
            switch text.value {
            case "\\t", "\t", "tab": delimiter = UInt8(ascii: "\t")
            case let s where s.utf8.count == 1 && s != "\"" && s != "\n" && s != "\r":
                delimiter = s.utf8.first
            default:
                error(
                    .invalidDelimiter, "delimiter must be a single ASCII character other than a quote or newline (or \\t)",
                    text.mark)
            }
        }
        var header = true
        if let headerNode = node["header"], let value = boolean(headerNode, key: "header") { header = value }
        var timeout: Double?
        if let timeoutNode = node["timeout"] {
            timeout = duration(timeoutNode, key: "timeout")
        }
        return SourceSpec(
            input: input, passedVariables: passed, format: format!, delimiter: delimiter, header: header,
            timeout: timeout, mark: node.mark)
    }

    /// `source.command` as written: ctsync substitutes no variables in a command, whose
    /// line `ps` shows to every user; the shell expands them from its environment.
    mutating func commandText(_ node: Node) -> Located<String>? {
        guard let scalar = node.scalar else {
            error(.invalidType, "command must be a string, found a \(node.kindName)", node.mark)
            return nil
        }
        if scalar.style == .plain && scalar.isNull {
            error(.invalidValue, "command must not be empty", scalar.mark)
            return nil
        }
        return Located(Interpolation.commandText(scalar.value), scalar.mark)
    }

    /// `source.env`: a list of environment variable names.
    mutating func environmentNames(_ node: Node) -> [Located<String>] {
        guard let items = node.sequence else {
            error(.invalidType, "source.env must be a list of environment variable names (env: [PGPASSWORD]), found a \(node.kindName)",
                node.mark)
            return []
        }
        var names: [Located<String>] = []
        for item in items {
            guard let scalar = item.scalar, !(scalar.style == .plain && scalar.isNull) else {
                error(.invalidEnvName, "each item of source.env must be a variable name", item.mark)
                continue
            }
            guard Interpolation.isValidName(scalar.value) else {
                error(.invalidEnvName,
                    "\(Self.quotedKey(scalar.value)) is not an environment variable name (letters, digits and _, not starting with a digit)",
                    scalar.mark)
                continue
            }
            names.append(Located(scalar.value, scalar.mark))
        }
        return names
    }

    // MARK: Mappings

    mutating func mappings(_ node: Node) -> [Mapping] {
        guard let items = node.sequence else {
            error(.invalidType, "mappings must be a list, found a \(node.kindName)", node.mark)
            return []
        }
        if items.isEmpty {
            error(.missingIdentity, "mappings is empty; map at least a column to identity", node.mark)
        }
        return items.compactMap { mapping(item: $0) }
    }

    mutating func mapping(item node: Node) -> Mapping? {
        guard let pairs = mapping(node, what: "a mapping") else { return nil }
        checkKeys(pairs, allowed: SpecKeys.mapping, section: "mapping")
        let column = node["from"].flatMap { string($0, key: "from") }
        var constant: Located<Value>?
        if let valueNode = node["value"] { constant = constantValue(valueNode) }
        let target = node["to"].flatMap { string($0, key: "to") }
        if node["to"] == nil { error(.missingKey, "mapping needs \"to\": the CleverTap field it writes", node.mark) }
        if let target, target.value.isEmpty { error(.invalidValue, "mapping target \"to\" must not be empty", target.mark) }
        if node["from"] != nil, node["value"] != nil {
            error(.conflictingKeys, "mapping has both from and value; keep one", node["value"]!.mark)
        } else if node["from"] == nil, node["value"] == nil {
            error(.missingKey, "mapping needs \"from\" (a source column) or \"value\" (a constant)", node.mark)
        }
        if let column, column.value.isEmpty { error(.invalidValue, "mapping source column \"from\" must not be empty", column.mark) }
        let transforms = node["transform"].map { self.transforms($0) } ?? []
        guard let target, column != nil || constant != nil else { return nil }
        return Mapping(column: column, constant: constant, target: target, transforms: transforms, mark: node.mark)
    }

    mutating func constantValue(_ node: Node) -> Located<Value>? {
        guard let scalar = node.scalar else {
            error(.invalidType, "value must be a scalar constant, found a \(node.kindName)", node.mark)
            return nil
        }
        if scalar.style == .plain {
            if scalar.isNull { return Located(.null, scalar.mark) }
            if let b = scalar.bool { return Located(.bool(b), scalar.mark) }
            if scalar.int != nil || (scalar.double != nil && !Context.hasLeadingZero(scalar.value)) {
                return Located(.number(scalar.value), scalar.mark)
            }
        }
        guard let text = string(node, key: "value") else { return nil }
        return Located(.string(text.value), text.mark)
    }

    /// `0123` and `007.5` stay text: a leading zero means a code (zip, id), not a number.
    static func hasLeadingZero(_ text: String) -> Bool {
        let digits = text.drop { $0 == "-" || $0 == "+" }
        return digits.count > 1 && digits.first == "0" && digits.dropFirst().first != "."
    }

    mutating func transforms(_ node: Node) -> [Located<Transform>] {
        let items: [Node]
        if node.scalar != nil {
            items = [node]
        } else if let list = node.sequence {
            items = list
        } else {
            error(.invalidType, "transform must be a list of transforms, found a \(node.kindName)", node.mark)
            return []
        }
        return items.compactMap { transform($0) }
    }

    mutating func transform(_ node: Node) -> Located<Transform>? {
        let written: String
        var argumentNode: Node?
        let mark = node.mark
        if let scalar = node.scalar {
            written = scalar.value
        } else if let pairs = node.mapping, pairs.count == 1, let key = pairs[0].key.scalar {
            written = key.value
            guard pairs[0].value.scalar != nil else {
                error(.invalidTransform, "the argument of transform \"\(written)\" must be a scalar", pairs[0].value.mark)
                return nil
            }
            argumentNode = pairs[0].value
        } else {
            error(
                .invalidTransform, "a transform is a name (trim) or a one-key map with its argument ({ default: x })", mark)
            return nil
        }
        let name = written.trimmingSpaces
        guard let kind = TransformKind(rawValue: name) else {
            error(
                .unknownTransform,
                "unknown transform \"\(name)\"" + Suggestion.hint(for: name, in: Transform.names)
                    + "; known transforms: \(Transform.names.joined(separator: ", "))", mark)
            return nil
        }
        var text: String?
        if let argument = argumentNode?.scalar {
            if kind.argument == .none {
                text = argument.value  // refused below
            } else if hasUnsetVariable(argumentNode) {
                _ = interpolate(argument)  // reports the variable
                // Unknown until run time: lint has warned, and plan and run refuse the job.
                switch kind {
                case .e164: return Located(.e164(defaultCountryCode: nil), mark)
                case .split: return Located(.split(separator: .comma), mark)
                default: return Located(.default(""), mark)
                }
            } else if argument.isNull {
                text = ""  // YAML's null is no text, not the word "null"
            } else {
                guard let value = interpolate(argument) else { return nil }
                text = value
            }
        }
        do {
            return Located(try kind.transform(argument: text), mark)
        } catch let problem {
            // A bad value is pointed at where it is written; a misused transform at its name.
            error(.invalidTransform, problem.description, problem.concernsValue ? argumentNode?.mark ?? mark : mark)
            return nil
        }
    }

    // MARK: Options

    mutating func options(_ node: Node) -> Options {
        var options = Options.defaults(at: node.mark)
        guard let pairs = mapping(node, what: "options") else { return options }
        checkKeys(pairs, allowed: SpecKeys.options, section: "options")
        if let n = node["batch_size"], let value = integer(n, key: "batch_size") {
            if !(1...1000).contains(value.value) {
                error(
                    .batchSizeRange, "batch_size \(value.value) is out of range 1..1000 (CleverTap takes at most 1000 records a request)",
                    value.mark)
            }
            options.batchSize = value
        }
        if let n = node["concurrency"], let value = integer(n, key: "concurrency") {
            if !(1...15).contains(value.value) {
                error(
                    .concurrencyRange,
                    "concurrency \(value.value) is out of range 1..15 (CleverTap allows 15 concurrent requests per account)",
                    value.mark)
            }
            options.concurrency = value
        }
        if let n = node["max_attempts"], let value = integer(n, key: "max_attempts") {
            if !(1...100).contains(value.value) {
                error(.invalidValue, "max_attempts \(value.value) is out of range 1..100", value.mark)
            }
            options.maxAttempts = value.value
        }
        if let n = node["request_timeout"], let seconds = duration(n, key: "request_timeout") {
            if !(1...600).contains(seconds) {
                error(.invalidValue, "request_timeout must be between 1s and 10m", n.mark)
            }
            options.requestTimeout = seconds
        }
        if let n = node["retry_timeout"], let seconds = duration(n, key: "retry_timeout") {
            if !(Options.retryTimeoutRange).contains(seconds) {
                error(
                    .invalidValue,
                    "retry_timeout must be between 1s and 24h (how long a batch keeps retrying 429s and server errors)",
                    n.mark)
            }
            options.retryTimeout = seconds
        }
        if let n = node["max_rejected"], let scalar = n.scalar {
            let text = interpolate(scalar) ?? ""
            if text.hasSuffix("%"), let share = Double(text.dropLast().trimmingSpaces), (0...100).contains(share) {
                options.maxRejected = .percent(share)
            } else if let count = Int(text), count >= 0 {
                options.maxRejected = .count(count)
            } else {
                error(
                    .invalidValue,
                    "max_rejected must be a row count (e.g. 10) or a percentage of source rows (e.g. 0.5%), found \"\(text)\"",
                    scalar.mark)
            }
        } else if let n = node["max_rejected"] {
            error(.invalidType, "max_rejected must be a count or a percentage, found a \(n.kindName)", n.mark)
        }
        return options
    }

    // MARK: Guards

    mutating func guards(_ node: Node) -> Guards? {
        guard let pairs = mapping(node, what: "guards") else { return nil }
        checkKeys(pairs, allowed: SpecKeys.guards, section: "guards")
        var guards = Guards(mark: node.mark)
        if let n = node["min_source_rows"], let value = integer(n, key: "guards.min_source_rows") {
            if value.value < 1 {
                error(
                    .invalidValue,
                    "guards.min_source_rows must be a row count of at least 1 (the fewest source rows a run may read), found \(value.value)",
                    value.mark)
            } else {
                guards.minSourceRows = value
            }
        }
        guards.maxSourceDrop = node["max_source_drop"].flatMap {
            guardPercent(
                $0, key: "max_source_drop", meaning: "the largest drop in source rows against the last successful run",
                example: "50%")
        }
        guards.maxChanged = node["max_changed"].flatMap {
            guardPercent(
                $0, key: "max_changed", meaning: "the largest share of acknowledged keys a run may change", example: "30%")
        }
        guards.maxInvalid = node["max_invalid"].flatMap {
            guardPercent($0, key: "max_invalid", meaning: "the largest share of source rows that may be invalid", example: "5%")
        }
        return guards
    }

    /// A guard's percentage: `50%`, from 0% to 100% (a drop of 100% is every row gone).
    mutating func guardPercent(_ node: Node, key: String, meaning: String, example: String) -> Located<Double>? {
        guard let scalar = node.scalar, !(scalar.style == .plain && scalar.isNull) else {
            let found = node.scalar == nil ? "a \(node.kindName)" : "nothing"
            error(.invalidType, "guards.\(key) must be a percentage such as \(example) (\(meaning)), found \(found)", node.mark)
            return nil
        }
        guard let text = interpolate(scalar) else { return nil }
        let trimmed = text.trimmingSpaces
        if trimmed.hasSuffix("%"), let share = Double(trimmed.dropLast().trimmingSpaces), share.isFinite, (0...100).contains(share) {
            return Located(share, scalar.mark)
        }
        let hint =
            Double(trimmed) != nil
            ? "; write the percent sign: a bare number could mean a fraction or a percentage" : ""
        error(
            .invalidValue,
            "guards.\(key) must be a percentage from 0% to 100% such as \(example) (\(meaning)), found \"\(text)\"\(hint)",
            scalar.mark)
        return nil
    }

    // MARK: Scalars

    mutating func mapping(_ node: Node, what: String) -> [Pair]? {
        guard let pairs = node.mapping else {
            error(.invalidType, "\(what) must be a mapping, found a \(node.kindName)", node.mark)
            return nil
        }
        return pairs
    }

    mutating func checkKeys(_ pairs: [Pair], allowed: [String], section: String) {
        for pair in pairs {
            guard let key = pair.key.scalar?.value else { continue }
            if !allowed.contains(key) {
                error(
                    .unknownKey,
                    "unknown key \(Self.quotedKey(key)) in \(section)" + Suggestion.hint(for: key, in: allowed),
                    pair.key.mark)
            }
        }
    }

    mutating func requireKeys(_ pairs: [Pair], _ required: [String], in section: String, at mark: Mark) {
        let present = Set(pairs.compactMap { $0.key.scalar?.value })
        for key in required where !present.contains(key) {
            error(.missingKey, "\(section) is missing the required key \"\(key)\"", mark)
        }
    }

    /// Interpolates a scalar's text, reporting unset variables and syntax errors.
    mutating func interpolate(_ scalar: Scalar) -> String? {
        do {
            let result = try Interpolation(environment: decoder.environment).expand(scalar.value)
            for name in result.unset {
                diagnostics.append(
                    Diagnostic(
                        .unsetVariable, "environment variable \(name) is not set", scalar.mark,
                        severity: decoder.unsetVariableSeverity))
            }
            return result.value
        } catch {
            switch error {
            case .unterminated:
                self.error(
                    .invalidInterpolation, "unterminated ${ in \"\(scalar.value)\"; write $${ for a literal", scalar.mark)
            case .invalidName(let name):
                self.error(.invalidInterpolation, "\"\(name)\" is not a valid environment variable name", scalar.mark)
            }
        }
        return nil
    }

    mutating func string(_ node: Node, key: String) -> Located<String>? {
        guard let scalar = node.scalar else {
            error(.invalidType, "\(key) must be a string, found a \(node.kindName)", node.mark)
            return nil
        }
        if scalar.style == .plain && scalar.isNull {
            error(.invalidValue, "\(key) must not be empty", scalar.mark)
            return nil
        }
        guard let text = interpolate(scalar) else { return nil }
        return Located(text, scalar.mark)
    }

    mutating func integer(_ node: Node, key: String) -> Located<Int>? {
        guard let scalar = node.scalar else {
            error(.invalidType, "\(key) must be an integer, found a \(node.kindName)", node.mark)
            return nil
        }
        if scalar.style == .plain, let value = scalar.int { return Located(value, scalar.mark) }
        if scalar.value.contains("${"), let text = interpolate(scalar), let value = Int(text) {
            return Located(value, scalar.mark)
        }
        error(.invalidType, "\(key) must be an integer, found \"\(scalar.value)\"", scalar.mark)
        return nil
    }

    mutating func boolean(_ node: Node, key: String) -> Bool? {
        if let scalar = node.scalar, scalar.style == .plain, let value = scalar.bool { return value }
        let found = node.scalar.map { "\"\($0.value)\"" } ?? "a \(node.kindName)"
        error(.invalidType, "\(key) must be true or false, found \(found)", node.mark)
        return nil
    }

    mutating func enumeration<E: RawRepresentable & CaseIterable>(
        _ node: Node, key: String, _ type: E.Type, rule: LintRule
    ) -> Located<E>? where E.RawValue == String {
        guard let text = string(node, key: key) else { return nil }
        if let value = E(rawValue: text.value) { return Located(value, text.mark) }
        let valid = E.allCases.map(\.rawValue)
        error(
            rule,
            "unknown \(key) \"\(text.value)\"; expected one of \(valid.joined(separator: ", "))"
                + Suggestion.hint(for: text.value, in: valid), text.mark)
        return nil
    }

    /// A duration in seconds: a number, or text such as `90s`, `30m`, `1h30m`, `500ms`.
    mutating func duration(_ node: Node, key: String) -> Double? {
        guard let scalar = node.scalar, let text = interpolate(scalar) else {
            error(.invalidType, "\(key) must be a duration such as 90s, 30m or 2h, found a \(node.kindName)", node.mark)
            return nil
        }
        if let seconds = DurationText.parseSeconds(text), seconds > 0 { return seconds }
        error(.invalidValue, "\(key) must be a positive duration such as 90s, 30m or 2h, found \"\(text)\"", scalar.mark)
        return nil
    }
}

extension StringProtocol {
    var trimmingSpaces: String {
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let end = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(String.UnicodeScalarView(scalars[start...end]))
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

/// Durations as users write them in job files (and in duration flags such as `--retry-timeout`).
package enum DurationText {
    package static func parseSeconds(_ text: String) -> Double? {
        let text = text.trimmingSpaces
        if let plain = Double(text) { return plain }
        var total = 0.0
        var number = ""
        var unit = ""
        var sawAny = false
        func flush() -> Bool {
            guard let value = Double(number) else { return false }
            let factor: Double
            switch unit {
            case "ms": factor = 0.001
            case "s": factor = 1
            case "m": factor = 60
            case "h": factor = 3600
            default: return false
            }
            total += value * factor
            number = ""
            unit = ""
            sawAny = true
            return true
        }
        for ch in text {
            if ch.isASCIIDigit || ch == "." {
                if !unit.isEmpty { guard flush() else { return nil } }
                number.append(ch)
            } else if ch.isLetter {
                unit.append(ch)
            } else {
                return nil
            }
        }
        guard !number.isEmpty, !unit.isEmpty, flush() else { return nil }
        return sawAny ? total : nil
    }
}
