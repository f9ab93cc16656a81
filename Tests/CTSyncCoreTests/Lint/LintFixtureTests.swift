import Testing

@testable import CTSyncSupport
@testable import CleverTapContract
@testable import CTSyncSpec
@testable import CTSyncSource
@testable import CTSyncMapping
@testable import CTSyncPlan
@testable import CTSyncState
@testable import CTSyncReport
@testable import CTSyncUpload
@testable import CTSyncSession

/// Fixture table: a job file → the exact findings `lint` reports.
@Suite("lint rules")
struct LintFixtureTests {
    static let environment = ["CLEVERTAP_ACCOUNT_ID": "123", "CLEVERTAP_PASSCODE": "secret"]

    /// A valid profiles job; fixtures replace parts of it.
    static let valid = """
        version: 1
        name: crm
        destination:
          region: in1
          account_id: ${CLEVERTAP_ACCOUNT_ID}
          passcode: ${CLEVERTAP_PASSCODE}
        source:
          file: data.csv
        object: profiles
        mode: upsert
        mappings:
          - { from: email, to: identity }
          - { from: phone, to: Phone, transform: [e164] }
        """

    /// Lints `yaml` as `job.yaml` next to an existing `data.csv`; findings as `line:col: severity: message [rule]`.
    static func lint(_ yaml: String, environment: [String: String] = environment) -> [String] {
        let dir = TemporaryDirectory()
        dir.write("data.csv", "email,phone\n")
        let path = dir.write("job.yaml", yaml)
        let result = Linter(environment: environment).lint(files: [path])
        return result.diagnostics.map {
            "\($0.mark.line):\($0.mark.column): \($0.severity.rawValue): \($0.message) [\($0.rule)]"
        }
    }

    @Test func validJobIsClean() {
        #expect(Self.lint(Self.valid) == [])
    }

    static let cases: [(String, String, [String])] = [
        (
            "misspelled key",
            valid.replacing("mode: upsert", with: "mdoe: upsert"),
            [#"10:1: error: unknown key "mdoe" in job; did you mean "mode"? [unknown-key]"#]
        ),
        (
            "missing identity",
            valid.replacing("  - { from: email, to: identity }\n", with: ""),
            [
                "12:5: error: no mapping writes identity; every CleverTap record needs one (e.g. - { from: email, to: identity }) [missing-identity]"
            ]
        ),
        (
            "mode mirror",
            valid.replacing("mode: upsert", with: "mode: mirror"),
            [
                #"10:7: error: mode "mirror" is not supported: CleverTap's upload API cannot delete profiles or properties, so a mirror cannot remove rows that left the source [unsupported-mode]"#
            ]
        ),
        (
            "audience mode",
            valid.replacing("mode: upsert", with: "mode: audience_sync"),
            [
                #"10:7: error: mode "audience_sync" is not supported: CleverTap has no list, segment or membership API; map a property (e.g. a boolean) and build the segment in the dashboard [unsupported-mode]"#
            ]
        ),
        (
            "literal passcode",
            valid.replacing("passcode: ${CLEVERTAP_PASSCODE}", with: "passcode: hunter2"),
            [
                "6:13: error: passcode is written literally; use an environment variable such as ${CLEVERTAP_PASSCODE} so the secret stays out of version control [literal-secret]"
            ]
        ),
        (
            "121-byte key",
            valid.replacing("to: Phone, transform: [e164]", with: "to: \(String(repeating: "k", count: 121))"),
            [
                #"13:24: error: target key "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk…" is 121 bytes; CleverTap allows at most 120 [key-too-long]"#
            ]
        ),
        (
            "unset variable is a warning for lint",
            valid.replacing("${CLEVERTAP_ACCOUNT_ID}", with: "${NOT_SET_ANYWHERE}"),
            ["5:15: warning: environment variable NOT_SET_ANYWHERE is not set [unset-variable]"]
        ),
        (
            "duplicate target",
            valid + "\n  - { from: phone2, to: Phone }",
            [#"14:25: error: target "Phone" is mapped twice (first at line 13, column 24) [duplicate-target]"#]
        ),
        (
            "unknown transform with suggestion",
            valid.replacing("[e164]", with: "[e164, lowercse]"),
            [
                #"13:49: error: unknown transform "lowercse"; did you mean "lowercase"?; known transforms: trim, lowercase, uppercase, ms_to_s, iso8601, date, number, bool, string, e164, gender, default, split [unknown-transform]"#
            ]
        ),
        (
            "transform that cannot apply to its target",
            valid + "\n  - { from: optin, to: MSG-email, transform: [date] }",
            [
                #"14:47: error: transform "date" cannot apply to MSG-email: MSG-email must be a boolean (use bool) [transform-target-mismatch]"#
            ]
        ),
        (
            "batch size and concurrency out of range",
            valid + "\noptions:\n  batch_size: 5000\n  concurrency: 16",
            [
                "15:15: error: batch_size 5000 is out of range 1..1000 (CleverTap takes at most 1000 records a request) [batch-size-range]",
                "16:16: error: concurrency 16 is out of range 1..15 (CleverTap allows 15 concurrent requests per account) [concurrency-range]",
            ]
        ),
        (
            "missing source file",
            valid.replacing("file: data.csv", with: "file: missing.csv"),
            [#"8:9: warning: source file "missing.csv" does not exist (resolved to "#]
        ),
        (
            "bad region with suggestion",
            valid.replacing("region: in1", with: "region: us2"),
            [
                #"4:11: error: unknown region "us2"; expected one of in1, sg1, us1, aps3, mec1, eu1, sk1; did you mean "us1"? [invalid-region]"#
            ]
        ),
        (
            "yes stays text in a string field, integers need a number",
            valid.replacing("name: crm", with: "name: yes").replacing("version: 1", with: "version: one"),
            [#"1:10: error: version must be an integer, found "one" [invalid-type]"#]
        ),
        (
            "plain http endpoint to a remote host",
            valid.replacing("  passcode: ${CLEVERTAP_PASSCODE}", with: "  passcode: ${CLEVERTAP_PASSCODE}\n  endpoint: http://example.com"),
            [
                #"7:13: error: endpoint "http://example.com" uses plain http:// to a non-loopback host; the passcode would travel unencrypted, so only https:// is allowed there [invalid-endpoint]"#
            ]
        ),
    ]

    @Test(arguments: cases.indices)
    func fixture(_ index: Int) {
        let (name, yaml, expected) = Self.cases[index]
        let found = Self.lint(yaml)
        #expect(found.count == expected.count, "\(name): \(found)")
        for (got, want) in zip(found, expected) {
            #expect(got.hasPrefix(want), "\(name)")
        }
    }

    @Test func eventsRules() {
        let yaml = """
            version: 1
            name: orders
            destination: { region: eu1, account_id: "1", passcode: "${P}" }
            source: { file: data.csv }
            object: events
            mode: insert
            mappings:
              - { from: email, to: identity }
              - { value: App Launched, to: evtName }
            """
        #expect(
            Self.lint(yaml, environment: ["P": "x"]) == [
                "5:9: warning: events without primary_key cannot be tracked in state and are re-sent on every run [events-without-primary-key]",
                "8:5: warning: no mapping writes ts: CleverTap will stamp every event with the time it is received [events-without-ts]",
                #"9:14: error: "App Launched" is a CleverTap system event and cannot be uploaded [restricted-event]"#,
            ])
    }

    @Test func splitIntoAnEventPropertyIsRefused() {
        let yaml = """
            version: 1
            name: orders
            destination: { region: eu1, account_id: "1", passcode: "${P}" }
            source: { file: data.csv }
            object: events
            primary_key: email
            mappings:
              - { from: email, to: identity }
              - { value: Charged, to: evtName }
              - { from: ts, to: ts }
              - { from: tags, to: Tags, transform: [split] }
            """
        #expect(
            Self.lint(yaml, environment: ["P": "x"]) == [
                #"11:41: error: transform "split" cannot apply to event property Tags: multi-value $add is a profile operator [transform-target-mismatch]"#
            ])
    }

    @Test func missingEventName() {
        let yaml =
            Self.valid.replacing("object: profiles", with: "object: events").replacing("mode: upsert", with: "mode: insert")
            + "\nprimary_key: email"
        let found = Self.lint(yaml)
        #expect(found.contains { $0.contains("[missing-event-name]") })
    }

    @Test func eventNameBudgetAcrossJobs() {
        let dir = TemporaryDirectory()
        dir.write("data.csv", "email\n")
        var files: [String] = []
        for job in 0..<3 {
            var yaml = """
                version: 1
                name: events-\(job)
                destination: { region: eu1, account_id: "42", passcode: "${P}" }
                source: { file: data.csv }
                object: events
                primary_key: email
                mappings:
                  - { from: email, to: identity }
                  - { from: t, to: ts }

                """
            for n in 0..<200 { yaml += "  - { value: Event \(job)-\(n), to: evtName }\n" }
            files.append(dir.write("job\(job).yaml", yaml))
        }
        let result = Linter(environment: ["P": "x"]).lint(files: files)
        let budget = result.diagnostics.filter { $0.rule == .tooManyEventNames }
        #expect(budget.count == 1)
        #expect(budget.first?.mark.file.hasSuffix("job2.yaml") == true)
    }

    @Test func identityKindConflict() {
        let dir = TemporaryDirectory()
        dir.write("data.csv", "email\n")
        let a = dir.write("a.yaml", Self.valid + "\nidentity_kind: email")
        let b = dir.write("b.yaml", Self.valid.replacing("name: crm", with: "name: crm2") + "\nidentity_kind: custom")
        let result = Linter(environment: Self.environment).lint(files: [a, b])
        #expect(result.diagnostics.map(\.rule) == [.identityKindConflict])
        #expect(result.diagnostics.first?.severity == .warning)
    }

    @Test func everyProblemIsCollected() {
        let yaml = """
            version: 2
            nme: x
            destination: { region: zz, account_id: "1", passcode: literal }
            source: { file: data.csv, format: xml }
            object: people
            mode: update
            mappings: []
            """
        let rules = Set(Self.lint(yaml).map { String($0.split(separator: "[").last!.dropLast()) })
        #expect(
            rules.isSuperset(of: [
                "unsupported-version", "unknown-key", "missing-key", "invalid-region", "literal-secret", "invalid-format",
                "invalid-object", "unsupported-mode", "missing-identity",
            ]))
    }
}

/// Plain scalars resolve by what the field expects.
@Suite("scalar resolution in job files")
struct ScalarResolutionTests {
    static func spec(_ mappings: String, extra: String = "") throws -> JobSpec {
        let dir = TemporaryDirectory()
        dir.write("data.csv", "email\n")
        let yaml = """
            version: 1
            name: yes
            destination: { region: in1, account_id: 0123, passcode: "${P}" }
            source: { file: data.csv, header: true }
            object: profiles
            mappings:
              - { from: email, to: identity }
            \(mappings)
            \(extra)
            """
        let path = dir.write("job.yaml", yaml)
        let loaded = JobLoader.load(path: path, environment: ["P": "x"], unsetVariableSeverity: .error)
        return try #require(loaded.spec, "\(loaded.diagnostics)")
    }

    @Test func stringFieldsKeepTheirText() throws {
        let spec = try Self.spec("")
        #expect(spec.name.value == "yes")
        #expect(spec.destination.accountID.value == "0123")
    }

    @Test func constantsAreTypedOnlyWhenUnambiguous() throws {
        let spec = try Self.spec(
            """
              - { value: yes, to: A }
              - { value: true, to: B }
              - { value: 0123, to: C }
              - { value: 42, to: D }
              - { value: 2.5, to: E }
              - { value: "42", to: F }
              - { value: on, to: G }
            """)
        let constants = spec.mappings.dropFirst().map { $0.constant?.value }
        #expect(
            constants == [
                .string("yes"), .bool(true), .string("0123"), .number("42"), .number("2.5"), .string("42"), .string("on"),
            ])
    }

    @Test func booleansAreOnlyTrueAndFalse() {
        let dir = TemporaryDirectory()
        dir.write("data.csv", "email\n")
        let path = dir.write(
            "job.yaml",
            """
            version: 1
            name: j
            destination: { region: in1, account_id: "1", passcode: "${P}" }
            source: { file: data.csv, header: yes }
            object: profiles
            mappings:
              - { from: email, to: identity }
            """)
        let loaded = JobLoader.load(path: path, environment: ["P": "x"], unsetVariableSeverity: .error)
        #expect(loaded.diagnostics.map(\.message) == [#"header must be true or false, found "yes""#])
        #expect(loaded.diagnostics.first?.mark.line == 4)
    }
}
