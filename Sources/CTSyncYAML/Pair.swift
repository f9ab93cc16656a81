/// One key and its value in a mapping.
public struct Pair: Sendable, Hashable {
    /// The key; always a ``Node/scalar(_:)`` in a loaded tree.
    public let key: Node
    /// The value.
    public let value: Node

    /// Creates a pair.
    public init(key: Node, value: Node) {
        self.key = key
        self.value = value
    }
}
