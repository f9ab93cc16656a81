import Foundation
import Testing

@testable import CTSyncSupport
@testable import CleverTapContract
@testable import CTSyncSpec

/// The rule registry: every rule is one a job can trigger, ids are a contract, and only
/// advice and environment rules can be disabled.
@Suite("lint rule registry")
struct LintRuleTests {
    static let environment = LintFixtureTests.environment
    static let valid = LintFixtureTests.valid

    /// The ids as shipped: scripts and `--disable` name rules by them. Renaming one is a
    /// breaking change; adding one goes here and in the README.
    static let ids = [
        "yaml-io", "yaml-size", "yaml-encoding", "yaml-reader", "yaml-scanner", "yaml-parser", "yaml-composer",
        "empty-job", "invalid-type", "invalid-value", "unknown-key", "missing-key", "conflicting-keys",
        "unsupported-version", "invalid-name", "invalid-region", "invalid-object", "invalid-mode", "unsupported-mode",
        "invalid-identity-kind", "invalid-format", "missing-format", "invalid-delimiter", "invalid-interpolation",
        "unknown-transform", "invalid-transform", "batch-size-range", "concurrency-range", "invalid-env-name",
        "literal-secret", "invalid-endpoint", "endpoint-not-allowed", "missing-identity", "missing-event-name", "target-not-allowed", "duplicate-target",
        "key-too-long", "invalid-key", "too-many-properties", "value-too-long", "invalid-event-name",
        "restricted-event", "transform-target-mismatch", "too-many-event-names", "events-append-only",
        "dob-without-date", "events-without-ts", "events-without-primary-key", "identity-kind-conflict",
        "env-without-command", "withheld-variable", "unset-variable",
        "source-not-found",
    ]

    @Test func idsAreStable() {
        #expect(LintRule.allCases.map(\.id) == Self.ids)
    }

    @Test func onlyWarningsCanBeDisabled() {
        for rule in LintRule.allCases {
            #expect(rule.canBeDisabled == (rule.severity == .warning), "\(rule)")
            #expect(!rule.summary.isEmpty && !rule.summary.contains("\n"), "\(rule)")
        }
        #expect(!LintRule.literalSecret.canBeDisabled)
        #expect(!LintRule.invalidEndpoint.canBeDisabled)
        #expect(
            LintRule.disableable == [
                .dobWithoutDate, .eventsWithoutTs, .eventsWithoutPrimaryKey, .identityKindConflict, .envWithoutCommand,
                .withheldVariable, .unsetVariable, .sourceNotFound,
            ])
        #expect(!LintRule.endpointNotAllowed.canBeDisabled)
    }

    // MARK: - Every rule is live

    /// An events job; fixtures replace parts of it.
    static let events = """
        version: 1
        name: orders
        destination: { region: in1, account_id: "${CLEVERTAP_ACCOUNT_ID}", passcode: "${CLEVERTAP_PASSCODE}" }
        source: { file: data.csv }
        object: events
        primary_key: id
        mappings:
          - { from: email, to: identity }
          - { value: Order Placed, to: evtName }
          - { from: t, to: ts }
        """

    /// Job files (name → bytes) that trigger `rule`, linted together in one folder.
    static func trigger(_ rule: LintRule) -> [String: [UInt8]] {
        func job(_ text: String) -> [String: [UInt8]] { ["job.yaml": Array(text.utf8)] }
        func replacing(_ old: String, _ new: String, in base: String = valid) -> [String: [UInt8]] {
            precondition(base.contains(old), old)
            return job(base.replacing(old, with: new))
        }
        let mappingLine = "  - { from: phone, to: Phone, transform: [e164] }"
        switch rule {
        case .yamlIO: return [:]  // lints a file that is not there
        case .yamlSize: return job(valid + "\n#" + String(repeating: "x", count: 1 << 20))
        case .yamlEncoding: return ["job.yaml": Array("version: 1\nname: ".utf8) + [0xE9]]
        case .yamlReader: return job("version: 1\nname: \u{1B}[31m\n")
        case .yamlScanner: return job("version: 1\nsource:\n\tfile: x.csv\n")
        case .yamlParser: return job("a: [1, 2\nb: 3\n")
        case .yamlComposer: return job(valid + "\nname: again\n")
        case .emptyJob: return job("# nothing yet\n")
        case .invalidType: return replacing("object: profiles", "object: [profiles]")
        case .invalidValue: return job(valid + "\nprimary_key: \"\"")
        case .unknownKey: return replacing("mode: upsert", "mdoe: upsert")
        case .missingKey: return replacing("name: crm\n", "")
        case .conflictingKeys: return replacing("file: data.csv", "file: data.csv\n  command: cat data.csv")
        case .unsupportedVersion: return replacing("version: 1", "version: 2")
        case .invalidName: return replacing("name: crm", "name: c r m")
        case .invalidRegion: return replacing("region: in1", "region: zz1")
        case .invalidObject: return replacing("object: profiles", "object: people")
        case .invalidMode: return replacing("mode: upsert", "mode: upsret")
        case .unsupportedMode: return replacing("mode: upsert", "mode: mirror")
        case .invalidIdentityKind: return job(valid + "\nidentity_kind: uuid")
        case .invalidFormat: return replacing("file: data.csv", "file: data.csv\n  format: xml")
        case .missingFormat: return replacing("file: data.csv", "file: data.txt")
        case .invalidDelimiter: return replacing("file: data.csv", "file: data.csv\n  delimiter: ab")
        case .invalidInterpolation: return replacing("${CLEVERTAP_ACCOUNT_ID}", "${1D}")
        case .unknownTransform: return replacing("[e164]", "[lowercse]")
        case .invalidTransform: return replacing("[e164]", "[{ e164: \"+1234\" }]")
        case .batchSizeRange: return job(valid + "\noptions: { batch_size: 1001 }")
        case .concurrencyRange: return job(valid + "\noptions: { concurrency: 16 }")
        case .literalSecret: return replacing("passcode: ${CLEVERTAP_PASSCODE}", "passcode: hunter2")
        case .invalidEndpoint: return replacing("region: in1", "region: in1\n  endpoint: http://example.com")
        case .missingIdentity: return replacing("  - { from: email, to: identity }\n", "")
        case .missingEventName: return replacing("  - { value: Order Placed, to: evtName }\n", "", in: events)
        case .targetNotAllowed: return replacing(mappingLine, mappingLine + "\n  - { value: Signed Up, to: evtName }")
        case .duplicateTarget: return replacing(mappingLine, mappingLine + "\n  - { from: mobile, to: Phone }")
        case .keyTooLong: return replacing("to: Phone", "to: " + String(repeating: "k", count: 121))
        case .invalidKey: return replacing("to: Phone", "to: \"a:b\"")
        case .tooManyProperties:
            let many = (0...256).map { "  - { from: c\($0), to: P\($0) }" }.joined(separator: "\n")
            return replacing(mappingLine, many)
        case .valueTooLong: return replacing(mappingLine, "  - { value: \(String(repeating: "v", count: 513)), to: Plan }")
        case .invalidEventName: return replacing("Order Placed", "Order.Placed", in: events)
        case .restrictedEvent: return replacing("Order Placed", "App Launched", in: events)
        case .transformTargetMismatch: return replacing("[e164]", "[date]")
        case .tooManyEventNames:
            let names = (0...512).map { "  - { value: Event \($0), to: evtName }" }.joined(separator: "\n")
            return replacing("  - { value: Order Placed, to: evtName }", names, in: events)
        case .dobWithoutDate: return replacing(mappingLine, "  - { from: born, to: DOB }")
        case .eventsWithoutTs: return replacing("  - { from: t, to: ts }", "", in: events)
        case .eventsWithoutPrimaryKey: return replacing("primary_key: id\n", "", in: events)
        case .identityKindConflict:
            return [
                "a.yaml": Array((valid + "\nidentity_kind: email").utf8),
                "b.yaml": Array((valid.replacing("name: crm", with: "name: crm2") + "\nidentity_kind: custom").utf8),
            ]
        case .invalidEnvName: return replacing("file: data.csv", "command: cat data.csv\n  format: csv\n  env: [\"1X\"]")
        case .endpointNotAllowed: return replacing("region: in1", "region: in1\n  endpoint: https://collector.example.net")
        case .eventsAppendOnly: return replacing("object: events", "object: events\nmode: upsert", in: events)
        case .envWithoutCommand: return replacing("file: data.csv", "file: data.csv\n  env: [PGPASSWORD]")
        case .withheldVariable:
            return replacing("file: data.csv", "command: echo $CLEVERTAP_PASSCODE; cat data.csv\n  format: csv")
        case .unsetVariable: return replacing("${CLEVERTAP_PASSCODE}", "${NOT_SET_ANYWHERE}")
        case .sourceNotFound: return replacing("file: data.csv", "file: missing.csv")
        }
    }

    @Test(arguments: LintRule.allCases)
    func ruleIsTriggered(_ rule: LintRule) throws {
        let dir = TemporaryDirectory()
        dir.write("data.csv", "email,phone\n")
        dir.write("data.txt", "email,phone\n")
        var files: [String] = []
        for (name, bytes) in Self.trigger(rule).sorted(by: { $0.key < $1.key }) {
            let path = dir.path + "/" + name
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            files.append(path)
        }
        if files.isEmpty { files = [dir.path + "/absent.yaml"] }
        let result = Linter(environment: Self.environment).lint(files: files)
        let found = result.diagnostics.filter { $0.rule == rule }
        #expect(!found.isEmpty, "\(result.diagnostics.map { "\($0.rule): \($0.message)" })")
        #expect(found.allSatisfy { $0.severity == rule.severity })
    }

    // MARK: - Disabling

    @Test func disablingDropsOnlyThatRulesFindings() {
        let dir = TemporaryDirectory()
        let path = dir.write("job.yaml", Self.valid.replacing("file: data.csv", with: "file: missing.csv"))
        let all = Linter(environment: [:]).lint(files: [path])
        #expect(Set(all.diagnostics.map(\.rule)) == [.unsetVariable, .sourceNotFound])
        let some = Linter(environment: [:], disabled: [.unsetVariable]).lint(files: [path])
        #expect(some.diagnostics.map(\.rule) == [.sourceNotFound])
        let none = Linter(environment: [:], disabled: [.unsetVariable, .sourceNotFound]).lint(files: [path])
        #expect(none.diagnostics.isEmpty)
        #expect(none.warningCount == 0)
    }

    @Test func onlyDisableableRulesAreKept() {
        let linter = Linter(environment: [:], disabled: [.literalSecret, .unsetVariable])
        #expect(linter.disabled == [.unsetVariable])
    }

    @Test func selectingRulesToDisable() throws {
        #expect(try LintRule.disabling([]) == [])
        #expect(try LintRule.disabling(["unset-variable", "source-not-found", "unset-variable"]) == [.unsetVariable, .sourceNotFound])
        let choices =
            "rules that can be disabled: dob-without-date, events-without-ts, events-without-primary-key, identity-kind-conflict, env-without-command, withheld-variable, unset-variable, source-not-found"
        #expect(throws: RuleSelectionError.unknown("unset-variabel")) { try LintRule.disabling(["unset-variabel"]) }
        #expect(
            RuleSelectionError.unknown("unset-variabel").description
                == "unknown rule \"unset-variabel\"; did you mean \"unset-variable\"?; \(choices)")
        #expect(
            RuleSelectionError.cannotBeDisabled(.literalSecret).description
                == "rule \"literal-secret\" cannot be disabled (security rules always apply); \(choices)")
        #expect(
            RuleSelectionError.cannotBeDisabled(.unknownKey).description
                == "rule \"unknown-key\" cannot be disabled (its errors stop plan and run as well); \(choices)")
        #expect(throws: RuleSelectionError.cannotBeDisabled(.missingIdentity)) {
            try LintRule.disabling(["unset-variable", "missing-identity"])
        }
    }

    // MARK: - Listings

    @Test func jsonListsEveryRule() throws {
        let document = try JSONDecoder().decode(RuleCatalog.Document.self, from: Data(RuleCatalog.json().utf8))
        #expect(document.formatVersion == 1)
        #expect(document.rules.map(\.id) == Self.ids)
        #expect(document.rules.first == RuleCatalog.Entry(.yamlIO))
        let unset = try #require(document.rules.first { $0.id == "unset-variable" })
        #expect(unset.canDisable && unset.severity == .warning && unset.category == .environment)
    }

    @Test func textListsEveryRule() {
        let lines = RuleCatalog.text().split(separator: "\n").map(String.init)
        #expect(lines.count == LintRule.allCases.count + 1)
        #expect(lines[0].hasPrefix("RULE "))
        #expect(lines.contains { $0.hasPrefix("unset-variable ") && $0.contains(" warning ") && $0.contains(" yes ") })
        #expect(lines.contains { $0.hasPrefix("literal-secret ") && $0.contains(" error ") && $0.contains(" no ") })
    }

    /// The README's rules section is `ctsync rules --format markdown`, between its markers.
    @Test func readmeListsTheRegistry() throws {
        let readme = try String(contentsOfFile: Products.root + "/README.md", encoding: .utf8)
        #expect(Self.rulesSection(of: readme) == RuleCatalog.markdown(), "regenerate with: ctsync rules --format markdown")
    }

    static let sectionStart = "<!-- rules: generated by `ctsync rules --format markdown` -->\n"
    static let sectionEnd = "<!-- end of rules -->"

    static func rulesSection(of readme: String) -> String? {
        guard let start = readme.range(of: sectionStart), let end = readme.range(of: sectionEnd),
            start.upperBound <= end.lowerBound
        else { return nil }
        return String(readme[start.upperBound..<end.lowerBound])
    }
}
