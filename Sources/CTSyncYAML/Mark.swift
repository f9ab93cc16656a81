/// A 1-based position in a source file.
///
/// Every ``Node`` and every ``YAMLError`` carries one, so that a problem found
/// long after parsing can still be reported as `file:line:column`. Columns
/// count Unicode scalars, the way libyaml counts them.
public struct Mark: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The path of the file as the user gave it.
    public let file: String
    /// The 1-based line number.
    public let line: Int
    /// The 1-based column, in Unicode scalars.
    public let column: Int

    /// Creates a mark from 1-based coordinates.
    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line:column`, the form compilers and editors understand.
    public var description: String { "\(file):\(line):\(column)" }

    /// Orders marks by file, then line, then column, so diagnostics sort in reading order.
    public static func < (lhs: Mark, rhs: Mark) -> Bool {
        (lhs.file, lhs.line, lhs.column) < (rhs.file, rhs.line, rhs.column)
    }
}
