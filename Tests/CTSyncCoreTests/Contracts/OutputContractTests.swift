import ClevertapSandbox
import CTSyncYAML
import Foundation
import Testing

@testable import CTSyncSupport
@testable import CleverTapContract
@testable import CTSyncSpec
@testable import CTSyncPlan
@testable import CTSyncReport

/// The JSON the built binary prints and writes (lint, plan, run reports) is a contract:
/// each real document validates against its committed `schemas/*.json`, decodes with
/// its `Codable` type, and that type prints it back byte for byte (so it drops nothing).
/// The job files we ship validate against `schemas/job.schema.json`.
@Suite("output contracts")
struct OutputContractTests {
    static let environment = ["CLEVERTAP_ACCOUNT_ID": "123", "CLEVERTAP_PASSCODE": "secret"]

    /// Decodes `text` as `T` through ``OutputContract`` and checks that `T` encodes it back unchanged.
    @discardableResult
    static func roundTrip<T: Codable>(
        _ type: T.Type, _ text: String, schema: String, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> T {
        let document = try OutputContract.decode(type, text, schema: schema, sourceLocation: sourceLocation)
        #expect(
            JSONValue.document(document) == text, "\(T.self) does not print the document back:\n\(text)",
            sourceLocation: sourceLocation)
        return document
    }

    // MARK: - lint

    @Test func lintJSONOfTheExampleJobsAndABrokenOne() async throws {
        let dir = TemporaryDirectory()
        let broken = dir.write(
            "broken.yaml",
            """
            version: 1
            name: broken job
            destination: { region: mars1, account_id: "${CLEVERTAP_ACCOUNT_ID}", passcode: hunter2 }
            source: { file: missing.csv }
            object: profiles
            mode: mirror
            mappings:
              - { from: email, to: identity, transform: [shout] }
            colour: blue
            """)
        let result = try await ctsync("lint", "--format", "json", Products.root + "/jobs", broken, environment: Self.environment)
        #expect(result.status == 1, "\(result.stderr)")
        let lint = try Self.roundTrip(LintDocument.self, result.stdout, schema: "lint")
        #expect(lint.filesChecked == Self.exampleJobs.count + 1)
        #expect(lint.errors >= 4, "\(lint.findings)")
        #expect(lint.errors == lint.findings.count { $0.severity == .error })
        #expect(lint.warnings == lint.findings.count { $0.severity == .warning })
        #expect(lint.findings.allSatisfy { $0.file == broken }, "the example jobs are clean: \(lint.findings)")
        #expect(Set(lint.findings.map(\.rule)).isSuperset(of: ["unknown-key", "unsupported-mode"]), "\(lint.findings)")
    }

    @Test func lintJSONWithNothingFound() async throws {
        let result = try await ctsync("lint", "--format", "json", Products.root + "/jobs", environment: Self.environment)
        #expect(result.status == 0, "\(result.stderr)")
        let lint = try Self.roundTrip(LintDocument.self, result.stdout, schema: "lint")
        #expect(lint.filesChecked == Self.exampleJobs.count)
        #expect(lint.findings.isEmpty)
    }

    // MARK: - plan

    static let exampleJobs: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: Products.root + "/jobs")) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.sorted()
    }()

    @Test(arguments: exampleJobs)
    func planJSONOfAnExampleJob(_ name: String) async throws {
        let dir = TemporaryDirectory()
        let job = Products.root + "/jobs/" + name
        let result = try await ctsync(
            "plan", job, "--format", "json", "--state", dir.path + "/state.sqlite", environment: Self.environment)
        #expect(result.status == 0, "\(result.stderr)")
        let plan = try Self.roundTrip(PlanDocument.self, result.stdout, schema: "plan")
        #expect(plan.job.file == job)
        #expect(plan.full == false)
        let c = plan.counts
        #expect(c.sourceRows == c.invalid + c.unchanged + c.planned, "\(c)")
        #expect(c.planned == c.added + c.changed, "\(c)")
        #expect(c.invalid == plan.rejected.values.reduce(0) { $0 + $1.count }, "\(plan.rejected)")
        #expect(c.planned > 0)
        if name == "crm-profiles.yaml" {
            // data/contacts.csv has a phone number that is no phone number.
            let phone = try #require(plan.rejected["invalid_phone"], "\(plan.rejected)")
            #expect(phone.count >= 1)
            #expect(phone.samples.first?.field == "Phone")
            #expect(phone.samples.first?.key?.hasSuffix("***") == true, "redacted by default")
        }
    }

    // MARK: - run reports

    /// A report of each status, from runs against the sandbox: every one validates,
    /// decodes and prints back; rejections and failures carry their samples.
    @Test func runReportsOfEveryStatus() async throws {
        // The sandbox takes values of up to 20 bytes: one long name is rejected by CleverTap,
        // and a score that is no number is rejected by the planner.
        try await RunFixture.with(limits: ValidationLimits(maxValueBytes: 20)) { fixture in
            fixture.writeContacts(40) { $0 == 7 ? " with a very long surname" : "" }
            fixture.dir.write("contacts.csv", fixture.dir.read("contacts.csv") + "40,user40@example.com,User 40,lots\n")

            func run(_ job: String, _ name: String, environment: [String: String] = [:]) async throws -> (
                ProcessResult, RunReportDocument
            ) {
                let path = fixture.dir.path + "/\(name).json"
                let result = try await runProcessDetached(
                    Products.ctsync, ["run", job, "--state", fixture.statePath, "--report", path, "--quiet"],
                    environment: fixture.environment.merging(environment) { _, new in new }, directory: fixture.dir.path)
                let text = try String(contentsOfFile: path, encoding: .utf8)
                let report = try Self.roundTrip(RunReportDocument.self, text, schema: "report")
                RunFixture.expectCountsAddUp(report)
                #expect(report.job.name == "profiles")
                #expect(report.job.region == .in1)
                return (result, report)
            }

            let job = fixture.profilesJob(batchSize: 10, extra: "  max_rejected: 10%")
            let (aborted, abortedReport) = try await run(job, "aborted", environment: ["CLEVERTAP_PASSCODE": "wrong"])
            #expect(aborted.status == 3, "\(aborted.stderr)")
            #expect(abortedReport.status == .aborted)
            #expect(abortedReport.abortReason != nil)

            let (withErrors, errorsReport) = try await run(job, "completed_with_errors")
            #expect(withErrors.status == 0, "\(withErrors.stderr)")
            #expect(errorsReport.status == .completedWithErrors)
            #expect(errorsReport.abortReason == nil)
            #expect(errorsReport.counts.invalid == 1)
            #expect(errorsReport.counts.rejected == 1)
            #expect(errorsReport.errors.count >= 2, "\(errorsReport.errors)")
            #expect(errorsReport.errors.values.allSatisfy { !$0.samples.isEmpty && $0.count >= $0.samples.count })
            #expect(errorsReport.http.latencyMs.p50 != nil)

            // Nothing changed: nothing to send, no request, no latency.
            let (unchanged, unchangedReport) = try await run(job, "rerun")
            #expect(unchanged.status == 0, "\(unchanged.stderr)")
            #expect(unchangedReport.counts.sent == 1)  // the row CleverTap rejected is sent again
            #expect(unchangedReport.counts.unchanged == 39)

            let fresh = fixture.dir.path + "/fresh.sqlite"
            fixture.writeContacts(30)
            try fixture.server.setFaults(FaultConfiguration(fault429: 1, retryAfterSeconds: 0))
            let failing = fixture.profilesJob(batchSize: 10, extra: "  max_rejected: 10%")
                .replacing("max_attempts: 8", with: "max_attempts: 2")
            let path = fixture.dir.path + "/failed.json"
            let failedRun = try await runProcessDetached(
                // 429s use no attempts: they are retried until retry_timeout runs out.
                Products.ctsync, ["run", failing, "--state", fresh, "--report", path, "--quiet", "--retry-timeout", "1s"],
                environment: fixture.environment, directory: fixture.dir.path)
            #expect(failedRun.status == 1, "\(failedRun.stderr)")
            let failedReport = try Self.roundTrip(
                RunReportDocument.self, try String(contentsOfFile: path, encoding: .utf8), schema: "report")
            #expect(failedReport.status == .failed)
            #expect(failedReport.counts.failed == 30)
            #expect(failedReport.errors["http_429"]?.count == 30, "\(failedReport.errors)")
            #expect(failedReport.errors["http_429"]?.samples.isEmpty == false)
            #expect(failedReport.http.throttled > 0)

            try fixture.server.setFaults(.none)
            let (succeeded, succeededReport) = try await run(fixture.profilesJob(), "succeeded")
            #expect(succeeded.status == 0, "\(succeeded.stderr)")
            #expect(succeededReport.status == .succeeded)
            #expect(succeededReport.errors.isEmpty)
        }
    }

    // MARK: - job files

    /// The job files we ship and document: jobs/*.yaml and the README's job example.
    static func shippedJobs() throws -> [(name: String, text: String)] {
        var jobs: [(String, String)] = try exampleJobs.map { name in
            ("jobs/" + name, try String(contentsOfFile: Products.root + "/jobs/" + name, encoding: .utf8))
        }
        let readme = try String(contentsOfFile: Products.root + "/README.md", encoding: .utf8)
        var block: [Substring]?
        var number = 0
        for line in readme.split(separator: "\n", omittingEmptySubsequences: false) {
            if block == nil, line.hasPrefix("```yaml") {
                block = []
            } else if let lines = block, line.hasPrefix("```") {
                number += 1
                let text = lines.joined(separator: "\n") + "\n"
                if text.contains("\nversion: 1\n") || text.hasPrefix("version: 1\n") {
                    jobs.append(("README.md yaml block \(number)", text))
                }
                block = nil
            } else if block != nil {
                block!.append(line)
            }
        }
        return jobs
    }

    /// A job file as the JSON its schema describes, through the project's own YAML loader
    /// (plain scalars resolve to null, booleans and numbers as the core schema says).
    static func jobJSON(_ text: String, name: String) throws -> JSONValue {
        func convert(_ node: Node) -> JSONValue {
            switch node {
            case .scalar(let scalar):
                if scalar.isNull { return .null }
                if let bool = scalar.bool { return .bool(bool) }
                if let int = scalar.int { return .int(int) }
                if let double = scalar.double { return .double(double) }
                return .string(scalar.value)
            case .sequence(let items, _):
                return .array(items.map(convert))
            case .mapping(let pairs, _):
                var members: [String: JSONValue] = [:]
                for pair in pairs { members[pair.key.scalar?.value ?? "\(pair.key)"] = convert(pair.value) }
                return .object(members)
            }
        }
        let root = try #require(try YAMLLoader.load(SourceText(path: name, bytes: Array(text.utf8))), "\(name) is empty")
        return convert(root)
    }

    @Test func shippedJobFilesValidateAgainstTheJobSchema() throws {
        let schema = try SchemaValidator.committed("job")
        let jobs = try Self.shippedJobs()
        #expect(jobs.count > Self.exampleJobs.count, "jobs/ and the README's example: \(jobs.map(\.name))")
        for (name, text) in jobs {
            let violations = schema.validate(try Self.jobJSON(text, name: name))
            #expect(violations.isEmpty, "\(name): \(violations.map(\.description).joined(separator: "\n"))")
        }
    }

    /// The check above can fail: a job with mistakes the schema describes does not validate.
    @Test func aBrokenJobDoesNotValidate() throws {
        let schema = try SchemaValidator.committed("job")
        let text = try String(contentsOfFile: Products.root + "/jobs/crm-profiles.yaml", encoding: .utf8)
            .replacing("mode: upsert", with: "mode: mirror")
            .replacing("batch_size: 1000", with: "batch_size: 5000")
            .replacing("name: crm-profiles", with: "name: crm profiles")
            + "colour: blue\n"
        let violations = schema.validate(try Self.jobJSON(text, name: "broken.yaml"))
        #expect(
            Set(violations.map(\.instancePath)) == ["/mode", "/options/batch_size", "/name", "/colour"],
            "\(violations.map(\.description).joined(separator: "\n"))")
    }
}
