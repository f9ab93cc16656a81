import CTSyncYAML

/// One field mapping: a source column or a constant, transformed, into a CleverTap field.
public struct Mapping: Sendable {
    /// The source column (`from`), or nil for a constant.
    public var column: Located<String>?
    /// The constant (`value`), or nil when mapped from a column.
    public var constant: Located<Value>?
    /// The CleverTap field: `identity`, `ts`, `evtName` or a property name.
    public var target: Located<String>
    public var transforms: [Located<Transform>]
    public var mark: Mark

    /// Reserved targets that are record attributes rather than properties.
    public static let reservedTargets: Set<String> = ["identity", "ts", "evtName"]

    /// Whether the target is a property inside `profileData`/`evtData`.
    public var isProperty: Bool { !Mapping.reservedTargets.contains(target.value) }
}
