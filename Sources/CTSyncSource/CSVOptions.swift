/// How CSV and TSV sources are read.
///
/// The reader follows RFC 4180 with these documented choices:
/// - A field that starts with the quote byte is quoted: it may hold delimiters, line
///   breaks and doubled quotes (`""` reads as `"`). A quote later in an unquoted field is
///   kept literally; anything but a delimiter or a line break after a closing quote makes
///   the record invalid.
/// - Lines end with LF or CRLF, mixed freely; a CR elsewhere is data. A UTF-8 byte
///   order mark at the start of the input is skipped. Whitespace is kept as is.
/// - An empty field, quoted (`""`) or not, reads as `.null`; every other field is `.string`.
/// - A record with a field count other than the header's, an unterminated quote, a NUL
///   byte, invalid UTF-8 or a field or record over its limit is reported as `.invalid`
///   and reading goes on with the next record (an unterminated quote runs to the end of
///   the input, so nothing follows it).
/// - A header row that cannot be read (an unterminated quote, over a limit) ends the
///   source with ``SourceError/readFailed(path:reason:)``; invalid UTF-8 in it is repaired.
/// - Blank lines between records are skipped (so a one-column source cannot express an
///   empty row).
/// - With a header, duplicate column names resolve to the first column of that name.
///   Without one, columns are named `"1"`, `"2"`, … and the first record sets the count.
/// - For ``SourceFormat/tsv`` the delimiter is always a tab; `delimiter` is ignored.
public struct CSVOptions: Sendable, Equatable {
    /// The byte that separates fields; a comma by default.
    public var delimiter: UInt8
    /// The byte that quotes a field; a double quote by default.
    public var quote: UInt8
    /// Whether the first record names the columns.
    public var header: Bool
    /// The largest field, in bytes, that a record may hold; a larger one makes the
    /// record invalid without ever being held in memory whole.
    public var maxFieldBytes: Int
    /// The largest record, in bytes; bounds memory for records with many large fields.
    public var maxRecordBytes: Int

    /// Creates CSV options; the defaults read RFC 4180 CSV with a header.
    public init(
        delimiter: UInt8 = UInt8(ascii: ","),
        quote: UInt8 = UInt8(ascii: "\""),
        header: Bool = true,
        maxFieldBytes: Int = 16 << 20,
        maxRecordBytes: Int = 64 << 20
    ) {
        self.delimiter = delimiter
        self.quote = quote
        self.header = header
        self.maxFieldBytes = maxFieldBytes
        self.maxRecordBytes = maxRecordBytes
    }
}
