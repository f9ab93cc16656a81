/// Streams RFC 4180 CSV (or TSV) records from an ``InputBuffer``.
///
/// The scanner walks raw bytes with two 256-entry class tables (one outside quotes, one
/// inside) so the common byte costs one load and one compare, records field boundaries
/// as offsets, and only builds `String`s for the projected columns of well-formed rows.
/// It is a resumable state machine: when a record runs past the buffered bytes, the
/// record is kept, more input is read and scanning resumes where it stopped.
/// See ``CSVOptions`` for the dialect.
final class CSVRowReader: RowReader {
    private(set) var columns: [String]?

    private let buffer: InputBuffer
    /// The file path, or a description of a command's output, for source-level errors.
    private let sourceName: String
    private let hasHeader: Bool
    private let delimiter: UInt8
    private let quote: UInt8
    private let maxFieldBytes: Int
    private let maxRecordBytes: Int
    /// Non-zero for the bytes that end a fast scan outside quotes: delimiter, LF, NUL, non-ASCII.
    private let unquotedClasses: UnsafeMutablePointer<UInt8>
    /// Non-zero for the bytes that end a fast scan inside quotes: quote, LF, NUL, non-ASCII.
    private let quotedClasses: UnsafeMutablePointer<UInt8>

    private var columnCount = 0
    private var projection: [Int] = []
    /// Name to index, first occurrence winning.
    private var columnIndex: [String: Int] = [:]
    /// The physical line at `buffer.position`.
    private var line = 1
    private var isFinished = false
    /// Without a header, the first record is scanned at open to count the columns and is
    /// reported by the first `next()`.
    private var hasPendingRecord = false

    // MARK: The record just scanned

    private var fields: ContiguousArray<FieldSpan> = []
    /// Where the record's bytes start in `buffer`; field offsets are relative to it.
    private var recordStart = 0
    private var recordLine = 0
    /// The union of every field's flags, so clean ASCII rows skip the per-field checks.
    private var recordFlags: UInt8 = 0
    private var problem: Problem?
    /// Reused to undo doubled quotes.
    private var scratch: [UInt8] = []

    /// Reads the header (or, without one, scans the first record) before returning.
    init(buffer: InputBuffer, sourceName: String, options: CSVOptions, delimiter: UInt8) throws(SourceError) {
        self.buffer = buffer
        self.sourceName = sourceName
        self.hasHeader = options.header
        self.delimiter = delimiter
        self.quote = options.quote
        self.maxFieldBytes = options.maxFieldBytes
        self.maxRecordBytes = options.maxRecordBytes
        unquotedClasses = .allocate(capacity: 256)
        quotedClasses = .allocate(capacity: 256)
        for byte in 0..<256 {
            let special: UInt8 = byte == 0 || byte == 0x0A || byte >= 0x80 ? 1 : 0
            unquotedClasses[byte] = special | (byte == Int(delimiter) ? 1 : 0)
            quotedClasses[byte] = special | (byte == Int(options.quote) ? 1 : 0)
        }
        do {
            try readHeader()
        } catch {
            buffer.close()
            throw error
        }
    }

    deinit {
        unquotedClasses.deallocate()
        quotedClasses.deallocate()
    }

    // MARK: RowReader

    func project(_ wanted: [String]) throws(SourceError) {
        var indices: [Int] = []
        var missing: [String] = []
        indices.reserveCapacity(wanted.count)
        for name in wanted {
            if let index = columnIndex[name] {
                indices.append(index)
            } else {
                missing.append(name)
            }
        }
        guard missing.isEmpty else {
            throw .missingColumns(missing: missing, available: columns ?? [])
        }
        projection = indices
    }

    func next() throws(SourceError) -> RowEvent? {
        guard !isFinished else { return nil }
        do {
            if hasPendingRecord {
                hasPendingRecord = false
                return event()
            }
            while try scanRecord() {
                if !isBlankLine { return event() }
            }
            close()
            return nil
        } catch {
            close()
            throw error
        }
    }

    func close() {
        isFinished = true
        buffer.close()
    }

    // MARK: Header

    private func readHeader() throws(SourceError) {
        try buffer.fill(atLeast: 3)
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        if buffer.end - buffer.position >= 3, (0..<3).allSatisfy({ buffer.base[buffer.position + $0] == bom[$0] }) {
            buffer.position += 3
        }
        var found = false
        while try scanRecord() {
            if !isBlankLine {
                found = true
                break
            }
        }
        guard found else {
            columns = []
            return
        }
        columnCount = fields.count
        let names: [String]
        if hasHeader {
            if let problem {
                throw .readFailed(path: sourceName, reason: "the header row is invalid: \(message(for: problem))")
            }
            names = fields.map(text(of:))
        } else {
            names = (1...fields.count).map(String.init)
            hasPendingRecord = true
        }
        columns = names
        for (index, name) in names.enumerated() where columnIndex[name] == nil {
            columnIndex[name] = index
        }
        projection = Array(0..<columnCount)
    }

    // MARK: Scanning

    /// A lone empty unquoted field: a blank line, which is skipped.
    private var isBlankLine: Bool {
        fields.count == 1 && problem == nil && fields[0].flags & FieldSpan.quoted == 0
            && fields[0].start == fields[0].end
    }

    /// Scans the next record into `fields`; `false` at the end of the input.
    private func scanRecord() throws(SourceError) -> Bool {
        fields.removeAll(keepingCapacity: true)
        problem = nil
        recordFlags = 0
        recordLine = line

        let lf: UInt8 = 0x0A
        let cr: UInt8 = 0x0D
        let delimiter = self.delimiter
        let quote = self.quote
        let unquotedClasses = self.unquotedClasses
        let quotedClasses = self.quotedClasses

        var start = buffer.position  // the record's first byte
        var index = start
        var fieldStart = start
        var fieldEnd = start  // a quoted field's closing quote
        var flags: UInt8 = 0
        var state = State.fieldStart
        var quoteLine = line
        var discarding = false
        var base = buffer.base
        var end = buffer.end
        var line = self.line
        defer { self.line = line }

        @inline(__always) func endField(at fieldEnd: Int) {
            if fieldEnd - fieldStart > maxFieldBytes, problem == nil {
                problem = .fieldTooLarge(field: fields.count)
            }
            fields.append(FieldSpan(start: fieldStart - start, end: fieldEnd - start, flags: flags))
            recordFlags |= flags
            flags = 0
        }
        @inline(__always) func finishRecord() {
            buffer.position = index
            recordStart = start
        }

        scan: while true {
            if index == end {
                if !discarding {
                    if index - fieldStart > maxFieldBytes {
                        if problem == nil { problem = .fieldTooLarge(field: fields.count) }
                        discarding = true
                    } else if index - start > maxRecordBytes {
                        if problem == nil { problem = .recordTooLarge }
                        discarding = true
                    }
                }
                let moved = try buffer.refill(keeping: discarding ? index : start)
                index -= moved
                start -= moved
                fieldStart -= moved
                fieldEnd -= moved
                base = buffer.base
                end = buffer.end
                if index == end { break scan }
            }
            switch state {
            case .fieldStart:
                let byte = base[index]
                if byte == quote {
                    index += 1
                    fieldStart = index
                    flags = FieldSpan.quoted
                    quoteLine = line
                    state = .quoted
                } else if byte == delimiter {
                    fieldStart = index
                    endField(at: index)
                    index += 1
                } else if byte == lf {
                    fieldStart = index
                    endField(at: index)
                    index += 1
                    line += 1
                    finishRecord()
                    return true
                } else {
                    fieldStart = index
                    state = .unquoted
                }
            case .unquoted:
                while index < end {
                    let byte = base[index]
                    if unquotedClasses[Int(byte)] == 0 {
                        index += 1
                        continue
                    }
                    if byte == delimiter {
                        endField(at: index)
                        index += 1
                        state = .fieldStart
                        continue scan
                    }
                    if byte == lf {
                        let trimmed = !discarding && index > fieldStart && base[index - 1] == cr
                        endField(at: trimmed ? index - 1 : index)
                        index += 1
                        line += 1
                        finishRecord()
                        return true
                    }
                    flags |= byte == 0 ? FieldSpan.nul : FieldSpan.nonASCII
                    index += 1
                }
            case .quoted:
                while index < end {
                    let byte = base[index]
                    if quotedClasses[Int(byte)] == 0 {
                        index += 1
                        continue
                    }
                    if byte == quote {
                        fieldEnd = index
                        index += 1
                        state = .quoteSeen
                        continue scan
                    }
                    if byte == lf {
                        line += 1
                    } else {
                        flags |= byte == 0 ? FieldSpan.nul : FieldSpan.nonASCII
                    }
                    index += 1
                }
            case .quoteSeen, .closedBeforeCR:
                let byte = base[index]
                if byte == quote && state == .quoteSeen {
                    flags |= FieldSpan.escaped
                    index += 1
                    state = .quoted
                } else if byte == delimiter {
                    endField(at: fieldEnd)
                    index += 1
                    state = .fieldStart
                } else if byte == lf {
                    endField(at: fieldEnd)
                    index += 1
                    line += 1
                    finishRecord()
                    return true
                } else if byte == cr && state == .quoteSeen {
                    index += 1
                    state = .closedBeforeCR
                } else {
                    // Text after a closing quote: the record is invalid; scan on as if
                    // unquoted so that the next record is still found.
                    if problem == nil { problem = .textAfterQuote(field: fields.count) }
                    state = .unquoted
                }
            }
        }

        // The input ended.
        switch state {
        case .fieldStart:
            if fields.isEmpty { return false }
            fieldStart = index
            endField(at: index)
        case .unquoted:
            let trimmed = !discarding && index > fieldStart && base[index - 1] == cr
            endField(at: trimmed ? index - 1 : index)
        case .quoted:
            problem = .unterminatedQuote(field: fields.count, openedOn: quoteLine)
            endField(at: index)
        case .quoteSeen, .closedBeforeCR:
            endField(at: fieldEnd)
        }
        finishRecord()
        return true
    }

    // MARK: Events

    /// The event for the record in `fields`.
    private func event() -> RowEvent {
        if let problem {
            return .invalid(line: recordLine, message: message(for: problem))
        }
        guard fields.count == columnCount else {
            return .invalid(line: recordLine, message: "expected \(columnCount) fields, found \(fields.count)")
        }
        if recordFlags & (FieldSpan.nul | FieldSpan.nonASCII) != 0 {
            for (index, field) in fields.enumerated() {
                if field.flags & FieldSpan.nul != 0 {
                    return .invalid(line: recordLine, message: "NUL byte in \(fieldName(index))")
                }
                if field.flags & FieldSpan.nonASCII != 0 {
                    // Doubled quotes are ASCII, so the raw bytes validate like the unescaped ones.
                    if !UTF8Check.isValid(buffer.base + recordStart + field.start, count: field.end - field.start) {
                        return .invalid(line: recordLine, message: "invalid UTF-8 in \(fieldName(index))")
                    }
                }
            }
        }
        var values: [Value] = []
        values.reserveCapacity(projection.count)
        for index in projection {
            values.append(value(of: fields[index]))
        }
        return .row(line: recordLine, values: values)
    }

    private func value(of field: FieldSpan) -> Value {
        field.end > field.start ? .string(text(of: field)) : .null
    }

    /// The field's text, with doubled quotes undone. Invalid UTF-8 is repaired, which only
    /// matters for the header: rows are validated before they get here.
    private func text(of field: FieldSpan) -> String {
        let raw = UnsafeBufferPointer(start: buffer.base + recordStart + field.start, count: field.end - field.start)
        guard field.flags & FieldSpan.escaped != 0 else { return String(decoding: raw, as: UTF8.self) }
        scratch.removeAll(keepingCapacity: true)
        var skipNext = false
        for byte in raw {
            if skipNext {
                skipNext = false
                continue
            }
            scratch.append(byte)
            if byte == quote { skipNext = true }
        }
        return String(decoding: scratch, as: UTF8.self)
    }

    /// `field 3 ("email")` with a header, `field 3` without one.
    private func fieldName(_ index: Int) -> String {
        let name = hasHeader ? columns.flatMap { index < $0.count ? $0[index] : nil } : nil
        return SourceText.field(index, named: name)
    }

    private func message(for problem: Problem) -> String {
        switch problem {
        case .unterminatedQuote(let field, let openedOn):
            return "unterminated quoted field: the quote that opens \(fieldName(field)) on line \(openedOn) is never closed"
        case .textAfterQuote(let field):
            return "unexpected text after the closing quote of \(fieldName(field))"
        case .fieldTooLarge(let field):
            return "\(fieldName(field)) is larger than the \(SourceText.bytes(maxFieldBytes)) field limit"
        case .recordTooLarge:
            return "record is larger than the \(SourceText.bytes(maxRecordBytes)) record limit"
        }
    }
}

// MARK: - Scanner types

extension CSVRowReader {
    /// Where the scanner is within a record.
    private enum State {
        case fieldStart, unquoted, quoted
        /// Just after a quote inside a quoted field: a second quote escapes it, anything
        /// else closes the field.
        case quoteSeen
        /// A CR after a closing quote; only a line feed or a delimiter may follow.
        case closedBeforeCR
    }

    /// One field of the scanned record: offsets relative to the record's first byte (for a
    /// quoted field, the content between the quotes) and what the scanner saw in it.
    private struct FieldSpan {
        static let quoted: UInt8 = 1
        /// Holds doubled quotes to undo.
        static let escaped: UInt8 = 2
        static let nonASCII: UInt8 = 4
        static let nul: UInt8 = 8

        var start: Int
        var end: Int
        var flags: UInt8
    }

    /// Why a record is invalid, found while scanning.
    private enum Problem {
        case unterminatedQuote(field: Int, openedOn: Int)
        case textAfterQuote(field: Int)
        case fieldTooLarge(field: Int)
        case recordTooLarge
    }
}
