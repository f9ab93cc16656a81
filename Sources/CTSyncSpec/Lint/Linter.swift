import CTSyncYAML
import CTSyncSupport
import CleverTapContract

/// The outcome of linting a set of job files.
public struct LintResult: Sendable {
    public var jobs: [LoadedJob]
    /// Every finding, ordered by file, then line, then column.
    public var diagnostics: [Diagnostic]

    public var errorCount: Int { diagnostics.count { $0.severity == .error } }
    public var warningCount: Int { diagnostics.count { $0.severity == .warning } }

    /// The text of each file by path, to render findings with their source line.
    public var sources: [String: CTSyncYAML.SourceText] {
        Dictionary(jobs.compactMap { job in job.source.map { (job.path, $0) } }, uniquingKeysWith: { a, _ in a })
    }
}

/// Static checks over job specs: the rules CI runs before deploy.
public struct Linter: Sendable {
    public var environment: [String: String]
    /// Rules whose findings are dropped (`lint --disable`). Only rules that
    /// ``LintRule/canBeDisabled`` are kept: ``LintRule/disabling(_:)`` refuses the others
    /// with the reason, before a linter is made.
    public let disabled: Set<LintRule>

    public init(environment: [String: String], disabled: Set<LintRule> = []) {
        self.environment = environment
        self.disabled = disabled.filter(\.canBeDisabled)
    }

    /// Lints the job files, each on its own and then together (rules that span jobs of one account).
    public func lint(files: [String]) -> LintResult {
        var jobs: [LoadedJob] = []
        for file in files {
            var job = JobLoader.load(path: file, environment: environment, unsetVariableSeverity: .warning)
            if let spec = job.spec {
                // Whatever the operator allows where ctsync runs: the review of a job file
                // must see an endpoint that sends the passcode elsewhere.
                job.diagnostics += Linter.rules(for: spec) + Linter.endpointRules(for: spec, allowList: EndpointAllowList())
            }
            jobs.append(job)
        }
        let all = jobs.flatMap(\.diagnostics) + Linter.crossJobRules(jobs.compactMap(\.spec))
        return LintResult(jobs: jobs, diagnostics: Diagnostic.sorted(all.filter { !disabled.contains($0.rule) }))
    }

    // MARK: - Rules for one job

    /// Every static finding about one decoded job.
    public static func rules(for spec: JobSpec) -> [Diagnostic] {
        var found: [Diagnostic] = []
        let isEvents = spec.object.value == .events
        let mappingsMark = spec.mappings.first?.mark ?? spec.mark

        // Required targets.
        let targets = spec.mappings.map(\.target.value)
        if !targets.contains("identity") {
            found.append(
                Diagnostic(
                    .missingIdentity,
                    "no mapping writes identity; every CleverTap record needs one (e.g. - { from: email, to: identity })",
                    mappingsMark))
        }
        if isEvents && !targets.contains("evtName") {
            found.append(
                Diagnostic(
                    .missingEventName,
                    "an events job must map evtName, from a column or a constant (- { value: Order Placed, to: evtName })",
                    mappingsMark))
        }
        if !isEvents, let mapping = spec.mappings.first(where: { $0.target.value == "evtName" }) {
            found.append(
                Diagnostic(.targetNotAllowed, "evtName only applies to events; this job writes profiles", mapping.target.mark))
        }

        // Duplicate targets.
        var seen: [String: Mark] = [:]
        for mapping in spec.mappings {
            let target = mapping.target.value
            if let first = seen[target] {
                found.append(
                    Diagnostic(
                        .duplicateTarget,
                        "target \"\(target)\" is mapped twice (first at line \(first.line), column \(first.column))",
                        mapping.target.mark))
            } else {
                seen[target] = mapping.target.mark
            }
        }

        // Keys and constants.
        var customCount = 0
        for mapping in spec.mappings {
            let target = mapping.target.value
            if mapping.isProperty {
                if target.utf8.count > CleverTapRules.maxKeyBytes {
                    found.append(
                        Diagnostic(
                            .keyTooLong,
                            "target key \"\(target.prefix(40))…\" is \(target.utf8.count) bytes; CleverTap allows at most \(CleverTapRules.maxKeyBytes)",
                            mapping.target.mark))
                }
                let bad = target.filter { CleverTapRules.forbiddenKeyCharacters.contains($0) }
                if !bad.isEmpty {
                    found.append(
                        Diagnostic(
                            .invalidKey,
                            "target key \"\(target)\" contains \(Linter.quoteList(bad)), which CleverTap strips from property keys",
                            mapping.target.mark))
                }
                if isEvents || !CleverTapRules.isStandardOrMessaging(target) {
                    customCount += 1
                    if customCount == CleverTapRules.maxCustomProperties + 1 {
                        found.append(
                            Diagnostic(
                                .tooManyProperties,
                                "more than \(CleverTapRules.maxCustomProperties) custom properties are mapped; CleverTap keeps at most \(CleverTapRules.maxCustomProperties)",
                                mapping.target.mark))
                    }
                }
            }
            if let constant = mapping.constant, case .string(let text) = constant.value,
                text.utf8.count > CleverTapRules.maxValueBytes
            {
                found.append(
                    Diagnostic(
                        .valueTooLong,
                        "constant value for \"\(target)\" is \(text.utf8.count) bytes; CleverTap allows at most \(CleverTapRules.maxValueBytes)",
                        constant.mark))
            }
            if target == "evtName", isEvents, let constant = mapping.constant {
                found += eventNameFindings(constant)
            }
            for transform in mapping.transforms {
                if let problem = TransformCompatibility.problem(transform.value, target: target, object: spec.object.value) {
                    found.append(Diagnostic(.transformTargetMismatch, problem, transform.mark))
                }
            }
            if !isEvents, target == "DOB", mapping.column != nil,
                !mapping.transforms.contains(where: { $0.value == .date })
            {
                found.append(
                    Diagnostic(
                        .dobWithoutDate,
                        "DOB must be sent as a $D_ date; add the date transform unless the column already holds $D_ values",
                        mapping.target.mark))
            }
        }

        // Events: timestamps and keys.
        if isEvents {
            if !targets.contains("ts") {
                found.append(
                    Diagnostic(
                        .eventsWithoutTs,
                        "no mapping writes ts: CleverTap will stamp every event with the time it is received",
                        mappingsMark))
            }
            if spec.primaryKey == nil {
                found.append(
                    Diagnostic(
                        .eventsWithoutPrimaryKey,
                        "events without primary_key cannot be tracked in state and are re-sent on every run",
                        spec.object.mark))
            }
        }

        // Source command: variables it reads that ctsync withholds from it.
        if case .command(let command) = spec.source.input {
            let passed = Set(spec.source.passedVariables.map(\.value))
            let withheld = Set(CommandEnvironment.withheldNames(for: spec))
            var reported: Set<String> = []
            for name in Interpolation.shellReferences(in: command.value)
            where withheld.contains(name) && !passed.contains(name) && reported.insert(name).inserted {
                found.append(
                    Diagnostic(.withheldVariable,
                        "source.command reads $\(name), which ctsync withholds from source commands (it holds the job's CleverTap credentials or the state password), so the command sees it unset; if the command really needs it, pass it with source.env: [\(name)]",
                        command.mark))
            }
        }

        // Source file.
        if case .file(let written, let resolved) = spec.source.input, !Paths.exists(resolved) {
            found.append(
                Diagnostic(
                    .sourceNotFound,
                    "source file \"\(written.value)\" does not exist (resolved to \(resolved))", written.mark))
        }
        return found
    }

    /// The passcode goes only to CleverTap: `destination.endpoint` to a host that is not
    /// CleverTap's or loopback, nor in `allowList`, is an error (rule `endpoint-not-allowed`,
    /// which cannot be disabled). `lint` passes an empty list; `plan` and `run` the
    /// operator's `CTSYNC_ALLOW_ENDPOINTS`.
    public static func endpointRules(for spec: JobSpec, allowList: EndpointAllowList) -> [Diagnostic] {
        guard let endpoint = spec.destination.endpoint, !endpoint.value.isEmpty,
            Endpoint.problem(with: endpoint.value) == nil
        else { return [] }
        let url = Endpoint.resolve(endpoint.value, region: spec.destination.region.value)
        guard let host = Endpoint.disallowedHost(in: url, allowList: allowList) else { return [] }
        return [
            Diagnostic(
                .endpointNotAllowed,
                Endpoint.disallowedHostMessage(url: endpoint.value, host: host)
                    + " (lint reports this endpoint even then, so that the change is reviewed)",
                endpoint.mark)
        ]
    }

    static func eventNameFindings(_ constant: Located<Value>) -> [Diagnostic] {
        guard case .string(let name) = constant.value else {
            return [Diagnostic(.invalidEventName, "event name must be text", constant.mark)]
        }
        var found: [Diagnostic] = []
        if name.isEmpty {
            found.append(Diagnostic(.invalidEventName, "event name must not be empty", constant.mark))
        }
        if CleverTapRules.isRestrictedEvent(name) {
            found.append(
                Diagnostic(
                    .restrictedEvent,
                    "\"\(name)\" is a CleverTap system event and cannot be uploaded", constant.mark))
        }
        let bad = name.filter { CleverTapRules.forbiddenEventNameCharacters.contains($0) }
        if !bad.isEmpty {
            found.append(
                Diagnostic(
                    .invalidEventName,
                    "event name \"\(name)\" contains \(quoteList(bad)), which CleverTap strips from event names",
                    constant.mark))
        }
        if name.utf8.count > CleverTapRules.maxValueBytes {
            found.append(
                Diagnostic(
                    .invalidEventName, "event name is \(name.utf8.count) bytes; CleverTap allows at most \(CleverTapRules.maxValueBytes)",
                    constant.mark))
        }
        return found
    }

    static func quoteList(_ characters: String) -> String {
        var unique: [Character] = []
        for ch in characters where !unique.contains(ch) { unique.append(ch) }
        return unique.map { "'\($0)'" }.joined(separator: ", ")
    }

    // MARK: - Rules across jobs

    /// Rules that need every job of an account: the 512 event-name budget and one identity scheme.
    public static func crossJobRules(_ specs: [JobSpec]) -> [Diagnostic] {
        var found: [Diagnostic] = []
        let byAccount = Dictionary(grouping: specs) { $0.destination.accountID.value }
        for account in byAccount.keys.sorted() {
            let jobs = byAccount[account]!.sorted { $0.file < $1.file }
            var names: [String: Mark] = [:]
            var reported = false
            // The tightest budget any of the account's jobs declares (destination.limits).
            let budget = jobs.map(\.destination.limits.eventNames).min() ?? CleverTapRules.maxEventNames
            for job in jobs where job.object.value == .events {
                for mapping in job.mappings where mapping.target.value == "evtName" {
                    guard let constant = mapping.constant, case .string(let name) = constant.value else { continue }
                    if names[name] == nil {
                        names[name] = constant.mark
                        if names.count > budget && !reported {
                            reported = true
                            let limit =
                                budget == CleverTapRules.maxEventNames
                                ? "\(budget) distinct event names" : "\(budget) distinct event names (destination.limits.event_names)"
                            found.append(
                                Diagnostic(
                                    .tooManyEventNames,
                                    "account \(Linter.accountLabel(account)) would have more than \(limit) across the linted jobs",
                                    constant.mark))
                        }
                    }
                }
            }
            let kinds = jobs.compactMap { job in job.identityKind.map { (job, $0) } }
            if let first = kinds.first {
                for (job, kind) in kinds.dropFirst() where kind.value != first.1.value {
                    found.append(
                        Diagnostic(
                            .identityKindConflict,
                            "identity_kind \(kind.value.rawValue) differs from \(first.1.value.rawValue) in \(first.0.file) for the same account; one identity scheme per account avoids duplicate profiles",
                            kind.mark))
                    _ = job
                }
            }
        }
        return found
    }

    static func accountLabel(_ account: String) -> String {
        account.isEmpty ? "(unset)" : account
    }
}
