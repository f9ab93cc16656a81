/// How JSONL (newline-delimited JSON) sources are read.
///
/// Each non-blank line must be one JSON object (RFC 8259, strict: no comments, no
/// trailing commas, no `NaN`). A UTF-8 byte order mark at the start is skipped, a CRLF
/// line ending is fine, and blank lines are skipped. When an object repeats a key the
/// last occurrence wins, as in JavaScript's `JSON.parse`.
public struct JSONLOptions: Sendable, Equatable {
    /// The longest line, in bytes; a longer one is an invalid row and is never held in
    /// memory whole.
    public var maxLineBytes: Int
    /// The deepest nesting of arrays and objects; the top-level object is depth 1.
    public var maxDepth: Int

    /// Creates JSONL options.
    public init(maxLineBytes: Int = 64 << 20, maxDepth: Int = 64) {
        self.maxLineBytes = maxLineBytes
        self.maxDepth = maxDepth
    }
}
