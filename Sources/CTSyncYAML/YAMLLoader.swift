/// Loads job spec files into a ``Node`` tree over the system libyaml.
///
/// Before libyaml sees the input, the loader refuses files over
/// ``YAMLLimits/maxBytes`` and anything that is not UTF-8 text; while
/// building the tree it enforces the depth and alias-expansion limits.
public enum YAMLLoader {
    /// Loads exactly one document.
    ///
    /// - Returns: The root node, or nil when the stream holds no document or
    ///   an empty one (only comments, or a bare `---`).
    /// - Throws: ``YAMLError`` for the first problem found, with its location.
    public static func load(_ source: SourceText, limits: YAMLLimits = .default) throws(YAMLError) -> Node? {
        guard source.bytes.count <= limits.maxBytes else {
            throw YAMLError.tooLarge(size: source.bytes.count, limit: limits.maxBytes, file: source.path)
        }
        try TextValidation.check(source)
        var composer = try Composer(source: source, limits: limits)
        return try composer.composeDocument()
    }
}
