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

/// A value transform, applied in order.
public enum Transform: Sendable, Hashable {
    case trim
    case lowercase
    case uppercase
    /// Epoch milliseconds to epoch seconds (integer division).
    case msToS
    /// ISO 8601 date-time to epoch seconds.
    case iso8601
    /// Epoch seconds or an ISO 8601 date/date-time to CleverTap's `$D_<seconds>`.
    case date
    case number
    case bool
    case string
    /// A phone number normalised to E.164; the argument is a default country code (e.g. `"+1"`) for numbers without one.
    case e164(defaultCountryCode: String?)
    /// Common spellings (male, f, Female…) to CleverTap's `M`/`F`.
    case gender
    /// The replacement for an empty or null value.
    case `default`(String)
    /// Splits a string on the separator into a multi-value `$add`.
    case split(separator: String)

    /// The spelling in job files.
    public var name: String {
        switch self {
        case .trim: "trim"
        case .lowercase: "lowercase"
        case .uppercase: "uppercase"
        case .msToS: "ms_to_s"
        case .iso8601: "iso8601"
        case .date: "date"
        case .number: "number"
        case .bool: "bool"
        case .string: "string"
        case .e164: "e164"
        case .gender: "gender"
        case .default: "default"
        case .split: "split"
        }
    }

    /// Every transform name a job file may use.
    public static let names = [
        "trim", "lowercase", "uppercase", "ms_to_s", "iso8601", "date", "number", "bool",
        "string", "e164", "gender", "default", "split",
    ]
    /// Transforms whose argument is required (`{ default: x }`).
    public static let requiringArgument: Set<String> = ["default"]
    /// Transforms that accept an optional argument.
    public static let acceptingArgument: Set<String> = ["default", "split", "e164"]
}
