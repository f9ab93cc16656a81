/// One cell of a source row, as the source format delivered it.
///
/// CSV and TSV cells are always `.string` (an empty cell is `.null`); JSONL keeps
/// JSON's types. Numbers keep their literal text so no precision is lost before a
/// transform decides what they mean.
public enum Value: Sendable, Hashable {
    case null
    case string(String)
    /// A JSON number literal, exactly as written in the source.
    case number(String)
    case bool(Bool)
    /// A nested JSON array or object, re-serialized compactly.
    case json(String)
}
