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
    /// The most bytes of scalar text a document may hold, counting every alias as a
    /// full copy of the node it refers to.
    ///
    /// The node budget alone lets a few aliases to one huge scalar multiply it (a
    /// "quadratic blowup"): sharing keeps the tree small, but every consumer that reads
    /// or quotes each value pays for every copy.
    public var maxScalarBytes: Int

    /// 4 MiB, 64 levels, 100,000 nodes, 4 MiB of text: far beyond any real job spec.
    public static let `default` = YAMLLimits(maxBytes: 4 << 20, maxDepth: 64, maxNodes: 100_000)

    /// Creates limits.
    public init(maxBytes: Int, maxDepth: Int, maxNodes: Int, maxScalarBytes: Int = 4 << 20) {
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
        self.maxNodes = maxNodes
        self.maxScalarBytes = maxScalarBytes
    }
}
