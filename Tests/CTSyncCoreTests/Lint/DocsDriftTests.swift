import Foundation
import Testing

@testable import CTSyncSupport
@testable import CTSyncYAML
@testable import CTSyncSpec
@testable import CTSyncSession

/// docs/ pages that follow the code: the job reference is generated and committed, the
/// transforms and exit-codes pages are written by hand but must name every case.
@Suite("docs")
struct DocsDriftTests {
    static func read(_ path: String) -> String {
        (try? String(contentsOfFile: Products.root + "/" + path, encoding: .utf8)) ?? ""
    }

    @Test func jobReferenceMatchesCommittedFile() {
        #expect(
            JobReference.markdown == Self.read("docs/job-reference.md"),
            "docs/job-reference.md drifted: run `ctsync schema job --format markdown > docs/job-reference.md`")
    }

    @Test func everySchemaKeyIsDocumented() {
        let page = JobReference.markdown
        for path in JobReference.keyPaths {
            #expect(page.contains("### `\(path)`"), "\(path)")
            #expect(JobReference.node(at: path)?["description"] != nil, "\(path) has no description in JobSchema")
        }
    }

    @Test func lintRulesNameExistingKeys() {
        let paths = Set(JobReference.keyPaths)
        for (rule, keys) in JobKeyRules.keys {
            for key in keys where key != "*" {
                #expect(paths.contains(key), "rule \(rule.id) names \(key), which is not a job key")
            }
        }
    }

    /// Every rule of the registry says which keys it checks, so the reference lists it.
    @Test func everyRuleIsPlacedOnKeys() {
        let missing = LintRule.allCases.filter { JobKeyRules.keys[$0] == nil }.map(\.id)
        #expect(missing == [], "add these rules to JobKeyRules.keys")
    }

    @Test func transformsPageDescribesEveryTransform() {
        let page = Self.read("docs/transforms.md")
        for name in Transform.names {
            #expect(page.contains("\n## `\(name)`\n"), "docs/transforms.md has no section for \(name)")
        }
    }

    @Test func exitCodesPageNamesEveryStatus() {
        let page = Self.read("docs/exit-codes.md")
        for status in ExitStatus.allCases {
            #expect(page.contains("| \(status.rawValue) |"), "docs/exit-codes.md has no row for \(status.rawValue)")
        }
    }

    @Test func yamlExamplesReadBack() throws {
        // Every inline example is YAML that ctsync's loader reads back to the same value.
        for text in ["in1", "${CLEVERTAP_PASSCODE}", "1%", "Customer Type", "http://127.0.0.1:9000/{region}", "|", "true", "0123"] {
            let yaml = "k: \(JobReference.YAMLText.scalar(text, inFlow: false))\nf: [\(JobReference.YAMLText.scalar(text, inFlow: true))]\n"
            let node = try #require(try YAMLLoader.load(SourceText(path: "example.yaml", bytes: Array(yaml.utf8))))
            #expect(node["k"]?.scalar?.value == text, "\(yaml)")
            #expect(node["f"]?.sequence?.first?.scalar?.value == text, "\(yaml)")
        }
    }
}
