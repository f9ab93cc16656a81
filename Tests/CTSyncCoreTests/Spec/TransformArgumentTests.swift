import Foundation
import Testing

@testable import CTSyncSupport
@testable import CleverTapContract
@testable import CTSyncSpec
@testable import CTSyncSource
@testable import CTSyncMapping
@testable import CTSyncPlan
@testable import CTSyncSession

/// A transform's argument is checked once, by the decoder, and the mapper takes it parsed:
/// so an argument `lint` accepts is one `plan` maps rows with, and an argument `lint`
/// refuses is one `plan` refuses with the same finding.
@Suite("transform arguments: lint and plan agree")
struct TransformArgumentTests {
    static let environment = ["CLEVERTAP_ACCOUNT_ID": "123", "CLEVERTAP_PASSCODE": "secret"]

    /// A profiles job writing column `v` into the custom property `Value` through `transform`
    /// (YAML, written as-is into the transform list).
    static func job(_ transform: String) -> String {
        """
        version: 1
        name: args
        destination:
          region: in1
          account_id: ${CLEVERTAP_ACCOUNT_ID}
          passcode: ${CLEVERTAP_PASSCODE}
        source:
          file: data.csv
        object: profiles
        mappings:
          - { from: id, to: identity }
          - { from: v, to: Value, transform: [\(transform)] }
        """
    }

    /// A cell each transform turns into a value whatever argument it accepted.
    static func sample(_ kind: TransformKind, hasArgument: Bool) -> String {
        switch kind {
        case .trim: " x "
        case .lowercase: "X"
        case .uppercase: "x"
        case .msToS: "1700000000000"
        case .iso8601: "2024-01-02T03:04:05Z"
        case .date: "2024-01-02"
        case .number: "12.5"
        case .bool: "yes"
        case .string: "x"
        // Ten national digits: with any default country code, 11 to 13 digits.
        case .e164: hasArgument ? "7911 123456" : "+44 7911 123456"
        case .gender: "female"
        case .default: ""
        case .split: "a,b|c::d e\tf"
        }
    }

    /// What lint, plan's loading and the planner each made of one transform.
    struct Verdict {
        var lintErrors: [Diagnostic]
        var prepareErrors: [Diagnostic]
        /// The planner's rejections of the sample row, when the job loaded.
        var planRejections: [PlanRejection]?
    }

    static func verdict(_ transform: String, kind: TransformKind, hasArgument: Bool) throws -> Verdict {
        let dir = TemporaryDirectory()
        dir.write("data.csv", "id,v\nu1,\"\(sample(kind, hasArgument: hasArgument))\"\n")
        let path = dir.write("job.yaml", job(transform))
        let lint = Linter(environment: environment).lint(files: [path])
        let lintErrors = lint.diagnostics.filter { $0.severity == .error }
        do {
            let jobs = try JobSet.prepare(paths: [path], environment: environment, endpointOverride: nil)
            let planner = Planner(spec: jobs[0].spec, state: nil, endpoint: jobs[0].endpoint, full: true)
            let summary = try planner.run { _ in }
            let rejections = summary.rejected.groups.values.flatMap(\.samples)
            #expect(summary.counts.sourceRows == 1)
            return Verdict(lintErrors: lintErrors, prepareErrors: [], planRejections: rejections)
        } catch SessionError.invalidSpecs(let errors, _) {
            return Verdict(lintErrors: lintErrors, prepareErrors: errors, planRejections: nil)
        }
    }

    /// An argument as it is written in YAML, and whether the transform accepts it.
    struct Case: CustomTestStringConvertible {
        var kind: TransformKind
        /// The argument's YAML (`"+44"`, `~`), or nil for the transform written alone.
        var argument: String?
        var accepted: Bool

        var yaml: String { argument.map { "{ \(kind): \($0) }" } ?? kind.name }
        var testDescription: String { yaml }
    }

    static let cases: [Case] = {
        var cases: [Case] = []
        for kind in TransformKind.allCases {
            switch kind.argument {
            case .none:
                cases.append(Case(kind: kind, argument: nil, accepted: true))
                for argument in ["x", "\"\"", "~", "1"] {
                    cases.append(Case(kind: kind, argument: argument, accepted: false))
                }
            case .optional, .required:
                cases.append(Case(kind: kind, argument: nil, accepted: kind.argument == .optional))
            }
        }
        let e164: [(String, Bool)] = [
            ("\"+1\"", true), ("\"+44\"", true), ("\"+971\"", true), ("\"+999\"", true), ("+91", true),
            ("\"+1234\"", false), ("\"+0\"", false), ("\"+01\"", false), ("\"+\"", false), ("\"\"", false), ("~", false),
            ("\"1\"", false), ("44", false), ("\"0044\"", false), ("\"+4 4\"", false), ("\" +1\"", false),
            ("\"+1 \"", false), ("\"+1a\"", false), ("\"+\u{0663}\"", false), ("\"+\u{FF11}\"", false),
            ("\"++1\"", false), ("\"+-1\"", false), ("\"+１２\"", false),
        ]
        let split: [(String, Bool)] = [
            ("\",\"", true), ("\"|\"", true), ("\"::\"", true), ("\" \"", true), ("\"\\t\"", true), ("x", true),
            ("\"null\"", true), ("0", true), ("\"é\"", true), ("\"\"", false), ("~", false), ("null", false),
        ]
        let defaults: [(String, Bool)] = [
            ("unknown", true), ("\"\"", true), ("~", true), ("0", true), ("true", true), ("\"+1234\"", true),
            ("\"a|b\"", true),
        ]
        cases += e164.map { Case(kind: .e164, argument: $0.0, accepted: $0.1) }
        cases += split.map { Case(kind: .split, argument: $0.0, accepted: $0.1) }
        cases += defaults.map { Case(kind: .default, argument: $0.0, accepted: $0.1) }
        return cases
    }()

    @Test(arguments: cases)
    func lintAndPlanAgree(_ c: Case) throws {
        let verdict = try Self.verdict(c.yaml, kind: c.kind, hasArgument: c.argument != nil)
        #expect(verdict.lintErrors.isEmpty == c.accepted, "lint: \(verdict.lintErrors.map(\.message))")
        // Plan loads jobs with the same decoder: the same findings, at the same places.
        #expect(verdict.prepareErrors == verdict.lintErrors)
        if c.accepted {
            // An argument lint accepts never fails a row it should map.
            #expect(verdict.planRejections?.map(\.message) == [])
        } else {
            #expect(verdict.planRejections == nil)
            #expect(verdict.lintErrors.map(\.rule) == [.invalidTransform])
        }
    }

    /// Every kind is in the table, with an accepted and a refused way to write it.
    @Test func tableCoversEveryTransform() {
        for kind in TransformKind.allCases {
            #expect(Self.cases.contains { $0.kind == kind && $0.accepted }, "\(kind)")
            #expect(Self.cases.contains { $0.kind == kind && !$0.accepted }, "\(kind)")
        }
    }

    // MARK: - The e164 regression

    /// `{ e164: "+1234" }` once linted clean, then plan rejected every row with "the
    /// default country code "+1234" is not + and 1 to 3 digits".
    @Test func e164CountryCodeThatPlanRefusedIsALintError() {
        let yaml = LintFixtureTests.valid.replacing("transform: [e164]", with: "transform: [{ e164: \"+1234\" }]")
        #expect(
            LintFixtureTests.lint(yaml) == [
                #"13:51: error: the e164 default country code "+1234" is not + and 1 to 3 digits, the first not 0 (e.g. "+1" or "+91") [invalid-transform]"#
            ])
    }

    @Test func misusedTransformsPointAtTheirName() {
        let noArgument = LintFixtureTests.valid.replacing("transform: [e164]", with: "transform: [{ trim: x }]")
        #expect(LintFixtureTests.lint(noArgument) == [#"13:43: error: transform "trim" takes no argument [invalid-transform]"#])
        let missing = LintFixtureTests.valid.replacing("transform: [e164]", with: "transform: [default]")
        #expect(
            LintFixtureTests.lint(missing) == [
                #"13:43: error: transform "default" needs an argument, e.g. { default: unknown } [invalid-transform]"#
            ])
        let empty = LintFixtureTests.valid.replacing("transform: [e164]", with: "transform: [{ split: \"\" }]")
        #expect(LintFixtureTests.lint(empty) == [#"13:52: error: the split separator must not be empty [invalid-transform]"#])
    }

    /// A variable in an argument is unknown until run time: lint warns, and plan (where
    /// an unset variable is an error) checks the value it gets.
    @Test func argumentFromAnUnsetVariable() throws {
        let yaml = LintFixtureTests.valid.replacing("transform: [e164]", with: "transform: [{ e164: \"${CC}\" }]")
        #expect(LintFixtureTests.lint(yaml) == ["13:51: warning: environment variable CC is not set [unset-variable]"])
        #expect(LintFixtureTests.lint(yaml, environment: LintFixtureTests.environment.merging(["CC": "+44"]) { $1 }) == [])
        #expect(
            LintFixtureTests.lint(yaml, environment: LintFixtureTests.environment.merging(["CC": "+4400"]) { $1 }) == [
                #"13:51: error: the e164 default country code "+4400" is not + and 1 to 3 digits, the first not 0 (e.g. "+1" or "+91") [invalid-transform]"#
            ])
    }

    @Test func hostileArgumentIsQuotedShort() {
        let long = String(repeating: "9", count: 100_000)
        let yaml = LintFixtureTests.valid.replacing("transform: [e164]", with: "transform: [{ e164: \"+\(long)\" }]")
        let found = LintFixtureTests.lint(yaml)
        #expect(found.count == 1)
        #expect(found.first?.contains("(100001 bytes)") == true)
        #expect((found.first?.count ?? .max) < 200)
    }

    // MARK: - Seeded random arguments

    /// Random country codes: the decoder, the job schema's pattern and the mapper agree
    /// on each. The seed is printed on failure; `CTSYNC_PROPERTY_SEED` replays one.
    @Test func randomCountryCodes() throws {
        let seed =
            ProcessInfo.processInfo.environment["CTSYNC_PROPERTY_SEED"].flatMap { UInt64($0) }
            ?? UInt64.random(in: 1...UInt64(UInt32.max))
        var generator = SeededGenerator(seed: seed)
        let alphabet: [String] = ["+", "+", "0", "1", "4", "9", "9", " ", "a", "-", "\u{0663}", "\u{FF11}"]
        let pattern = try NSRegularExpression(pattern: CountryCode.pattern)
        var accepted = 0
        for _ in 0..<300 {
            let length = Int.random(in: 0...5, using: &generator)
            let text = (0..<length).map { _ in alphabet.randomElement(using: &generator)! }.joined()
            let parsed = try? CountryCode(text)
            let range = NSRange(text.startIndex..., in: text)
            let matches = pattern.firstMatch(in: text, range: range) != nil
            #expect(matches == (parsed != nil), "seed \(seed): \"\(text)\": schema pattern and decoder disagree")
            guard let parsed else { continue }
            accepted += 1
            #expect("+" + parsed.digits == text, "seed \(seed): \"\(text)\"")
            let mapper = MappingFixture.profile([MappingFixture.map("v", to: "Phone", [.e164(defaultCountryCode: parsed)])])
            let json = MappingFixture.json(mapper, ["id": .string("u1"), "v": .string("7911 123456")])
            #expect(json.contains("\"Phone\":\"\(text)7911123456\""), "seed \(seed): \"\(text)\": \(json)")
        }
        #expect(accepted > 0, "seed \(seed): no random code was valid; widen the alphabet")
    }
}
