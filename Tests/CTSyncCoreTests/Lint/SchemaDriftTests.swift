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
