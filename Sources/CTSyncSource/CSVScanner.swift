import CTSyncSpec

/// The byte-level RFC 4180 state machine behind ``CSVRowReader``.
///
/// It walks raw bytes with two 256-entry class tables (one outside quotes, one inside),
/// so the common byte costs one load and one compare; records field boundaries as
/// offsets; and builds `String`s only for the projected columns of well-formed rows.
/// When a record runs past the buffered bytes, the record is kept, more input is read and
/// scanning resumes where it stopped. A record over a size limit is scanned to its end
/// without being kept. All per-record state lives in this non-copyable value so the hot
/// loops touch plain memory.
struct CSVScanner: ~Copyable {
    var buffer: InputBuffer
    /// The physical line at `buffer.position`.
    private(set) var line = 1

    // MARK: The record just scanned

    private(set) var fields: ContiguousArray<FieldSpan> = []
    /// The physical line on which the record starts.
    private(set) var recordLine = 0
    /// Where the record's bytes start in `buffer`; field offsets are relative to it.
    private var recordStart = 0
    /// The union of every field's flags, so clean ASCII rows skip the per-field checks.
    private var recordFlags: UInt8 = 0
    private(set) var problem: Problem?

    // MARK: Columns

    /// The number of fields a record must have.
    var columnCount = 0
    /// The fields each row carries, in order.
    var projection: [Int] = []
    /// The header's names, for messages; nil without a header.
    var names: [String]?

    // MARK: Configuration

    private let delimiter: UInt8
    private let quote: UInt8
    private let maxFieldBytes: Int
    private let maxRecordBytes: Int
    /// Non-zero for the bytes that end a fast scan outside quotes: delimiter, LF, NUL, non-ASCII.
    private let unquotedClasses: UnsafeMutablePointer<UInt8>
    /// Non-zero for the bytes that end a fast scan inside quotes: quote, LF, NUL, non-ASCII.
    private let quotedClasses: UnsafeMutablePointer<UInt8>
    /// Reused to undo doubled quotes.
    private var scratch: [UInt8] = []

    init(buffer: consuming InputBuffer, delimiter: UInt8, options: CSVOptions) {
        self.buffer = buffer
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
    }

    deinit {
        unquotedClasses.deallocate()
        quotedClasses.deallocate()
    }

    /// A lone empty unquoted field: a blank line, which is skipped.
    var isBlankLine: Bool {
        fields.count == 1 && problem == nil && fields[0].flags & FieldSpan.quoted == 0
            && fields[0].start == fields[0].end
    }

    // MARK: Scanning

    /// Scans the next record into `fields`; `false` at the end of the input.
    mutating func scanRecord() throws(SourceError) -> Bool {
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
        let delimiterBytes = Self.everyByte * UInt64(delimiter)
        let quoteBytes = Self.everyByte * UInt64(quote)

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
                fieldStart = index
                if byte == quote {
                    index += 1
                    fieldStart = index
                    flags = FieldSpan.quoted
                    quoteLine = line
                    state = .quoted
                } else if byte == delimiter {
                    endField(fieldStart, index, &flags, start)
                    index += 1
                } else if byte == lf {
                    endField(fieldStart, index, &flags, start)
                    index += 1
                    line += 1
                    finishRecord(start, index, discarding)
                    return true
                } else {
                    state = .unquoted
                }
            case .unquoted:
                while index + 8 <= end
                    && !Self.hasSpecialByte(
                        UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self), delimiterBytes)
                {
                    index += 8
                }
                while index < end {
                    let byte = base[index]
                    if unquotedClasses[Int(byte)] == 0 {
                        index += 1
                        continue
                    }
                    if byte == delimiter {
                        endField(fieldStart, index, &flags, start)
                        index += 1
                        state = .fieldStart
                        continue scan
                    }
                    if byte == lf {
                        let trimmed = !discarding && index > fieldStart && base[index - 1] == cr
                        endField(fieldStart, trimmed ? index - 1 : index, &flags, start)
                        index += 1
                        line += 1
                        finishRecord(start, index, discarding)
                        return true
                    }
                    flags |= byte == 0 ? FieldSpan.nul : FieldSpan.nonASCII
                    index += 1
                }
            case .quoted:
                while index + 8 <= end
                    && !Self.hasSpecialByte(UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self), quoteBytes)
                {
                    index += 8
                }
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
                    endField(fieldStart, fieldEnd, &flags, start)
                    index += 1
                    state = .fieldStart
                } else if byte == lf {
                    endField(fieldStart, fieldEnd, &flags, start)
                    index += 1
                    line += 1
                    finishRecord(start, index, discarding)
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
            endField(index, index, &flags, start)
        case .unquoted:
            let trimmed = !discarding && index > fieldStart && base[index - 1] == cr
            endField(fieldStart, trimmed ? index - 1 : index, &flags, start)
        case .quoted:
            problem = .unterminatedQuote(field: fields.count, openedOn: quoteLine)
            endField(fieldStart, index, &flags, start)
        case .quoteSeen, .closedBeforeCR:
            endField(fieldStart, fieldEnd, &flags, start)
        }
        finishRecord(start, index, discarding)
        return true
    }

    private static let everyByte: UInt64 = 0x0101_0101_0101_0101

    /// Whether any of the eight bytes in `word` ends a fast scan: the byte repeated in
    /// `separator` (delimiter or quote), LF, NUL or a non-ASCII byte. Checking a word at a
    /// time lets long fields go by eight bytes per step.
    @inline(__always)
    private static func hasSpecialByte(_ word: UInt64, _ separator: UInt64) -> Bool {
        let high: UInt64 = 0x8080_8080_8080_8080
        @inline(__always) func hasZeroByte(_ value: UInt64) -> Bool { (value &- everyByte) & ~value & high != 0 }
        return word & high != 0 || hasZeroByte(word) || hasZeroByte(word ^ separator)
            || hasZeroByte(word ^ (everyByte &* 0x0A))
    }

    @inline(__always)
    private mutating func endField(_ fieldStart: Int, _ fieldEnd: Int, _ flags: inout UInt8, _ recordStart: Int) {
        if fieldEnd - fieldStart > maxFieldBytes, problem == nil {
            problem = .fieldTooLarge(field: fields.count)
        }
        fields.append(FieldSpan(start: fieldStart - recordStart, end: fieldEnd - recordStart, flags: flags))
        recordFlags |= flags
        flags = 0
    }

    @inline(__always)
    private mutating func finishRecord(_ start: Int, _ end: Int, _ discarding: Bool) {
        if !discarding && end - start > maxRecordBytes && problem == nil {
            problem = .recordTooLarge
        }
        buffer.position = end
        recordStart = start
    }

    // MARK: Values

    /// The scanned record as an event: invalid if it has a problem, the wrong number of
    /// fields, a NUL byte or invalid UTF-8; otherwise the `projection` fields, in order.
    mutating func event() -> RowEvent {
        if let problem {
            return .invalid(line: recordLine, message: message(for: problem))
        }
        guard fields.count == columnCount else {
            return .invalid(line: recordLine, message: "expected \(columnCount) fields, found \(fields.count)")
        }
        let record = buffer.base + recordStart
        if recordFlags & (FieldSpan.nul | FieldSpan.nonASCII) != 0 {
            for (index, field) in fields.enumerated() {
                if field.flags & FieldSpan.nul != 0 {
                    return .invalid(line: recordLine, message: "NUL byte in \(SourceWording.field(index, in: names))")
                }
                // Doubled quotes are ASCII, so the raw bytes validate like the unescaped ones.
                if field.flags & FieldSpan.nonASCII != 0
                    && !UTF8Check.isValid(record + field.start, count: field.end - field.start)
                {
                    return .invalid(line: recordLine, message: "invalid UTF-8 in \(SourceWording.field(index, in: names))")
                }
            }
        }
        var values: [Value] = []
        values.reserveCapacity(projection.count)
        for index in projection {
            let field = fields[index]
            values.append(field.end > field.start ? .string(text(of: field)) : .null)
        }
        return .row(line: recordLine, values: values)
    }

    /// Every field's text (for the header), with invalid UTF-8 repaired.
    mutating func texts() -> [String] {
        var texts: [String] = []
        for field in fields { texts.append(text(of: field)) }
        return texts
    }

    /// The field's text, with doubled quotes undone.
    private mutating func text(of field: FieldSpan) -> String {
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

    // MARK: Messages

    func message(for problem: Problem) -> String {
        switch problem {
        case .unterminatedQuote(let field, let openedOn):
            return
                "unterminated quoted field: the quote that opens \(SourceWording.field(field, in: names)) on line \(openedOn) is never closed"
        case .textAfterQuote(let field):
            return "unexpected text after the closing quote of \(SourceWording.field(field, in: names))"
        case .fieldTooLarge(let field):
            return
                "\(SourceWording.field(field, in: names)) is larger than the \(SourceWording.bytes(maxFieldBytes)) field limit"
        case .recordTooLarge:
            return "record is larger than the \(SourceWording.bytes(maxRecordBytes)) record limit"
        }
    }
}

// MARK: - Scanner types

extension CSVScanner {
    /// Where the scanner is within a record.
    enum State {
        case fieldStart, unquoted, quoted
        /// Just after a quote inside a quoted field: a second quote escapes it, anything
        /// else closes the field.
        case quoteSeen
        /// A CR after a closing quote; only a line feed or a delimiter may follow.
        case closedBeforeCR
    }

    /// Why a record is invalid, found while scanning.
    enum Problem {
        case unterminatedQuote(field: Int, openedOn: Int)
        case textAfterQuote(field: Int)
        case fieldTooLarge(field: Int)
        case recordTooLarge
    }

    /// One field of the scanned record: offsets relative to the record's first byte (for
    /// a quoted field, the content between the quotes) and what the scanner saw in it.
    struct FieldSpan {
        static let quoted: UInt8 = 1
        /// Holds doubled quotes to undo.
        static let escaped: UInt8 = 2
        static let nonASCII: UInt8 = 4
        static let nul: UInt8 = 8

        var start: Int
        var end: Int
        var flags: UInt8
    }
}
