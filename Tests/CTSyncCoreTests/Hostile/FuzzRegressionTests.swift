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

/// Every input the fuzzers (`scripts/fuzz`) ever crashed on, kept in `Fuzz/regressions/<target>/`
/// and fed to the real code paths: in process exactly as the fuzz target does, and for job
/// files also through the built `ctsync lint`. Each must now end in a clean diagnostic.
@Suite("Fuzz regressions")
struct FuzzRegressionTests {
    static let directory = Products.root + "/Fuzz/regressions"

    static func inputs(_ target: String) -> [String] {
        let folder = directory + "/" + target
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted()
    }

    /// What `ctsync lint` must say about a job-file regression: its first finding, from the
    /// location on (`5:17: error: … [rule]`). Inputs not listed only need a located finding.
    static let expectedLint: [String: String] = [
        "eof-error-without-final-newline.yaml":
            "5:17: error: could not find expected ':' while scanning a simple key (started at line 5, column 1) [yaml-scanner]"
    ]

    @Test func everyTargetKeepsItsRegressions() {
        for target in ["yaml", "csv", "jsonl"] {
            #expect(FileManager.default.fileExists(atPath: Self.directory + "/" + target), "Fuzz/regressions/\(target)")
        }
    }

    // MARK: - Job files

    @Test(arguments: inputs("yaml"))
    func jobFileInProcess(_ name: String) throws {
        let path = Self.directory + "/yaml/" + name
        let source = CTSyncYAML.SourceText(path: name, bytes: Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        var diagnostics: [Diagnostic]
        do {
            let root = try YAMLLoader.load(source)
            let decoder = SpecDecoder(environment: PlannerTests.environment, unsetVariableSeverity: .warning)
            let (spec, found) = decoder.decode(root, source: source)
            diagnostics = found + (spec.map(Linter.rules(for:)) ?? [])
        } catch {
            diagnostics = [Diagnostic(error)]
        }
        for diagnostic in diagnostics {
            #expect((1...source.lineCount).contains(diagnostic.mark.line), "\(diagnostic.mark) is outside the file")
            #expect(diagnostic.mark.column >= 1)
            #expect(!source.excerpt(line: diagnostic.mark.line, column: diagnostic.mark.column).isEmpty)
        }
        _ = DiagnosticRenderer.text(diagnostics, sources: [name: source], filesChecked: 1)
    }

    @Test(arguments: inputs("yaml"))
    func jobFileThroughLint(_ name: String) async throws {
        let dir = TemporaryDirectory()
        let path = dir.path + "/" + name
        try FileManager.default.copyItem(atPath: Self.directory + "/yaml/" + name, toPath: path)
        let run = try await BoundedRun.ctsync(["lint", path])
        #expect(run.status == 0 || run.status == 1, "\(run.stderr)")
        let lines = run.stderr.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let findings = lines.indices.filter { lines[$0].hasPrefix(path + ":") }
        if run.status == 1 { #expect(!findings.isEmpty, "no located finding in: \(run.stderr)") }
        for index in findings {
            // Every finding is followed by its source line and caret.
            #expect(index + 2 < lines.count && lines[index + 1].contains(" | ") && lines[index + 2].hasSuffix("^"))
        }
        if let expected = Self.expectedLint[name] {
            #expect(findings.first.map { lines[$0] } == path + ":" + expected)
        }
    }

    // MARK: - Sources

    @Test(arguments: inputs("csv"))
    func csvSource(_ name: String) throws {
        let path = Self.directory + "/csv/" + name
        for (format, header) in [(SourceFormat.csv, true), (.tsv, false)] {
            let csv = CSVOptions(header: header)
            let whole = Self.read(path, format: format, csv: csv, capacity: InputBuffer.defaultCapacity)
            let trickled = Self.read(path, format: format, csv: csv, capacity: 3)
            #expect(whole == trickled, "\(format): the result depends on the buffer size")
        }
    }

    @Test(arguments: inputs("jsonl"))
    func jsonlSource(_ name: String) throws {
        let path = Self.directory + "/jsonl/" + name
        let whole = Self.read(path, format: .jsonl, project: ["id", "email"], capacity: InputBuffer.defaultCapacity)
        let trickled = Self.read(path, format: .jsonl, project: ["id", "email"], capacity: 3)
        #expect(whole == trickled, "the result depends on the buffer size")
    }

    /// Every event, then the error that ended the source, as text for comparison.
    static func read(
        _ path: String, format: SourceFormat, csv: CSVOptions = CSVOptions(), project: [String]? = nil, capacity: Int
    ) -> [String] {
        var events: [String] = []
        do {
            let reader = try Sources.open(
                file: path, format: format, csv: csv, jsonl: JSONLOptions(), bufferCapacity: capacity)
            defer { reader.close() }
            if let project { try reader.project(project) }
            events.append("columns \(reader.columns ?? [])")
            while let event = try reader.next() { events.append("\(event)") }
        } catch {
            events.append("error \(error)")
        }
        return events
    }
}
