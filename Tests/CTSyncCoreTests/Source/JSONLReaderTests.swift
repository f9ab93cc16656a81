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

@Suite("JSONL sources")
struct JSONLReaderTests {
    private typealias T = SourceTesting

    private func read(
        _ text: String, project: [String], options: JSONLOptions = JSONLOptions(),
        capacity: Int = InputBuffer.defaultCapacity
    ) throws -> [RowEvent] {
        try T.read(text, format: .jsonl, jsonl: options, project: project, capacity: capacity).events
    }

    @Test func scalarsMapDirectlyAndNestedValuesBecomeCompactJSON() throws {
        let reader = try Sources.open(file: try T.fixture("profiles.jsonl"), format: .jsonl, csv: CSVOptions())
        #expect(reader.columns == nil)
        try reader.project(["id", "email", "score", "active", "tags", "address", "absent"])
        let events = try T.drain(reader)
        #expect(
            events == [
                .row(
                    line: 1,
                    values: [
                        .number("1"), .string("ann@example.com"), .number("1.50e3"), .bool(true), .json(#"["a","b"]"#),
                        .json(#"{"city":"Pune","zip":null}"#), .null,
                    ]),
                .row(
                    line: 2,
                    values: [
                        .number("2"), .string("bo@example.com"), .number("-0.5"), .bool(false), .json("[]"),
                        .json("{}"), .null,
                    ]),
                .row(line: 4, values: [.number("3"), .null, .null, .null, .null, .null, .null]),
                .invalid(line: 5, message: "line is not a JSON object (it is an array)"),
                .invalid(line: 6, message: "invalid JSON at column 37: unexpected '}', expected a string key"),
                .row(line: 7, values: [.number("5"), .string("déjà vu 😀"), .null, .null, .null, .null, .null]),
            ])
    }

    @Test func nestedValuesKeepTheirStringsVerbatim() throws {
        let events = try read(
            #"{"a": [ {"k" : "x  y\"z" , "n": [1, 2.5e-3]} ], "b": {"s":"\u00e9"}}"#, project: ["a", "b"])
        #expect(
            events == [.row(line: 1, values: [.json(#"[{"k":"x  y\"z","n":[1,2.5e-3]}]"#), .json(#"{"s":"\u00e9"}"#)])])
    }

    @Test func stringEscapesAndUnicode() throws {
        let line = #"{"s": "q\" b\\ s\/ \b\f\n\r\t \u0041\u00e9\u4e2d \ud83d\ude00 raw é中😀", "z": "\u0000"}"#
        let events = try read(line, project: ["s", "z"])
        #expect(
            events == [.row(line: 1, values: [.string("q\" b\\ s/ \u{8}\u{C}\n\r\t Aé中 😀 raw é中😀"), .string("\u{0}")])])
    }

    @Test func escapedKeysMatchTheirDecodedNames() throws {
        #expect(try read(#"{"em\u0061il": "x"}"#, project: ["email"]) == [.row(line: 1, values: [.string("x")])])
    }

    @Test func theLastOfDuplicateKeysWins() throws {
        #expect(
            try read(#"{"a": 1, "a": "two"}"#, project: ["a", "a"]) == [
                .row(line: 1, values: [.string("two"), .string("two")])
            ])
    }

    @Test(arguments: [
        (#"{"a": 1,}"#, "invalid JSON at column 9: unexpected '}', expected a string key"),
        (#"{"a": "x"#, "invalid JSON at column 7 (in \"a\"): unterminated string"),
        (#"{"a": 01}"#, "invalid JSON at column 7 (in \"a\"): invalid number: leading zero"),
        (#"{"a": -}"#, "invalid JSON at column 8 (in \"a\"): invalid number: expected a digit"),
        (#"{"a": 1.}"#, "invalid JSON at column 9 (in \"a\"): invalid number: expected a digit after '.'"),
        (#"{"a": 1e+}"#, "invalid JSON at column 10 (in \"a\"): invalid number: expected a digit in the exponent"),
        (#"{"a": tru}"#, "invalid JSON at column 7 (in \"a\"): unexpected 't', expected a value"),
        (#"{"a": "\q"}"#, "invalid JSON at column 8 (in \"a\"): invalid escape \\q in a string"),
        (#"{"a": "\u12"}"#, "invalid JSON at column 8 (in \"a\"): invalid \\u escape: expected four hex digits"),
        (#"{"a": "\ud83d"}"#, "invalid JSON at column 8 (in \"a\"): unpaired surrogate \\uD83D"),
        (#"{"a": "\ude00"}"#, "invalid JSON at column 8 (in \"a\"): unpaired surrogate \\uDE00"),
        (
            "{\"a\": \"tab\there\"}",
            "invalid JSON at column 11 (in \"a\"): control character U+0009 in a string must be escaped"
        ),
        (#"{"a": 1} x"#, "invalid JSON at column 10: unexpected text after the object"),
        (#"{"a" 1}"#, "invalid JSON at column 6: unexpected '1', expected ':' after a key"),
        (#"{"a": 1 "b": 2}"#, #"invalid JSON at column 9: unexpected '"', expected ',' or '}' after a member"#),
        (
            #"{"a": [1 2]}"#,
            "invalid JSON at column 10 (in \"a\"): unexpected '2', expected ',' or ']' after an element"
        ),
        (#"{"é": {"b": NaN}}"#, "invalid JSON at column 13 (in \"é\"): unexpected 'N', expected a value"),
        (#"{"a": 1"#, "invalid JSON at column 8: unexpected end of line, expected ',' or '}' after a member"),
        (#"{"#, "invalid JSON at column 2: unexpected end of line, expected a string key"),
        ("hello", "invalid JSON at column 1: unexpected 'h', expected a value"),
        (#""text""#, "line is not a JSON object (it is a string)"),
        ("42", "line is not a JSON object (it is a number)"),
        ("null", "line is not a JSON object (it is null)"),
        ("true", "line is not a JSON object (it is a boolean)"),
    ])
    func brokenLinesAreInvalidWithAPlaceAndAReason(line: String, message: String) throws {
        let events = try read(line + "\n{\"a\": 2}\n", project: ["a"])
        #expect(events == [.invalid(line: 1, message: message), .row(line: 2, values: [.number("2")])])
    }

    @Test func theEndOfLineMessageIsPrefixed() throws {
        let events = try read("{\"a\":\n", project: ["a"])
        #expect(
            events == [
                .invalid(
                    line: 1, message: "invalid JSON at column 6 (in \"a\"): unexpected end of line, expected a value")
            ])
    }

    @Test func invalidUTF8IsInvalid() throws {
        let bytes =
            Array(#"{"a": "x"#.utf8) + [0xE2, 0x28, 0xA1] + Array("\"}\n{\"a\": 1}\n".utf8) + [0xFF] + Array("\n".utf8)
        let events = try T.read(bytes, format: .jsonl, project: ["a"]).events
        #expect(
            events == [
                .invalid(line: 1, message: "invalid UTF-8 at column 9 (in \"a\")"),
                .row(line: 2, values: [.number("1")]),
                .invalid(line: 3, message: "invalid UTF-8 at column 1"),
            ])
    }

    @Test func blankLinesAreSkippedAndCRLFIsFine() throws {
        let text = "\u{FEFF}\r\n{\"a\": 1}\r\n   \n\t\r\n{\"a\": 2}\r\n\n{\"a\": 3}"
        #expect(
            try read(text, project: ["a"]) == [
                .row(line: 2, values: [.number("1")]), .row(line: 5, values: [.number("2")]),
                .row(line: 7, values: [.number("3")]),
            ])
    }

    @Test func nestingIsLimited() throws {
        func nested(_ depth: Int) -> String {
            String(repeating: "[", count: depth - 1) + String(repeating: "]", count: depth - 1)
        }
        let ok = "{\"a\": \(nested(64))}"
        let deep = "{\"a\": \(nested(65))}"
        let events = try read(ok + "\n" + deep + "\n", project: ["a"])
        #expect(
            events == [
                .row(line: 1, values: [.json(nested(64))]),
                .invalid(line: 2, message: "invalid JSON at column 70 (in \"a\"): nesting deeper than 64 levels"),
            ])
    }

    @Test func aLineOverTheLimitIsInvalidWithoutBeingKept() throws {
        let long = "{\"a\": \"\(String(repeating: "x", count: 100))\"}"
        let text = "{\"a\": 1}\n\(long)\n{\"a\": 2}\n\(long)"
        for capacity in [4, 64, 1 << 20] {
            let events = try read(text, project: ["a"], options: JSONLOptions(maxLineBytes: 64), capacity: capacity)
            #expect(
                events == [
                    .row(line: 1, values: [.number("1")]),
                    .invalid(line: 2, message: "line is longer than the 64 bytes limit"),
                    .row(line: 3, values: [.number("2")]),
                    .invalid(line: 4, message: "line is longer than the 64 bytes limit"),
                ])
        }
    }

    @Test func withoutAProjectionRowsCarryNoValues() throws {
        #expect(try T.read("{\"a\": 1}\n", format: .jsonl).events == [.row(line: 1, values: [])])
    }

    @Test func resultsDoNotDependOnTheBufferSize() throws {
        let path = try T.fixture("profiles.jsonl")
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        let wanted = ["id", "email", "tags", "address", "note"]
        let reference = try T.read(bytes, format: .jsonl, project: wanted).events
        for capacity in 1...19 {
            #expect(try T.read(bytes, format: .jsonl, project: wanted, capacity: capacity).events == reference)
        }
    }
}
