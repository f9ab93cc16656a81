/// A per-record error code of CleverTap's Upload API (`unprocessed[].code`, clevertap.md):
/// the documented ones are named, any other number the server sends is kept as it came.
public struct CleverTapCode: RawRepresentable, Sendable, Hashable, Comparable, CustomStringConvertible {
    public let rawValue: Int

    public init(rawValue: Int) {
        self.rawValue = rawValue
    }

    public static let eventNameMissing = CleverTapCode(rawValue: 509)
    public static let invalidEventStructure = CleverTapCode(rawValue: 512)
    public static let restrictedEvent = CleverTapCode(rawValue: 513)
    public static let invalidGender = CleverTapCode(rawValue: 514)
    public static let invalidEmail = CleverTapCode(rawValue: 515)
    public static let invalidPhone = CleverTapCode(rawValue: 516)
    public static let invalidEmployed = CleverTapCode(rawValue: 517)
    public static let invalidEducation = CleverTapCode(rawValue: 518)
    public static let invalidMarried = CleverTapCode(rawValue: 519)
    public static let invalidAge = CleverTapCode(rawValue: 520)
    public static let tooManyProperties = CleverTapCode(rawValue: 522)
    public static let identityMissing = CleverTapCode(rawValue: 523)
    public static let neitherEventNorProfile = CleverTapCode(rawValue: 524)
    public static let invalidTimestamp = CleverTapCode(rawValue: 525)
    public static let invalidObjectID = CleverTapCode(rawValue: 526)
    public static let eventDiscarded = CleverTapCode(rawValue: 528)
    /// A miscellaneous server error, possibly transient: the record is sent again.
    public static let miscellaneous = CleverTapCode(rawValue: 555)

    /// Every documented code, in numeric order.
    public static let documented: [CleverTapCode] = [
        .eventNameMissing, .invalidEventStructure, .restrictedEvent, .invalidGender, .invalidEmail, .invalidPhone,
        .invalidEmployed, .invalidEducation, .invalidMarried, .invalidAge, .tooManyProperties, .identityMissing,
        .neitherEventNorProfile, .invalidTimestamp, .invalidObjectID, .eventDiscarded, .miscellaneous,
    ]

    /// The record field the code is about, when it names one: what reports show as the
    /// sample's `field`.
    public var field: String? {
        switch self {
        case .eventNameMissing, .restrictedEvent: "evtName"
        case .invalidGender: "Gender"
        case .invalidEmail: "Email"
        case .invalidPhone: "Phone"
        case .invalidEmployed: "Employed"
        case .invalidEducation: "Education"
        case .invalidMarried: "Married"
        case .invalidAge: "Age"
        case .identityMissing: "identity"
        case .invalidTimestamp: "ts"
        default: nil
        }
    }

    /// What the code means (clevertap.md), or nil for an undocumented one.
    public var meaning: String? {
        switch self {
        case .eventNameMissing: "event name missing"
        case .invalidEventStructure: "invalid event structure"
        case .restrictedEvent: "restricted system event"
        case .invalidGender: "Gender invalid"
        case .invalidEmail: "Email invalid"
        case .invalidPhone: "Phone invalid"
        case .invalidEmployed: "Employed invalid"
        case .invalidEducation: "Education invalid"
        case .invalidMarried: "Married invalid"
        case .invalidAge: "Age invalid"
        case .tooManyProperties: "too many event properties"
        case .identityMissing: "identity missing"
        case .neitherEventNorProfile: "neither event nor profile"
        case .invalidTimestamp: "timestamp not epoch seconds"
        case .invalidObjectID: "objectId invalid"
        case .eventDiscarded: "event discarded in the dashboard"
        case .miscellaneous: "miscellaneous server error (possibly transient)"
        default: nil
        }
    }

    public var description: String { String(rawValue) }

    public static func < (lhs: CleverTapCode, rhs: CleverTapCode) -> Bool { lhs.rawValue < rhs.rawValue }
}
