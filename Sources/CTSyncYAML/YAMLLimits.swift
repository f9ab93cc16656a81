/// Bounds on what the loader accepts, so that hostile or runaway input fails
/// quickly with a clear message instead of exhausting memory or the stack.
public struct YAMLLimits: Sendable {
    /// The largest file accepted, in bytes.
    public var maxBytes: Int
    /// The deepest nesting of sequences and mappings, counted through aliases.
    ///
    /// The loader and the code that walks its tree recurse once per level, so
    /// this also bounds their stack use.
    public var maxDepth: Int
    /// The most nodes a document may have, counting every alias as a full copy
    /// of the node it refers to.
    public var maxNodes: Int

    /// 4 MiB, 64 levels, 100,000 nodes: far beyond any real job spec.
    public static let `default` = YAMLLimits(maxBytes: 4 << 20, maxDepth: 64, maxNodes: 100_000)

    /// Creates limits.
    public init(maxBytes: Int, maxDepth: Int, maxNodes: Int) {
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
        self.maxNodes = maxNodes
    }
}
