import Foundation
import Testing

@testable import CTSyncSpec
@testable import CTSyncPlan

/// `ctsync rules` and `lint --disable`, through the built binary with its exit codes.
@Suite("ctsync rules and lint --disable (binary)")
struct RulesCommandTests {
    @Test func rulesListsEveryRule() async throws {
        let text = try await ctsync("rules")
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout == RuleCatalog.text())
        for rule in LintRule.allCases {
            #expect(text.stdout.contains("\n\(rule.id) "), "\(rule)")
        }
    }

    @Test func rulesAsJSON() async throws {
        let result = try await ctsync("rules", "--format", "json")
        #expect(result.status == 0, "\(result.stderr)")
        let document = try JSONDecoder().decode(RuleCatalog.Document.self, from: Data(result.stdout.utf8))
        #expect(document.formatVersion == 1)
        #expect(document.rules.map(\.id) == LintRuleTests.ids)
        // Sorted keys: the first rule's fields in alphabetical order.
        let keys = ["can_disable", "category", "description", "id", "severity"].map { "\"\($0)\"" }
        let positions = keys.map { result.stdout.range(of: $0)?.lowerBound }
        #expect(positions.allSatisfy { $0 != nil })
        #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted())
        #expect(result.stdout.hasPrefix("{\n  \"format_version\": 1,\n  \"rules\": [\n    {\n      \"can_disable\": false,"))
    }

    @Test func rulesAsMarkdownIsTheReadmeTable() async throws {
        let result = try await ctsync("rules", "--format", "markdown")
        #expect(result.status == 0, "\(result.stderr)")
        let readme = try String(contentsOfFile: Products.root + "/README.md", encoding: .utf8)
        #expect(LintRuleTests.rulesSection(of: readme) == result.stdout)
    }

    @Test func unknownFormatIsAUsageError() async throws {
        #expect(try await ctsync("rules", "--format", "xml").status == 64)
    }

    /// CI lints without secrets: with the variable check off, `--strict` passes jobs whose
    /// variables are unset.
    @Test func disablingUnsetVariablePassesStrictLintWithoutSecrets() async throws {
        let strict = try await ctsync("lint", "--strict", Products.root + "/jobs")
        #expect(strict.status == 1)
        #expect(strict.stderr.contains("[unset-variable]"))
        let disabled = try await ctsync("lint", "--disable", "unset-variable", "--strict", Products.root + "/jobs")
        #expect(disabled.status == 0, "\(disabled.stderr)")
        #expect(!disabled.stderr.contains("[unset-variable]"))
        #expect(disabled.stderr.contains("no problems found"))
    }

    @Test func disableIsRepeatable() async throws {
        let dir = TemporaryDirectory()
        let path = dir.write("job.yaml", LintFixtureTests.valid.replacing("file: data.csv", with: "file: missing.csv"))
        let one = try await ctsync("lint", "--strict", "--disable", "unset-variable", path)
        #expect(one.status == 1)
        #expect(one.stderr.contains("[source-not-found]"))
        let both = try await ctsync(
            "lint", "--strict", "--disable", "unset-variable", "--disable", "source-not-found", "--format", "json", path)
        #expect(both.status == 0, "\(both.stderr)")
        let document = try OutputContract.decode(LintDocument.self, both.stdout, schema: "lint")
        #expect(document.warnings == 0)
    }

    @Test func disablingAnErrorOrAnUnknownRuleIsAUsageError() async throws {
        let jobs = Products.root + "/jobs"
        let choices =
            "rules that can be disabled: dob-without-date, events-without-ts, events-without-primary-key, identity-kind-conflict, env-without-command, withheld-variable, unset-variable, source-not-found"
        let secret = try await ctsync("lint", "--disable", "literal-secret", jobs)
        #expect(secret.status == 64)
        #expect(
            secret.stderr.contains(
                "ctsync lint: --disable: rule \"literal-secret\" cannot be disabled (security rules always apply); \(choices)"))
        let error = try await ctsync("lint", "--disable", "missing-identity", jobs)
        #expect(error.status == 64)
        #expect(error.stderr.contains(choices))
        let unknown = try await ctsync("lint", "--disable", "no-such-rule", jobs)
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("unknown rule \"no-such-rule\"; \(choices)"))
    }

    // MARK: - The e164 argument lint accepted and plan refused

    @Test func e164CountryCodeIsRefusedByLintAndPlanAlike() async throws {
        let dir = TemporaryDirectory()
        dir.write("data.csv", "email,phone\na@example.com,7911 123456\n")
        let path = dir.write(
            "job.yaml", LintFixtureTests.valid.replacing("transform: [e164]", with: "transform: [{ e164: \"+1234\" }]"))
        let finding = "\(path):13:51: error: the e164 default country code \"+1234\" is not + and 1 to 3 digits"
        let lint = try await ctsync("lint", path, environment: LintCommandTests.env)
        #expect(lint.status == 1)
        #expect(lint.stderr.contains(finding), "\(lint.stderr)")
        let plan = try await ctsync("plan", "--state", dir.path + "/state.sqlite", path, environment: LintCommandTests.env)
        #expect(plan.status == 2)
        #expect(plan.stderr.contains(finding), "\(plan.stderr)")

        let fixed = dir.write(
            "fixed.yaml", LintFixtureTests.valid.replacing("transform: [e164]", with: "transform: [{ e164: \"+44\" }]"))
        #expect(try await ctsync("lint", fixed, environment: LintCommandTests.env).status == 0)
        let planned = try await ctsync(
            "plan", "--state", dir.path + "/state.sqlite", "--format", "json", fixed, environment: LintCommandTests.env)
        #expect(planned.status == 0, "\(planned.stderr)")
        let document = try OutputContract.decode(PlanDocument.self, planned.stdout, schema: "plan")
        #expect(document.counts.added == 1)
        #expect(document.counts.invalid == 0)
    }
}
