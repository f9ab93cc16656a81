/// An immutable YAML node with its position in the source.
///
/// Aliases are resolved while loading: an alias is the very node its anchor
/// names (arrays share storage, so this costs no copy).
///
/// Merge keys (`<<`) are already applied to mappings: the merged pairs take
/// the place of the `<<` pair, in the order of the merged mappings; a key the
/// mapping defines itself (before or after `<<`) wins, and so does a key from
/// an earlier merged mapping over a later one.
public indirect enum Node: Sendable, Hashable {
    /// A scalar, which carries its own mark.
    case scalar(Scalar)
    /// A sequence and where it starts.
    case sequence([Node], Mark)
    /// A mapping's pairs in source order, and where it starts.
    case mapping([Pair], Mark)

    /// Where the node starts. For a node reached through an alias, this is
    /// where the anchored node is written, not where the alias is.
    public var mark: Mark {
        switch self {
        case .scalar(let scalar): scalar.mark
        case .sequence(_, let mark), .mapping(_, let mark): mark
        }
    }

    /// The scalar, if this is one.
    public var scalar: Scalar? {
        if case .scalar(let scalar) = self { scalar } else { nil }
    }

    /// The items, if this is a sequence.
    public var sequence: [Node]? {
        if case .sequence(let items, _) = self { items } else { nil }
    }

    /// The pairs, if this is a mapping.
    public var mapping: [Pair]? {
        if case .mapping(let pairs, _) = self { pairs } else { nil }
    }

    /// The value whose key is a scalar with exactly this text, if this is a
    /// mapping that has one. Keys are unique, so there is at most one.
    public subscript(key: String) -> Node? {
        mapping?.first { $0.key.scalar?.value == key }?.value
    }

    /// `scalar`, `sequence` or `mapping`, for messages such as
    /// "expected a mapping, found a sequence".
    public var kindName: String {
        switch self {
        case .scalar: "scalar"
        case .sequence: "sequence"
        case .mapping: "mapping"
        }
    }
}
