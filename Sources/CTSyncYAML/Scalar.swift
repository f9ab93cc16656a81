/// A scalar exactly as written, with typed views for the YAML 1.2 core schema.
///
/// The text is never changed by resolution: `yes`, `on` and `0123` stay
/// strings (YAML 1.1 would make them booleans and octal), so a job spec means
/// the same thing to every reader.
///
/// The typed views resolve a plain scalar without a tag, or any scalar whose
/// tag names that type (`!!bool`, `!!int`, `!!float`, `!!null`). Any other tag,
/// including the non-specific `!`, makes the scalar a string.
public struct Scalar: Sendable, Hashable {
    /// The text after unescaping and folding.
    public let value: String
    /// How it was written.
    public let style: ScalarStyle
    /// The tag as libyaml resolved it (`!!str` becomes `tag:yaml.org,2002:str`,
    /// local tags like `!secret` are kept as written), or nil when there was none.
    public let tag: String?
    /// Where the node starts, including any anchor or tag before it.
    public let mark: Mark

    /// Creates a scalar.
    public init(value: String, style: ScalarStyle, tag: String?, mark: Mark) {
        self.value = value
        self.style = style
        self.tag = tag
        self.mark = mark
    }

    /// True for a plain `~`, `null`, `Null`, `NULL` or empty scalar, and for any `!!null`.
    public var isNull: Bool {
        if tag == CoreSchema.nullTag { return true }
        return isImplicit && CoreSchema.isNull(value)
    }

    /// `true`/`True`/`TRUE` or `false`/`False`/`FALSE`; nil for anything else,
    /// including YAML 1.1's `yes`, `no`, `on` and `off`.
    public var bool: Bool? {
        resolves(as: CoreSchema.boolTag) ? CoreSchema.bool(value) : nil
    }

    /// A decimal integer with an optional sign, or unsigned `0x` hexadecimal;
    /// nil for a leading zero (`0123`, octal in YAML 1.1 but decimal in 1.2),
    /// for `1_000` or `0o17`, and for a value that does not fit in `Int`.
    public var int: Int? {
        resolves(as: CoreSchema.intTag) ? CoreSchema.int(value) : nil
    }

    /// Any ``int`` value, or a core-schema float: `1.5`, `-2e3`, `.5`, `.inf`, `-.inf`, `.nan`.
    public var double: Double? {
        resolves(as: CoreSchema.floatTag) || tag == CoreSchema.intTag ? CoreSchema.double(value) : nil
    }

    private var isImplicit: Bool { style == .plain && tag == nil }

    private func resolves(as typeTag: String) -> Bool {
        isImplicit || tag == typeTag
    }
}
