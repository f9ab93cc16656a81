/// A pull-based reader of one source's rows.
///
/// Readers stream: memory stays bounded by the read buffer and the size limits however
/// large the input is. A reader is not thread-safe; use it from one task. Reads block the
/// calling thread.
public protocol RowReader: AnyObject {
    /// Column names known before the first row: the CSV/TSV header (or `"1"`, `"2"`, …
    /// without one; empty for an empty input), and `nil` for JSONL.
    var columns: [String]? { get }

    /// Selects the columns each `.row` carries, in this order.
    ///
    /// CSV/TSV: throws ``SourceError/missingColumns(missing:available:)`` before any row
    /// is read if a column is absent. JSONL: a key absent on a line yields `.null`. Until
    /// this is called a CSV/TSV row carries every column and a JSONL row carries none.
    func project(_ wanted: [String]) throws(SourceError)

    /// The next event, or `nil` at the end of the input.
    ///
    /// For a command, reaching the end waits for the process and throws if it failed,
    /// timed out or was killed, before any trailing partial record is reported.
    func next() throws(SourceError) -> RowEvent?

    /// Stops early: kills and reaps a running command, closes files. Idempotent; `next()`
    /// returns `nil` afterwards.
    func close()
}
