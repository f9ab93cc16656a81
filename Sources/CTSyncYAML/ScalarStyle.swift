/// How a scalar was written in the source.
///
/// Only plain scalars are resolved to booleans, numbers and null: a quoted
/// `"true"` is the text `true`, because that is what its author asked for.
public enum ScalarStyle: Sendable, Hashable {
    /// Unquoted: `name: crm`.
    case plain
    /// `'text'`.
    case singleQuoted
    /// `"text"`, with escapes.
    case doubleQuoted
    /// A `|` block scalar.
    case literal
    /// A `>` block scalar.
    case folded
}
