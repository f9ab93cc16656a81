/// The byte format of a source's rows.
public enum SourceFormat: String, Sendable, CaseIterable {
    /// RFC 4180 comma-separated values (the delimiter is ``CSVOptions/delimiter``).
    case csv
    /// Tab-separated values: CSV with a tab delimiter, quotes handled exactly as for CSV.
    ///
    /// Backslash escapes (as in PostgreSQL's `COPY ... TEXT` output) are not decoded;
    /// export with `FORMAT csv, DELIMITER E'\t'` instead.
    case tsv
    /// Newline-delimited JSON: one JSON object per line.
    case jsonl
}
