import Foundation
import Testing

/// Hostile CSV and JSONL files through the built `ctsync plan --format json`: every bad
/// record is counted as an invalid row with its line number and message, the counts add
/// up (`source_rows = invalid + unchanged + planned`), and the run stays in bounds.
@Suite("Hostile source files (ctsync plan)")
struct HostileSourceFileTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        /// `data.csv` or `data.jsonl`.
        let file: String
        /// The file's contents, written at test time.
        let build: @Sendable (String) throws -> Void
        let expected: PlanOutcome

        var testDescription: String { name }
    }

    static let header = "id,email,name\n"
    static let sample = PlanOutcome.sample

    static let csvCases: [Case] = [
        Case(
            name: "CSV: unterminated quote", file: "data.csv",
            build: text(header + "1,a@x.com,Ann\n2,\"b@x.com,Bob\n3,c@x.com,Cy\n"),
            expected: PlanOutcome(
                counts: (2, 1, 1),
                rejected: [
                    "invalid_row": [
                        sample(
                            3,
                            "unterminated quoted field: the quote that opens field 2 (\"email\") on line 3 is never closed")
                    ]
                ], plannedNames: ["Ann"])),
        Case(
            name: "CSV: unterminated quote followed by 100 MB", file: "data.csv", build: unterminatedQuoteThen100MB,
            expected: PlanOutcome(
                counts: (2, 1, 1),
                rejected: [
                    "invalid_row": [
                        sample(
                            3,
                            "unterminated quoted field: the quote that opens field 2 (\"email\") on line 3 is never closed")
                    ]
                ], plannedNames: ["Ann"])),
        Case(
            name: "CSV: NUL bytes", file: "data.csv",
            build: text(header + "1,a@x.com,A\0nn\n2,\0b@x.com,Bob\n3,\"c@x.com\",\"C\0y\"\n4,d@x.com,Di\n"),
            expected: PlanOutcome(
                counts: (4, 3, 1),
                rejected: [
                    "invalid_row": [
                        sample(2, "NUL byte in field 3 (\"name\")"), sample(3, "NUL byte in field 2 (\"email\")"),
                        sample(4, "NUL byte in field 3 (\"name\")"),
                    ]
                ], plannedNames: ["Di"])),
        Case(
            name: "CSV: ragged rows", file: "data.csv",
            build: text(header + "1,a@x.com\n2,b@x.com,Bob,extra\n3\n4,d@x.com,Di\n5,e@x.com,\"Eve\",\"\"\n"),
            expected: PlanOutcome(
                counts: (5, 4, 1),
                rejected: [
                    "invalid_row": [
                        sample(2, "expected 3 fields, found 2"), sample(3, "expected 3 fields, found 4"),
                        sample(4, "expected 3 fields, found 1"), sample(6, "expected 3 fields, found 4"),
                    ]
                ], plannedNames: ["Di"])),
        Case(
            name: "CSV: mixed line endings (LF, CRLF, a lone CR, no final break)", file: "data.csv",
            build: text("id,email,name\r\n1,a@x.com,Ann\n2,b@x.com,Bob\r\n3,c@x.com,Cy\r4,d@x.com,Di\n5,e@x.com,Eve"),
            expected: PlanOutcome(
                counts: (4, 1, 3), rejected: ["invalid_row": [sample(4, "expected 3 fields, found 5")]],
                plannedNames: ["Ann", "Bob", "Eve"])),
        Case(
            name: "CSV: a 10 MB field", file: "data.csv",
            build: text(header + "1,a@x.com," + String(repeating: "n", count: 10_000_000) + "\n2,b@x.com,Bob\n"),
            expected: PlanOutcome(
                counts: (2, 1, 1),
                rejected: ["value_too_long": [sample(2, "Name is 10000000 bytes long; CleverTap allows at most 512")]],
                plannedNames: ["Bob"])),
        Case(
            name: "CSV: a 20 MB quoted field (over the 16 MiB field limit)", file: "data.csv",
            build: text(header + "1,a@x.com,\"" + String(repeating: "q", count: 20_000_000) + "\"\n2,b@x.com,Bob\n"),
            expected: PlanOutcome(
                counts: (2, 1, 1),
                rejected: ["invalid_row": [sample(2, "field 3 (\"name\") is larger than the 16 MiB field limit")]],
                plannedNames: ["Bob"])),
        Case(
            name: "CSV: invalid UTF-8 (Latin-1, overlong, surrogate, truncated)", file: "data.csv",
            build: bytes(
                Array((header + "1,a@x.com,Ren").utf8) + [0xE9] + Array("\n2,b@x.com,".utf8) + [0xC0, 0xAF]
                    + Array("\n3,c@x.com,".utf8) + [0xED, 0xA0, 0x80] + Array("\n4,d@x.com,Di\n5,e@x.com,E".utf8)
                    + [0xE2, 0x82]),
            expected: PlanOutcome(
                counts: (5, 4, 1),
                rejected: [
                    "invalid_row": [
                        sample(2, "invalid UTF-8 in field 3 (\"name\")"), sample(3, "invalid UTF-8 in field 3 (\"name\")"),
                        sample(4, "invalid UTF-8 in field 3 (\"name\")"), sample(6, "invalid UTF-8 in field 3 (\"name\")"),
                    ]
                ], plannedNames: ["Di"])),
        Case(
            name: "CSV: an empty file", file: "data.csv", build: text(""),
            expected: PlanOutcome(
                status: 1,
                stderr:
                    "ctsync plan: job.yaml: missing columns \"email\", \"name\", \"id\" in source; the source has no header row (the file is empty or the command printed nothing)\n"
            )),
        Case(
            name: "CSV: a header only", file: "data.csv", build: text(header),
            expected: PlanOutcome(counts: (0, 0, 0), plannedNames: [])),
        Case(
            name: "CSV: a header without a line break, then nothing", file: "data.csv", build: text("id,email,name"),
            expected: PlanOutcome(counts: (0, 0, 0), plannedNames: [])),
        Case(
            name: "CSV: a header and blank lines", file: "data.csv", build: text(header + "\n\r\n\n"),
            expected: PlanOutcome(counts: (0, 0, 0), plannedNames: [])),
        Case(
            name: "CSV: a binary file named .csv", file: "data.csv", build: fixtureBytes("csv/binary.csv"),
            expected: PlanOutcome(
                status: 1,
                stderrContains: ["ctsync plan: job.yaml: missing columns \"email\", \"name\", \"id\" in source; columns are: "]
            )),
    ]

    static let jsonlCases: [Case] = [
        Case(
            name: "JSONL: broken lines", file: "data.jsonl", build: fixtureBytes("jsonl/broken-lines.jsonl"),
            expected: PlanOutcome(
                counts: (7, 5, 2),
                rejected: [
                    "invalid_row": [
                        sample(2, "invalid JSON at column 29: unexpected end of line, expected ',' or '}' after a member"),
                        sample(3, "invalid JSON at column 10: unexpected '\"', expected ',' or '}' after a member"),
                        sample(4, "invalid JSON at column 30: unexpected '}', expected a string key"),
                        sample(5, "invalid JSON at column 1: unexpected 'n', expected a value"),
                        sample(6, "invalid JSON at column 19 (in \"name\"): unterminated string"),
                    ]
                ], plannedNames: ["Ann", "Gus"])),
        Case(
            name: "JSONL: lines that are not objects", file: "data.jsonl", build: fixtureBytes("jsonl/non-objects.jsonl"),
            expected: PlanOutcome(
                counts: (7, 6, 1),
                rejected: [
                    "invalid_row": [
                        sample(1, "line is not a JSON object (it is an array)"),
                        sample(2, "line is not a JSON object (it is a string)"),
                        sample(3, "line is not a JSON object (it is a number)"),
                        sample(4, "line is not a JSON object (it is null)"),
                        sample(5, "line is not a JSON object (it is a boolean)"),
                    ]
                ], rejectedCounts: ["invalid_row": 6], plannedNames: ["Ann"])),
        Case(
            name: "JSONL: invalid UTF-8, a NUL byte and 10,000-deep nesting", file: "data.jsonl",
            build: bytes(
                Array(#"{"id": 1, "email": "a@x.com", "name": "Ren"#.utf8) + [0xE9] + Array("\"}\n".utf8)
                    + Array(#"{"id": 2, "email": "b@x.com", "name": "B"#.utf8) + [0] + Array("b\"}\n".utf8)
                    + Array(#"{"id": 3, "email": "c@x.com", "name": "#.utf8)
                    + Array(String(repeating: "[", count: 10_000).utf8) + Array(String(repeating: "]", count: 10_000).utf8)
                    + Array("}\n".utf8) + Array(#"{"id": 4, "email": "d@x.com", "name": "Di"}"#.utf8)),
            expected: PlanOutcome(
                counts: (4, 3, 1),
                rejected: [
                    "invalid_row": [
                        sample(1, "invalid UTF-8 at column 43 (in \"name\")"),
                        sample(2, "invalid JSON at column 41 (in \"name\"): control character U+0000 in a string must be escaped"),
                        sample(3, "invalid JSON at column 102 (in \"name\"): nesting deeper than 64 levels"),
                    ]
                ], plannedNames: ["Di"])),
        Case(
            name: "JSONL: an empty file", file: "data.jsonl", build: text(""),
            expected: PlanOutcome(counts: (0, 0, 0), plannedNames: [])),
        Case(
            name: "JSONL: only blank lines", file: "data.jsonl", build: text("\n \r\n\t\n"),
            expected: PlanOutcome(counts: (0, 0, 0), plannedNames: [])),
    ]

    @Test(arguments: csvCases + jsonlCases)
    func plan(_ hostile: Case) async throws {
        let dir = TemporaryDirectory()
        try hostile.build(dir.path + "/" + hostile.file)
        let job = dir.write("job.yaml", HostilePlan.job(source: "{ file: \(hostile.file) }"))
        try await HostilePlan.check(hostile.expected, job: (job as NSString).lastPathComponent, in: dir)
    }

    // MARK: - Inputs

    static func text(_ text: String) -> @Sendable (String) throws -> Void {
        bytes(Array(text.utf8))
    }

    static func bytes(_ bytes: [UInt8]) -> @Sendable (String) throws -> Void {
        { path in try Data(bytes).write(to: URL(fileURLWithPath: path)) }
    }

    static func fixtureBytes(_ name: String) -> @Sendable (String) throws -> Void {
        { path in try FileManager.default.copyItem(atPath: try HostileFixtures.path(name), toPath: path) }
    }

    /// A good row, then a quote that never closes and 100 MB of rows after it.
    static let unterminatedQuoteThen100MB: @Sendable (String) throws -> Void = { path in
        FileManager.default.createFile(atPath: path, contents: Data((header + "1,a@x.com,Ann\n2,\"b@x.com,Bob\n").utf8))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        let rows = Data(String(repeating: "3,c@x.com," + String(repeating: "x", count: 89) + "\n", count: 10_000).utf8)
        for _ in 0..<100 { try handle.write(contentsOf: rows) }
    }
}
