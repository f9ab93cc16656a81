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

/// One focused test for each fix the hostile-input corpus led to, in process and exact;
/// the corpus tables check the same inputs end to end through the built binary.
@Suite("Hostile input regressions")
struct HostileInputRegressionTests {
    // MARK: - Many findings on one long line

    /// A minified job (one 300 KB line) with 10,000 findings: each excerpt used to decode
    /// the whole line twice, minutes of work; now each costs a window.
    @Test func manyFindingsOnOneLongLineRenderInBoundedTime() {
        let line = "{mappings: [" + String(repeating: "{from: a, to: b}, ", count: 16_000) + "]}"
        let source = CTSyncYAML.SourceText(path: "job.yaml", bytes: Array(line.utf8))
        let diagnostics = (0..<10_000).map { index in
            Diagnostic(.duplicateTarget, "target \"b\" is mapped twice", Mark(file: "job.yaml", line: 1, column: 1 + index * 28))
        }
        let start = Date()
        let text = DiagnosticRenderer.text(diagnostics, sources: ["job.yaml": source], filesChecked: 1)
        #expect(Date().timeIntervalSince(start) < 5)
        #expect(text.split(separator: "\n").count == 3 * 10_000 + 1)
    }

    /// Long lines take the indexed path; their excerpts must be exactly what the plain
    /// path shows, tabs, repaired bytes and defused controls included.
    @Test(arguments: [1, 2, 80, 81, 82, 400, 401, 402, 800, 801, 802, 803, 804, 900])
    func aLongLineExcerptIsTheSameWindowAsBefore(column: Int) throws {
        var bytes: [UInt8] = []
        for index in 0..<200 {
            bytes += Array("\t\(index)é".utf8) + (index % 50 == 7 ? [0xFF, 0x1B] : [])
        }
        let source = CTSyncYAML.SourceText(path: "t", bytes: bytes + [0x0A] + bytes)
        for line in [1, 2] {
            let text = try #require(source.line(line))
            #expect(source.excerpt(line: line, column: column) == Self.referenceExcerpt(text, line: line, column: column))
        }
    }

    /// The windowing `SourceText.excerpt` has always done, over the whole decoded line.
    static func referenceExcerpt(_ text: String, line: Int, column: Int) -> String {
        let scalars = Array(text.unicodeScalars)
        let caret = max(0, column - 1)
        var start = 0
        var end = scalars.count
        if scalars.count > 160 {
            start = max(0, min(caret - 80, scalars.count - 160))
            end = min(scalars.count, start + 160)
        }
        var shown = String.UnicodeScalarView()
        shown.append(contentsOf: scalars[start..<end])
        var padding = start > 0 ? " " : ""
        for index in start..<max(start, caret) { padding += index < end && scalars[index] == "\t" ? "\t" : " " }
        let number = String(line)
        let gutter = String(repeating: " ", count: max(0, 4 - number.count)) + number
        return "\(gutter) | \(start > 0 ? "…" : "")\(String(shown))\(end < scalars.count ? "…" : "")\n"
            + "\(String(repeating: " ", count: gutter.count)) | \(padding)^"
    }

    // MARK: - Quadratic blowup

    /// Half a megabyte behind an anchor, aliased over and over: few nodes, gigabytes of
    /// text for the decoder and linter to read and quote.
    @Test func aliasesToAHugeScalarAreRefusedAtTheTextBudget() {
        let text = "a: &a \"" + String(repeating: "k", count: 500_000) + "\"\nb: [" + Array(repeating: "*a", count: 20).joined(separator: ", ") + "]\n"
        #expect(
            throws: YAMLError(
                kind: .composer,
                message: "alias expansion exceeds the limit of 4194304 bytes of text (possible quadratic blowup attack)",
                mark: Mark(file: "t", line: 2, column: 33))
        ) {
            try YAMLLoader.load(CTSyncYAML.SourceText(path: "t", bytes: Array(text.utf8)))
        }
    }

    @Test func scalarTextIsBudgetedWithoutAliasesToo() {
        let limits = YAMLLimits(maxBytes: 1 << 20, maxDepth: 64, maxNodes: 100, maxScalarBytes: 9)
        #expect(
            throws: YAMLError(
                kind: .composer, message: "document has more than 9 bytes of text (counting each alias as a copy of its anchor)",
                mark: Mark(file: "t", line: 2, column: 4))
        ) {
            try YAMLLoader.load(CTSyncYAML.SourceText(path: "t", bytes: Array("a: 1234\nb: 5678\n".utf8)), limits: limits)
        }
    }

    @Test func ordinaryAliasesStillLoad() throws {
        let text = """
            defaults: &d { region: in1, account_id: "1", passcode: "${P}" }
            one: { <<: *d, endpoint: "https://a" }
            two: [*d, *d, *d]
            """
        let root = try #require(try YAMLLoader.load(CTSyncYAML.SourceText(path: "t", bytes: Array(text.utf8))))
        #expect(root["one"]?["region"]?.scalar?.value == "in1")
        #expect(root["two"]?.sequence?.count == 3)
    }

    // MARK: - Binary files

    @Test(arguments: [
        ("ELF", [0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00] as [UInt8], 1, 8),
        ("PNG", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D], 3, 1),
        ("UTF-16 without a byte order mark", Array("v\0e\0r\0".utf8), 1, 2),
    ])
    func aBinaryFileIsCalledWhatItIs(_ kind: String, bytes: [UInt8], line: Int, column: Int) {
        #expect(
            throws: YAMLError(
                kind: .encoding, message: "file is not text (it contains a NUL byte)",
                mark: Mark(file: "t", line: line, column: column)), "\(kind)"
        ) {
            try YAMLLoader.load(CTSyncYAML.SourceText(path: "t", bytes: bytes))
        }
    }

    @Test func aTextFileWithALateNulStillReportsItsFirstProblem() {
        let bytes = Array("name: caf".utf8) + [0xE9] + Array(String(repeating: "\n# padding", count: 1_000).utf8) + [0]
        #expect(
            throws: YAMLError(
                kind: .encoding, message: "invalid UTF-8 (byte 0xE9); the file must be UTF-8 encoded",
                mark: Mark(file: "t", line: 1, column: 10))
        ) {
            try YAMLLoader.load(CTSyncYAML.SourceText(path: "t", bytes: bytes))
        }
    }

    // MARK: - A huge misspelled key

    /// A 900 KB key used to cost an edit-distance matrix per known key: 12 s and 180 MB.
    @Test func aHugeUnknownKeyCostsNoSuggestion() throws {
        let text = "version: 1\n? " + String(repeating: "k", count: 900_000) + "\n: 1\nmdoe: upsert\n"
        let source = CTSyncYAML.SourceText(path: "job.yaml", bytes: Array(text.utf8))
        let start = Date()
        let root = try YAMLLoader.load(source)
        let (_, diagnostics) = SpecDecoder(environment: [:], unsetVariableSeverity: .warning).decode(root, source: source)
        #expect(Date().timeIntervalSince(start) < 5)
        let unknown = diagnostics.filter { $0.rule == .unknownKey }.map(\.message)
        #expect(unknown.count == 2)
        // Named by its start and size, with no suggestion.
        #expect(unknown.first == "unknown key \"" + String(repeating: "k", count: 64) + "…\" (900000 bytes) in job")
        #expect(unknown.last == "unknown key \"mdoe\" in job; did you mean \"mode\"?")
    }

    // MARK: - Header names in the missing-columns message

    @Test func missingColumnsListsAFewHeaderNamesEscaped() {
        let names = ["\u{7F}ELF\u{1}", "\u{1B}]0;pwned\u{7}", "ok", String(repeating: "n", count: 150), "\u{202E}txt"]
            + (0..<100).map { "c\($0)" }
        let message = SourceError.missingColumns(missing: ["id"], available: names).description
        let listed =
            #""\u{7f}ELF\u{1}", "\u{1b}]0;pwned\u{7}", ok, "# + String(repeating: "n", count: 100) + "…, "
            + #""\u{202e}txt", "# + (0..<45).map { "c\($0)" }.joined(separator: ", ") + ", … (55 more)"
        #expect(message == "missing column \"id\" in source; columns are: " + listed)
    }

    // MARK: - A command's stderr

    @Test func theStderrTailEscapesControlCharacters() {
        var tail = StderrTail()
        let bytes = Array("\u{1B}[2J\u{1B}]0;pwned\u{7}\0\r\nERROR:\tbad\r\u{9B}31m \u{202E}gnp.exe\r\n".utf8)
        bytes.withUnsafeBytes { tail.append($0) }
        #expect(tail.text == #"\u{1b}[2J\u{1b}]0;pwned\u{7}\u{0}"# + "\nERROR:\tbad" + #"\u{d}\u{9b}31m \u{202e}gnp.exe"#)
    }

    @Test func aFloodedStderrTailIsTheEscapedEnd() {
        var tail = StderrTail(capacity: 16)
        let bytes = Array((String(repeating: "x", count: 100) + "\u{1B}[31mlast").utf8)
        bytes.withUnsafeBytes { tail.append($0) }
        #expect(tail.text == "…xxxxxxx" + #"\u{1b}"# + "[31mlast")
    }
}
