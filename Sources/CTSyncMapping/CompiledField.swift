import CTSyncSpec
import CleverTapContract

/// One job mapping prepared for the per-row path: where its value comes from, which
/// transforms apply, and the checks its target needs. Plain data: copying it costs no
/// reference counting. The target's name is kept apart (``RecordMapper``), for messages.
struct CompiledField {
    /// What the target is in a CleverTap record.
    enum Role {
        case identity
        case timestamp
        case eventName
        case property
    }

    /// The index into the projected row (``RecordMapper/columns``), or -1 for a constant.
    var column: Int
    /// The constant (`value:`) with its text in the arena's constant region; `.null` for a column.
    var constant: MappedValue
    /// The field's transforms: a range of the mapper's transform list.
    var transforms: Range<Int>
    var role: Role
    var rule: PropertyRule
    /// Whether the target is longer than CleverTap's 120-byte key limit.
    var keyTooLong: Bool
}

/// The value rule of a property: CleverTap's standard profile fields have fixed formats;
/// everything else (and every event property) only has to respect the size limits.
enum PropertyRule {
    case plain
    case phone
    case email
    case gender
    case employed
    case married
    case education
    case age
    /// `MSG-*` subscription flags.
    case messaging
    case dateOfBirth

    init(profileKey key: String) {
        switch key {
        case "Phone": self = .phone
        case "Email": self = .email
        case "Gender": self = .gender
        case "Employed": self = .employed
        case "Married": self = .married
        case "Education": self = .education
        case "Age": self = .age
        case "DOB": self = .dateOfBirth
        case let key where key.hasPrefix("MSG-"): self = .messaging
        default: self = .plain
        }
    }

    /// Standard profile fields that do not count toward CleverTap's custom properties.
    static let standardProfileFields: Set<String> = CleverTapRules.standardFields

    static func isCustom(profileKey key: String) -> Bool {
        !standardProfileFields.contains(key) && !key.hasPrefix("MSG-")
    }
}

/// A ``Transform`` with its argument in the arena's constant region (text arguments are
/// ranges of it). Arguments arrive checked (``TransformKind/transform(argument:)``), so
/// compiling one cannot fail.
enum CompiledTransform {
    case trim
    case lowercase
    case uppercase
    case msToS
    case iso8601
    case date
    case number
    case bool
    case string
    /// `countryCode`: the default country code's digits (`44`), empty when none was given.
    case e164(countryCode: Range<Int>)
    case gender
    case `default`(Range<Int>)
    case split(separator: Range<Int>)

    var kind: TransformKind {
        switch self {
        case .trim: .trim
        case .lowercase: .lowercase
        case .uppercase: .uppercase
        case .msToS: .msToS
        case .iso8601: .iso8601
        case .date: .date
        case .number: .number
        case .bool: .bool
        case .string: .string
        case .e164: .e164
        case .gender: .gender
        case .default: .default
        case .split: .split
        }
    }
}

/// One key of `profileData`/`evtData`, in output (sorted) order, with the mappings that
/// feed it: normally one; when several map the same target, the first in job order with
/// a value is written.
struct OutputProperty {
    /// `"key":`, escaped: a range of the arena's constant region.
    var keyPrefix: Range<Int>
    /// A range of the mapper's property-field list.
    var fields: Range<Int>
    var isCustom: Bool
}
