import CTSyncYAML
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

/// One fixed input, the expected text of each reporter.
@Suite("lint reporters")
struct ReporterGoldenTests {
    static let source = CTSyncYAML.SourceText(
        path: "jobs/crm.yaml", bytes: Array("name: crm\nmode: mirror\nmappings:\n  - { from: a, to: b }\n".utf8))
    static let findings = [
        Diagnostic(.unsupportedMode, "mode \"mirror\" is not supported", Mark(file: "jobs/crm.yaml", line: 2, column: 7)),
        Diagnostic(.eventsWithoutTs, "no mapping writes ts, 50%", Mark(file: "jobs/crm.yaml", line: 4, column: 5)),
    ]

    @Test func text() {
        let out = DiagnosticRenderer.text(Self.findings, sources: ["jobs/crm.yaml": Self.source], filesChecked: 1)
        let lines = out.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first == "jobs/crm.yaml:2:7: error: mode \"mirror\" is not supported [unsupported-mode]")
        #expect(lines.contains { $0.hasSuffix("mode: mirror") })
        #expect(out.contains("jobs/crm.yaml:4:5: warning: no mapping writes ts, 50% [events-without-ts]"))
        #expect(lines.dropLast().last == "1 file checked: 1 error, 1 warning")
        // The caret sits under column 7 of the quoted line.
        let quoted = lines.firstIndex { $0.hasSuffix("mode: mirror") }!
        let caretLine = lines[quoted + 1]
        let lineStart = lines[quoted].range(of: "mode: mirror")!.lowerBound
        let caret = caretLine.firstIndex(of: "^")!
        #expect(
            lines[quoted].distance(from: lines[quoted].startIndex, to: lineStart) + 6
                == caretLine.distance(from: caretLine.startIndex, to: caret))
    }

    @Test func json() throws {
        let out = DiagnosticRenderer.json(Self.findings, filesChecked: 1)
        #expect(
            out == """
                {
                  "errors": 1,
                  "files_checked": 1,
                  "findings": [
                    {
                      "column": 7,
                      "file": "jobs/crm.yaml",
                      "line": 2,
                      "message": "mode \\"mirror\\" is not supported",
                      "rule": "unsupported-mode",
                      "severity": "error"
                    },
                    {
                      "column": 5,
                      "file": "jobs/crm.yaml",
                      "line": 4,
                      "message": "no mapping writes ts, 50%",
                      "rule": "events-without-ts",
                      "severity": "warning"
                    }
                  ],
                  "format_version": 1,
                  "warnings": 1
                }

                """)
        let parsed = try OutputContract.decode(LintDocument.self, out, schema: "lint")
        #expect(parsed.formatVersion == 1)
    }

    @Test func github() {
        #expect(
            DiagnosticRenderer.github(Self.findings) == """
                ::error file=jobs/crm.yaml,line=2,col=7,title=unsupported-mode::mode "mirror" is not supported [unsupported-mode]
                ::warning file=jobs/crm.yaml,line=4,col=5,title=events-without-ts::no mapping writes ts%2C 50%25 [events-without-ts]

                """.replacing("ts%2C 50", with: "ts, 50"))
    }
}
