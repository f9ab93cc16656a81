import Foundation
import Testing

@testable import CTSyncPlan
@testable import CTSyncSpec
@testable import CTSyncState
@testable import CTSyncUpload
@testable import CleverTapContract

/// `options.retry_timeout` in job files and `--retry-timeout` on the command line.
@Suite("retry_timeout")
struct RetryTimeoutOptionTests {
    static func options(_ yaml: String) -> (CTSyncSpec.Options?, [String]) {
        let dir = TemporaryDirectory()
        dir.write("data.csv", "email,phone\n")
        let path = dir.write("job.yaml", yaml)
        let loaded = JobLoader.load(
            path: path, environment: LintFixtureTests.environment, unsetVariableSeverity: .error)
        return (loaded.spec?.options, loaded.diagnostics.map(\.message))
    }

    @Test func defaultsAreTenMinutesAndTenAttempts() {
        let (options, findings) = Self.options(LintFixtureTests.valid)
        #expect(findings == [])
        #expect(options?.retryTimeout == 600)
        #expect(options?.maxAttempts == 10)
        #expect(options?.requestTimeout == 30)
    }

    @Test func aDurationIsRead() {
        let (options, findings) = Self.options(LintFixtureTests.valid + "\noptions:\n  retry_timeout: 1h30m")
        #expect(findings == [])
        #expect(options?.retryTimeout == 5400)
        #expect(LintFixtureTests.lint(LintFixtureTests.valid + "\noptions:\n  retry_timeout: 90s") == [])
    }

    @Test func outOfRangeAndMalformedDurationsAreLintErrors() {
        let tooLong = LintFixtureTests.lint(LintFixtureTests.valid + "\noptions:\n  retry_timeout: 25h")
        #expect(
            tooLong == [
                "15:18: error: retry_timeout must be between 1s and 24h (how long a batch keeps retrying 429s and server errors) [invalid-value]"
            ])
        let zero = LintFixtureTests.lint(LintFixtureTests.valid + "\noptions:\n  retry_timeout: 0s")
        #expect(zero.count == 1 && zero[0].contains("retry_timeout must be a positive duration"), "\(zero)")
        let word = LintFixtureTests.lint(LintFixtureTests.valid + "\noptions:\n  retry_timeout: soon")
        #expect(word.count == 1 && word[0].contains(#"found "soon""#), "\(word)")
        let typo = LintFixtureTests.lint(LintFixtureTests.valid + "\noptions:\n  retry_timout: 5m")
        #expect(typo.count == 1 && typo[0].contains(#"did you mean "retry_timeout"?"#), "\(typo)")
    }

    @Test func theFlagIsValidatedAsAUsageError() async throws {
        for value in ["0s", "25h", "soon"] {
            let result = try await ctsync("run", "job.yaml", "--retry-timeout", value)
            #expect(result.status == 64, "\(value): \(result.stderr)")
            #expect(result.stderr.contains("--retry-timeout must be a duration between 1s and 24h"), "\(result.stderr)")
        }
    }

    @Test func theFlagReplacesTheJobsOption() throws {
        let dir = TemporaryDirectory()
        dir.write("data.csv", "email,phone\n")
        let path = dir.write("job.yaml", LintFixtureTests.valid + "\noptions:\n  retry_timeout: 1h")
        let loaded = JobLoader.load(
            path: path, environment: LintFixtureTests.environment, unsetVariableSeverity: .error)
        let spec = try #require(loaded.spec)
        let endpoint = try Endpoint(region: .in1, override: "http://127.0.0.1:9/{region}")
        let store = try SQLiteStateStore(path: dir.path + "/state.sqlite", readOnly: false)
        let runner = JobRunner(
            spec: spec, store: store, transport: ScriptedTransport(), accountWindow: RequestWindow(capacity: 15),
            settings: RunSettings(endpoint: endpoint, full: false, retryTimeout: 42))
        #expect(runner.retryPolicy.retryTimeout == 42)
        let plain = JobRunner(
            spec: spec, store: store, transport: ScriptedTransport(), accountWindow: RequestWindow(capacity: 15),
            settings: RunSettings(endpoint: endpoint, full: false))
        #expect(plain.retryPolicy.retryTimeout == 3600)
    }
}
