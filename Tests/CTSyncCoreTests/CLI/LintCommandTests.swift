import Foundation
import Testing

@testable import CTSyncSpec

/// The built `ctsync` binary, run end to end with its exit codes.
@Suite("ctsync lint (binary)")
struct LintCommandTests {
    static let env = ["CLEVERTAP_ACCOUNT_ID": "123", "CLEVERTAP_PASSCODE": "secret"]

    @Test func exampleJobsAreClean() async throws {
        let result = try await ctsync("lint", Products.root + "/jobs", environment: Self.env)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("no problems found"))
    }

    @Test func exampleJobsWithoutSecretsOnlyWarn() async throws {
        let result = try await ctsync("lint", Products.root + "/jobs")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("[unset-variable]"))
        let strict = try await ctsync("lint", "--strict", Products.root + "/jobs")
        #expect(strict.status == 1)
    }

    @Test func errorsExitOneWithLocation() async throws {
        let dir = TemporaryDirectory()
        let path = dir.write("bad.yaml", LintFixtureTests.valid.replacing("mode: upsert", with: "mode: mirror"))
        dir.write("data.csv", "email,phone\n")
        let result = try await ctsync("lint", path, environment: Self.env)
        #expect(result.status == 1)
        #expect(result.stderr.contains("\(path):10:7: error: mode \"mirror\" is not supported"))
        #expect(result.stderr.contains("mode: mirror"))
        #expect(result.stderr.contains("^"))
    }

    @Test func tabIndentationAndBillionLaughs() async throws {
        let dir = TemporaryDirectory()
        let tab = dir.write("tab.yaml", "version: 1\nsource:\n\tfile: x.csv\n")
        let tabResult = try await ctsync("lint", tab)
        #expect(tabResult.status == 1)
        #expect(tabResult.stderr.contains("\(tab):3:1: error:"))

        var bomb = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        let letters = Array("abcdefghij")
        for i in 1..<10 {
            let refs = Array(repeating: "*\(letters[i - 1])", count: 9).joined(separator: ",")
            bomb += "\(letters[i]): &\(letters[i]) [\(refs)]\n"
        }
        let bombPath = dir.write("bomb.yaml", bomb)
        let start = Date()
        let bombResult = try await ctsync("lint", bombPath)
        #expect(bombResult.status == 1)
        #expect(bombResult.stderr.contains("\(bombPath):"))
        #expect(bombResult.stderr.contains("alias"))
        #expect(Date().timeIntervalSince(start) < 5)
    }

    @Test func jsonAndGithubFormats() async throws {
        let dir = TemporaryDirectory()
        dir.write("data.csv", "email,phone\n")
        let path = dir.write("job.yaml", LintFixtureTests.valid.replacing("mode: upsert", with: "mdoe: upsert"))
        let json = try await ctsync("lint", "--format", "json", path, environment: Self.env)
        #expect(json.status == 1)
        let document = try OutputContract.decode(LintDocument.self, json.stdout, schema: "lint")
        #expect(document.formatVersion == 1)
        let findings = document.findings
        #expect(findings.count == 1)
        let finding = try #require(findings.first)
        #expect(finding.rule == "unknown-key")
        #expect(finding.line == 10)
        #expect(finding.column == 1)
        #expect(finding.file == path)

        let github = try await ctsync("lint", "--format", "github", path, environment: Self.env)
        #expect(github.status == 1)
        #expect(github.stdout.hasPrefix("::error file=\(path),line=10,col=1,title=unknown-key::unknown key \"mdoe\""))
    }

    @Test func usageErrorsExit64() async throws {
        #expect(try await ctsync("lint", "/nonexistent/path").status == 64)
        #expect(try await ctsync("lint", "--format", "xml", Products.root + "/jobs").status == 64)
        #expect(try await ctsync("lint").status == 64)
    }

    @Test func schemaCommandPrintsCommittedSchema() async throws {
        let result = try await ctsync("schema", "job")
        #expect(result.status == 0)
        #expect(result.stdout == SchemaDriftTests.committed("job"))
    }

    @Test func hundredJobsLintQuickly() async throws {
        let dir = TemporaryDirectory()
        dir.write("data.csv", "email,phone\n")
        for i in 0..<100 {
            dir.write("job\(i).yaml", LintFixtureTests.valid.replacing("name: crm", with: "name: crm-\(i)"))
        }
        let result = try await ctsync("lint", dir.path, environment: Self.env)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("100 files checked: no problems found"))
    }
}
