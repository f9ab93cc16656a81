import Foundation
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

/// `schemas/*.json` are the committed output of `ctsync schema`; CI fails when they drift.
@Suite("schemas")
struct SchemaDriftTests {
    static func committed(_ name: String) -> String {
        (try? String(contentsOfFile: Products.root + "/schemas/\(name).schema.json", encoding: .utf8)) ?? ""
    }

    @Test func jobSchemaMatchesCommittedFile() {
        #expect(
            JobSchema.document.serialized() + "\n" == Self.committed("job"),
            "schemas/job.schema.json drifted: run `ctsync schema job > schemas/job.schema.json`")
    }

    @Test func jobSchemaListsExactlyTheDecoderKeys() throws {
        guard case .object(let root) = JobSchema.document, case .object(let properties)? = root["properties"] else {
            Issue.record("schema has no properties")
            return
        }
        #expect(Set(properties.keys) == Set(SpecKeys.job))
        func keys(_ section: String) -> Set<String> {
            guard case .object(let s)? = properties[section], case .object(let p)? = s["properties"] else { return [] }
            return Set(p.keys)
        }
        #expect(keys("destination") == Set(SpecKeys.destination))
        #expect(keys("source") == Set(SpecKeys.source))
        #expect(keys("options") == Set(SpecKeys.options))
        #expect(keys("guards") == Set(SpecKeys.guards))
    }

    @Test func checkSchemaMatchesCommittedFile() {
        #expect(
            OutputSchemas.check.serialized() + "\n" == Self.committed("check"),
            "schemas/check.schema.json drifted: run `ctsync schema check > schemas/check.schema.json`")
    }

    /// `CheckDocument` writes exactly the keys the check schema declares, at every level.
    @Test func checkDocumentKeysMatchTheSchema() throws {
        let document = CheckDocument(jobs: [
            JobCheck(
                name: nil, file: "a.yaml",
                checks: [CheckResult(.spec, .failed, "1 error", details: ["a.yaml:1:1: error: x [y]"])])
        ])
        guard case .object(let root) = try JSONValue(encoding: document),
            case .array(let jobs)? = root["jobs"], case .object(let job)? = jobs.first,
            case .array(let checks)? = job["checks"], case .object(let check)? = checks.first,
            case .object(let schema) = OutputSchemas.check, case .object(let properties)? = schema["properties"],
            case .object(let jobsSchema)? = properties["jobs"], case .object(let jobSchema)? = jobsSchema["items"],
            case .object(let jobProperties)? = jobSchema["properties"], case .object(let checksSchema)? = jobProperties["checks"],
            case .object(let checkSchema)? = checksSchema["items"], case .object(let checkProperties)? = checkSchema["properties"]
        else {
            Issue.record("unexpected shape")
            return
        }
        #expect(Set(root.keys) == Set(properties.keys))
        #expect(Set(job.keys) == Set(jobProperties.keys))
        #expect(Set(check.keys) == Set(checkProperties.keys))
        #expect(job["name"] == .null)
        #expect(check["fix"] == .null)
        #expect(try JSONDecoder().decode(CheckDocument.self, from: Data(JSONValue.document(document).utf8)) == document)
    }

    @Test func exampleJobsReferenceTheSchema() throws {
        let jobs = try FileManager.default.contentsOfDirectory(atPath: Products.root + "/jobs").filter { $0.hasSuffix(".yaml") }
        #expect(!jobs.isEmpty)
        for job in jobs {
            let text = try String(contentsOfFile: Products.root + "/jobs/" + job, encoding: .utf8)
            #expect(text.hasPrefix("# yaml-language-server: $schema=../schemas/job.schema.json\n"), "\(job)")
        }
    }
}
