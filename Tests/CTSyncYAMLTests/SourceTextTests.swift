import Foundation
import Testing

@testable import CTSyncYAML

@Suite("Source text, marks and excerpts")
struct SourceTextTests {
    @Test func excerptGolden() {
        let text = (1...11).map { "line \($0)" }.joined(separator: "\n") + "\n  phone: [e164\n"
        #expect(
            source(text).excerpt(line: 12, column: 10) == """
                  12 |   phone: [e164
                     |          ^
                """)
        #expect(
            source("a: 1\n").excerpt(line: 1, column: 1) == """
                   1 | a: 1
                     | ^
                """)
    }

    @Test func excerptRepeatsTabsSoTheCaretStaysAligned() {
        #expect(
            source("\tkey:\t@\n").excerpt(line: 1, column: 7) == """
                   1 | \tkey:\t@
                     | \t    \t^
                """)
    }

    @Test func excerptOfAWideLineNumberWidensTheGutter() {
        let text = String(repeating: "\n", count: 12_344) + "x: 1"
        #expect(
            source(text).excerpt(line: 12_345, column: 4) == """
                12345 | x: 1
                      |    ^
                """)
    }

    @Test func excerptOfAMissingLineIsEmpty() {
        let text = source("a: 1\n")
        #expect(text.excerpt(line: 3, column: 1) == "")
        #expect(text.excerpt(line: 0, column: 1) == "")
        #expect(
            text.excerpt(line: 2, column: 1) == "   2 | \n     | ^", "the line after a final break exists and is empty")
    }

    @Test func excerptOfALongLineIsAWindowAroundTheCaret() {
        let line = String(repeating: "a", count: 500) + "X" + String(repeating: "b", count: 500)
        let excerpt = source(line).excerpt(line: 1, column: 501)
        let window = String(repeating: "a", count: 80) + "X" + String(repeating: "b", count: 79)
        #expect(
            excerpt == "   1 | …\(window)…\n     | \(String(repeating: " ", count: 81))^")
    }

    @Test func linesFollowLibYAMLsLineBreaks() {
        let text = SourceText(path: "t", bytes: Array("a\r\nb\rc\nd\u{85}e\u{2028}f".utf8))
        #expect(text.lineCount == 6)
        #expect((1...6).map { text.line($0) } == ["a", "b", "c", "d", "e", "f"])
        #expect(text.line(7) == nil)
    }

    @Test func linesAreRepairedAndDefusedForDisplay() {
        let bytes = Array("ok: ".utf8) + [0xFF] + Array(" \u{1B}[31m\tend".utf8)
        #expect(SourceText(path: "t", bytes: bytes).line(1) == "ok: \u{FFFD} \u{FFFD}[31m\tend")
    }

    @Test func lineOneDropsTheByteOrderMark() {
        #expect(SourceText(path: "t", bytes: [0xEF, 0xBB, 0xBF] + Array("a: 1".utf8)).line(1) == "a: 1")
    }

    @Test func markDescriptionAndOrder() {
        #expect(Mark(file: "jobs/crm.yaml", line: 12, column: 7).description == "jobs/crm.yaml:12:7")
        let marks = [mark(2, 1), mark(1, 9), mark(1, 2, file: "a.yaml"), mark(1, 10)]
        #expect(marks.sorted() == [mark(1, 2, file: "a.yaml"), mark(1, 9), mark(1, 10), mark(2, 1)])
    }

    @Test func renderedErrorShowsTheLineAndCaret() throws {
        let text = source("name: crm\nname: other\n")
        let error = try #require(loadError(text))
        #expect(
            error.rendered(in: text) == """
                test.yaml:2:1: error: duplicate key "name" (first defined at line 1, column 1)
                   2 | name: other
                     | ^
                """)
    }

    // MARK: - Reading files

    @Test func readsAFile() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/job.yaml"
            try Data("name: crm\n".utf8).write(to: URL(fileURLWithPath: path))
            let text = try SourceText.read(path: path, maxBytes: 100)
            #expect(text.path == path)
            #expect(text.bytes == Array("name: crm\n".utf8))
        }
    }

    @Test func refusesAnOversizeFileBeforeReadingIt() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/big.yaml"
            try Data(repeating: UInt8(ascii: "a"), count: 101).write(to: URL(fileURLWithPath: path))
            #expect(
                throws: YAMLError(
                    kind: .size, message: "file is too large (101 bytes; the limit is 100 bytes)",
                    mark: Mark(file: path, line: 1, column: 1))
            ) {
                try SourceText.read(path: path, maxBytes: 100)
            }
        }
    }

    @Test func refusesAMissingFileAndADirectory() throws {
        try withTemporaryDirectory { directory in
            let missing = directory + "/missing.yaml"
            #expect(
                throws: YAMLError(kind: .io, message: "file not found", mark: Mark(file: missing, line: 1, column: 1))
            ) {
                try SourceText.read(path: missing, maxBytes: 100)
            }
            #expect(
                throws: YAMLError(
                    kind: .io, message: "is a directory, not a file", mark: Mark(file: directory, line: 1, column: 1))
            ) {
                try SourceText.read(path: directory, maxBytes: 100)
            }
        }
    }

    @Test func enforcesTheLimitOnAPipe() throws {
        #expect(
            throws: YAMLError(
                kind: .size, message: "file is too large (more than 10 bytes; the limit is 10 bytes)",
                mark: Mark(file: "/dev/zero", line: 1, column: 1))
        ) {
            try SourceText.read(path: "/dev/zero", maxBytes: 10)
        }
    }
}

private func withTemporaryDirectory(_ body: (String) throws -> Void) throws {
    let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("ctsync-yaml-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    try body(directory.path)
}
