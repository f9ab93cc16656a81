import CTSyncSpec

/// What one step of a ``RowReader`` yields.
///
/// Every physical record of the input is accounted for: a record that cannot be read
/// is `.invalid`, never dropped and never fatal, so `rows + invalid` always equals the
/// number of records in the source.
public enum RowEvent: Sendable, Equatable {
    /// A well-formed record.
    ///
    /// - Parameters:
    ///   - line: The 1-based physical line on which the record starts (for CSV and TSV
    ///     the header is line 1). A record whose quoted fields span several lines
    ///     reports the first of them.
    ///   - values: The projected columns, in the order given to ``RowReader/project(_:)``.
    case row(line: Int, values: [Value])

    /// A record that could not be read; `message` says what is wrong with it, for example
    /// `expected 10 fields, found 9` or `invalid UTF-8 in field 3 ("email")`.
    case invalid(line: Int, message: String)

    /// The 1-based physical line on which the record starts.
    public var line: Int {
        switch self {
        case .row(let line, _), .invalid(let line, _): line
        }
    }
}
