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

@Suite("CSV and TSV sources")
struct CSVReaderTests {
    private typealias T = SourceTesting

    // MARK: RFC 4180

    @Test func readsAHeaderAndRowsWithEmptyCellsAsNull() throws {
        let (columns, events) = try T.read("id,email,name\n1,a@x.io,Ann\n2,,  Bo \n")
        #expect(columns == ["id", "email", "name"])
        #expect(events == [T.row(2, "1", "a@x.io", "Ann"), T.row(3, "2", "", "  Bo ")])
    }

    @Test func quotedFieldsKeepNewlinesAndLineNumbersStayExact() throws {
        let path = try T.fixture("quoted-newlines.csv")
        let reader = try Sources.open(file: path, format: .csv, csv: CSVOptions())
        try reader.project(["note", "contact_id"])
        #expect(
            try T.drain(reader) == [
                T.row(2, "first line\nsecond line", "1"),
                T.row(4, "He said \"hi\"", "2"),
                T.row(5, "multi\n\nblank, and a comma", "3"),
                T.row(8, "plain", "4"),
            ])
    }

    @Test func doubledQuotesAndQuotedEmptyFields() throws {
        let (_, events) = try T.read("a,b,c\n\"\"\"\",\"x\"\"y\"\"\",\"\"\n")
        #expect(events == [T.row(2, "\"", "x\"y\"", "")])
    }

    @Test func crlfLineEndingsAreStrippedAndCountedOnce() throws {
        let path = try T.fixture("crlf.csv")
        let reader = try Sources.open(file: path, format: .csv, csv: CSVOptions())
        #expect(reader.columns == ["id", "name"])
        #expect(try T.drain(reader) == [T.row(2, "1", "Ann"), T.row(3, "2", "Bo\r\nb"), T.row(6, "3", "Cy")])
    }

    @Test func mixedLineEndings() throws {
        let (columns, events) = try T.read("id,name\r\n1,a\n2,\"b\"\r\n3,c\r\n4,\"d\"\n5,e")
        #expect(columns == ["id", "name"])
        #expect(
            events == [
                T.row(2, "1", "a"), T.row(3, "2", "b"), T.row(4, "3", "c"), T.row(5, "4", "d"), T.row(6, "5", "e"),
            ])
    }

    @Test func aCarriageReturnElsewhereIsData() throws {
        let (_, events) = try T.read("a,b\nx\ry,z\r\n")
        #expect(events == [T.row(2, "x\ry", "z")])
    }

    @Test func aByteOrderMarkIsSkipped() throws {
        let reader = try Sources.open(file: try T.fixture("bom.csv"), format: .csv, csv: CSVOptions())
        #expect(reader.columns == ["id", "name"])
        #expect(try T.drain(reader) == [T.row(2, "1", "Ann")])
    }

    @Test func aCustomDelimiterAndQuote() throws {
        let options = CSVOptions(delimiter: UInt8(ascii: ";"), quote: UInt8(ascii: "'"))
        let (columns, events) = try T.read("id;note\n1;'a;b ''c'' \"d\"'\n", csv: options)
        #expect(columns == ["id", "note"])
        #expect(events == [T.row(2, "1", "a;b 'c' \"d\"")])
    }

    @Test func tsvUsesTabsAndTheSameQuoting() throws {
        let reader = try Sources.open(file: try T.fixture("people.tsv"), format: .tsv, csv: CSVOptions())
        #expect(reader.columns == ["id", "name", "note"])
        #expect(try T.drain(reader) == [T.row(2, "1", "Ann", "tab\tinside"), T.row(3, "2", "Bo", "")])
    }

    @Test func tsvIgnoresTheCSVDelimiter() throws {
        let (columns, _) = try T.read("a,b\tc\n", format: .tsv, csv: CSVOptions(delimiter: UInt8(ascii: ",")))
        #expect(columns == ["a,b", "c"])
    }

    @Test func blankLinesBetweenRecordsAreSkipped() throws {
        let (_, events) = try T.read("\n\nid,name\n\n1,a\r\n\r\n\n2,b\n\n")
        #expect(events == [T.row(5, "1", "a"), T.row(8, "2", "b")])
    }

    @Test func aQuoteInsideAnUnquotedFieldIsLiteral() throws {
        let (_, events) = try T.read("h,w\n5'10\",x\"y\n")
        #expect(events == [T.row(2, "5'10\"", "x\"y")])
    }

    @Test func theLastRecordNeedsNoLineBreak() throws {
        #expect(try T.read("a,b\n1,2").events == [T.row(2, "1", "2")])
        #expect(try T.read("a,b\n1,").events == [T.row(2, "1", "")])
        #expect(try T.read("a,b\n1,\"2\"").events == [T.row(2, "1", "2")])
        #expect(try T.read("a,b\n1,2\r").events == [T.row(2, "1", "2")])
    }

    // MARK: Header

    @Test func withoutAHeaderColumnsAreNumberedAndTheFirstRecordIsARow() throws {
        let (columns, events) = try T.read("1,a\n2,b\n", csv: CSVOptions(header: false), project: ["2", "1"])
        #expect(columns == ["1", "2"])
        #expect(events == [T.row(1, "a", "1"), T.row(2, "b", "2")])
    }

    @Test func duplicateHeaderNamesResolveToTheFirst() throws {
        let (columns, events) = try T.read("id,name,name\n1,first,second\n", project: ["name", "id", "name"])
        #expect(columns == ["id", "name", "name"])
        #expect(events == [T.row(2, "first", "1", "first")])
    }

    @Test func projectNamesTheMissingColumnsAndTheOnesThatExist() throws {
        let reader = try Sources.open(file: try T.file("id,email,name\n1,a,b\n"), format: .csv, csv: CSVOptions())
        let error = SourceError.missingColumns(missing: ["emial"], available: ["id", "email", "name"])
        #expect(throws: error) { try reader.project(["id", "emial"]) }
        #expect(error.description == "missing column \"emial\" in source; columns are: id, email, name")
        #expect(
            SourceError.missingColumns(missing: ["a", "b"], available: ["id", " x"]).description
                == "missing columns \"a\", \"b\" in source; columns are: id, \" x\"")
    }

    @Test func anEmptyFileHasNoColumnsAndNoRows() throws {
        for text in ["", "\u{FEFF}", "\n\r\n"] {
            let reader = try Sources.open(file: try T.file(text), format: .csv, csv: CSVOptions())
            #expect(reader.columns == [])
            #expect(throws: SourceError.missingColumns(missing: ["id"], available: [])) { try reader.project(["id"]) }
            #expect(try reader.next() == nil)
        }
        #expect(
            SourceError.missingColumns(missing: ["id"], available: []).description
                == "missing column \"id\" in source; the source has no header row (the file is empty or the command printed nothing)"
        )
    }

    @Test func aHeaderAloneMeansZeroRows() throws {
        #expect(try T.read("id,name\n").events == [])
        #expect(try T.read("id,name").events == [])
        #expect(try T.read("id,name").columns == ["id", "name"])
    }

    @Test func anUnusableHeaderEndsTheSource() throws {
        let path = try T.file("id,\"name\n1,2\n")
        #expect(
            throws: SourceError.readFailed(
                path: path,
                reason:
                    "the header row is invalid: unterminated quoted field: the quote that opens field 2 on line 1 is never closed"
            )
        ) {
            try Sources.open(file: path, format: .csv, csv: CSVOptions())
        }
    }

    // MARK: Invalid rows

    @Test func raggedRowsAreInvalidAndReadingGoesOn() throws {
        let (_, events) = try T.read("a,b,c\n1,2\n1,2,3,4\n1,2,3\n\"x\ny\",2\n5,6,7\n")
        #expect(
            events == [
                .invalid(line: 2, message: "expected 3 fields, found 2"),
                .invalid(line: 3, message: "expected 3 fields, found 4"),
                T.row(4, "1", "2", "3"),
                .invalid(line: 5, message: "expected 3 fields, found 2"),
                T.row(7, "5", "6", "7"),
            ])
    }

    @Test func anUnterminatedQuoteIsReportedWhereItsRecordStarts() throws {
        let (_, events) = try T.read("id,note\n1,ok\n2,\"x\ny\n3,never closed\n")
        #expect(
            events == [
                T.row(2, "1", "ok"),
                .invalid(
                    line: 3,
                    message:
                        "unterminated quoted field: the quote that opens field 2 (\"note\") on line 3 is never closed"),
            ])
        let (_, later) = try T.read("id,a,b\n1,\"x\ny\",\"z\n")
        #expect(
            later == [
                .invalid(
                    line: 2,
                    message: "unterminated quoted field: the quote that opens field 3 (\"b\") on line 3 is never closed"
                )
            ])
    }

    @Test func textAfterAClosingQuoteIsInvalid() throws {
        let (_, events) = try T.read("a,b\n\"x\"y,z\n1,2\n\"q\"\r\r\n")
        #expect(
            events == [
                .invalid(line: 2, message: "unexpected text after the closing quote of field 1 (\"a\")"),
                T.row(3, "1", "2"),
                .invalid(line: 4, message: "unexpected text after the closing quote of field 1 (\"a\")"),
            ])
    }

    @Test func invalidUTF8IsInvalidAndNamesTheField() throws {
        var bytes = Array("id,name\n1,".utf8) + [0xC3, 0x28] + Array("\n2,\u{E9}t\u{E9} \u{1F600}\n3,".utf8)
        bytes += [0xED, 0xA0, 0x80] + Array("\n".utf8)  // an encoded surrogate
        let (_, events) = try T.read(bytes)
        #expect(
            events == [
                .invalid(line: 2, message: "invalid UTF-8 in field 2 (\"name\")"),
                T.row(3, "2", "\u{E9}t\u{E9} \u{1F600}"),
                .invalid(line: 4, message: "invalid UTF-8 in field 2 (\"name\")"),
            ])
    }

    @Test func aNULByteIsInvalid() throws {
        let bytes = Array("id,name\n1,a".utf8) + [0] + Array("b\n2,\"c".utf8) + [0] + Array("\"\n3,d\n".utf8)
        let (_, events) = try T.read(bytes, csv: CSVOptions(header: true))
        #expect(
            events == [
                .invalid(line: 2, message: "NUL byte in field 2 (\"name\")"),
                .invalid(line: 3, message: "NUL byte in field 2 (\"name\")"),
                T.row(4, "3", "d"),
            ])
        let (_, headerless) = try T.read(Array("a".utf8) + [0] + Array("\n".utf8), csv: CSVOptions(header: false))
        #expect(headerless == [.invalid(line: 1, message: "NUL byte in field 1")])
    }

    @Test(arguments: [4, 64, 1 << 20])
    func aFieldOverTheLimitIsInvalidWithoutBeingKept(capacity: Int) throws {
        let big = String(repeating: "x", count: 300)
        let text = "id,note\n1,\(big)\n2,\"\(big)\nstill quoted\"\n3,ok\n4,\(String(repeating: "y", count: 100))\n"
        let options = CSVOptions(maxFieldBytes: 100, maxRecordBytes: 1000)
        let (_, events) = try T.read(text, csv: options, capacity: capacity)
        #expect(
            events == [
                .invalid(line: 2, message: "field 2 (\"note\") is larger than the 100 bytes field limit"),
                .invalid(line: 3, message: "field 2 (\"note\") is larger than the 100 bytes field limit"),
                T.row(5, "3", "ok"),
                T.row(6, "4", String(repeating: "y", count: 100)),
            ])
    }

    @Test func aRecordOverTheLimitIsInvalid() throws {
        let field = String(repeating: "z", count: 60)
        let text = "a,b,c\n\(field),\(field),\(field)\n1,2,3\n"
        let (_, events) = try T.read(text, csv: CSVOptions(maxFieldBytes: 100, maxRecordBytes: 150), capacity: 8)
        #expect(
            events == [
                .invalid(line: 2, message: "record is larger than the 150 bytes record limit"), T.row(3, "1", "2", "3"),
            ])
    }

    @Test func theDefaultFieldLimitIsSixteenMiB() throws {
        let text = "id,blob\n1,\(String(repeating: "b", count: (16 << 20) + 1))\n2,ok\n"
        let (_, events) = try T.read(text)
        #expect(
            events == [
                .invalid(line: 2, message: "field 2 (\"blob\") is larger than the 16 MiB field limit"),
                T.row(3, "2", "ok"),
            ])
    }

    // MARK: Streaming

    @Test func aThreeMiBFileCrossesBufferBoundariesIntact() throws {
        var bytes = Array("id,name,note\n".utf8)
        var expected: [RowEvent] = []
        var recordBounds: [Range<Int>] = []
        var line = 2
        while bytes.count < 3 << 20 {
            let id = expected.count + 1
            let name = "name-\(id)-" + String(repeating: "n", count: id % 50)
            let multiline = id % 7 == 0
            let note = multiline ? "multi\nline, \"quoted\"" : "note \(id)"
            let written = multiline ? "\"multi\nline, \"\"quoted\"\"\"" : note
            let start = bytes.count
            bytes += Array("\(id),\(name),\(written)\(id % 3 == 0 ? "\r\n" : "\n")".utf8)
            recordBounds.append(start..<bytes.count)
            expected.append(T.row(line, "\(id)", name, note))
            line += multiline ? 2 : 1
        }
        let (_, events) = try T.read(bytes)
        #expect(events.count == expected.count)
        #expect(events == expected)

        // The records that straddle each 1 MiB read, checked on their own.
        for boundary in [1 << 20, 2 << 20] {
            let index = try #require(recordBounds.firstIndex { $0.lowerBound < boundary && $0.upperBound > boundary })
            #expect(events[index] == expected[index])
        }
    }

    @Test func resultsDoNotDependOnTheBufferSize() throws {
        let inputs: [[UInt8]] = [
            Array("id,a,b\r\n1,\"x\r\ny\",z\n\n2,\"\"\"\",\r\n3,\"unterminated\n4,5,6".utf8),
            Array("\u{FEFF}h1,h2\n\u{E9}\u{1F600},\"q\"\"\"\n\"a\"b,c\nbad,\u{FF}".utf8) + [0xFF, 0x0A],
            Array("x\n\n\r\n\"\"\n\"a\nb\"\r\nc".utf8),
        ]
        for input in inputs {
            let reference = try T.read(input, csv: CSVOptions(maxFieldBytes: 1 << 10))
            for capacity in 1...17 {
                let result = try T.read(input, csv: CSVOptions(maxFieldBytes: 1 << 10), capacity: capacity)
                #expect(result.columns == reference.columns, "capacity \(capacity)")
                #expect(result.events == reference.events, "capacity \(capacity)")
            }
        }
    }

    @Test func specialBytesAreFoundAtEveryOffsetOfALongField() throws {
        // The scanner skips eight plain bytes at a time; a special byte anywhere in the
        // word must still stop it.
        for offset in 0..<20 {
            let head = String(repeating: "a", count: offset)
            let tail = String(repeating: "b", count: 19 - offset)
            let text =
                "k,v\n1,\(head),\(tail)\n2,\(head)\u{E9}\(tail)\n3,\"\(head)\n\(tail)\"\n4,\"\(head)\"\"\(tail)\"\n"
            var bytes = Array(text.utf8)
            bytes += Array("5,\(head)".utf8) + [0] + Array("\(tail)\n".utf8)
            let (_, events) = try T.read(bytes)
            #expect(
                events == [
                    .invalid(line: 2, message: "expected 2 fields, found 3"),
                    T.row(3, "2", "\(head)\u{E9}\(tail)"),
                    T.row(4, "3", "\(head)\n\(tail)"),
                    T.row(6, "4", "\(head)\"\(tail)"),
                    .invalid(line: 7, message: "NUL byte in field 2 (\"v\")"),
                ], "offset \(offset)")
        }
    }

    // MARK: Lifecycle and options

    @Test func closeEndsTheSource() throws {
        let reader = try Sources.open(file: try T.file("a\n1\n2\n"), format: .csv, csv: CSVOptions())
        #expect(try reader.next() == T.row(2, "1"))
        reader.close()
        reader.close()
        #expect(try reader.next() == nil)
    }

    @Test func aMissingFileCannotBeOpened() throws {
        let path = try T.directory() + "/nope.csv"
        let error = SourceError.cannotOpen(path: path, reason: "No such file or directory")
        #expect(throws: error) { try Sources.open(file: path, format: .csv, csv: CSVOptions()) }
        #expect(error.description == "cannot open source file \"\(path)\": No such file or directory")
        let directory = try T.directory()
        #expect(throws: SourceError.cannotOpen(path: directory, reason: "it is a directory")) {
            try Sources.open(file: directory, format: .csv, csv: CSVOptions())
        }
    }

    @Test func unusableOptionsAreRefused() throws {
        let path = try T.file("a\n")
        #expect(throws: SourceError.invalidOptions(reason: "the CSV delimiter and quote must differ")) {
            try Sources.open(file: path, format: .csv, csv: CSVOptions(delimiter: UInt8(ascii: "\"")))
        }
        #expect(
            throws: SourceError.invalidOptions(
                reason: "the CSV delimiter must be an ASCII character other than a line break")
        ) {
            try Sources.open(file: path, format: .csv, csv: CSVOptions(delimiter: 0x0A))
        }
    }
}
