/// Why a source row was not turned into a record: a stable, snake_case code that run
/// reports group by and that scripts may match on. Never rename a raw value.
public enum RejectReason: String, Sendable, CaseIterable, Codable {
    /// `identity` is missing or empty after transforms.
    case identityMissing = "identity_missing"
    /// An event row has no `evtName`, or it is empty.
    case eventNameMissing = "event_name_missing"
    /// `evtName` is one of CleverTap's system events (`App Launched`, `Stayed`, …).
    case restrictedEvent = "restricted_event"
    /// `evtName` contains a character CleverTap strips: `. : $ ' " \`.
    case invalidEventName = "invalid_event_name"
    /// Profile `Gender` is not `M` or `F`.
    case invalidGender = "invalid_gender"
    /// Profile `Email` is not a valid address.
    case invalidEmail = "invalid_email"
    /// Profile `Phone` is not E.164.
    case invalidPhone = "invalid_phone"
    /// Profile `Employed` is not `Y` or `N`.
    case invalidEmployed = "invalid_employed"
    /// Profile `Education` is not `School`, `College` or `Graduate`.
    case invalidEducation = "invalid_education"
    /// Profile `Married` is not `Y` or `N`.
    case invalidMarried = "invalid_married"
    /// Profile `Age` is not a number from 0 to 150.
    case invalidAge = "invalid_age"
    /// A profile `MSG-*` subscription flag is not a boolean.
    case invalidBoolean = "invalid_boolean"
    /// Profile `DOB` is not a `$D_<seconds>` date.
    case invalidDate = "invalid_date"
    /// More custom properties than CleverTap keeps (256 per profile or event).
    case tooManyProperties = "too_many_properties"
    /// `ts` is not a positive integer of epoch seconds.
    case invalidTimestamp = "invalid_timestamp"
    /// `ts` is so large it must be epoch milliseconds (add `ms_to_s`).
    case timestampInMilliseconds = "timestamp_in_milliseconds"
    /// A property name is longer than 120 bytes.
    case keyTooLong = "key_too_long"
    /// A string value (or a multi-value item, `identity`, `evtName`) is longer than 512 bytes.
    case valueTooLong = "value_too_long"
    /// A transform could not convert the value (the message names the transform).
    case transformFailed = "transform_failed"
    /// `identity` does not match the job's `identity_kind` (email or phone).
    case identityKindMismatch = "identity_kind_mismatch"
    /// A multi-value property (from `split`) has more than 100 items.
    case tooManyValues = "too_many_values"
    /// A number is not a finite JSON number (e.g. `1e999` in JSONL).
    case invalidNumber = "invalid_number"
    /// The job's primary key column is empty in this row, so its state cannot be tracked.
    case primaryKeyMissing = "primary_key_missing"

    /// The CleverTap per-record error code this mirrors, when there is one (509…525):
    /// the code the Upload API answers for such a record.
    public var clevertapCode: Int? {
        switch self {
        case .eventNameMissing: 509
        case .restrictedEvent: 513
        case .invalidGender: 514
        case .invalidEmail: 515
        case .invalidPhone: 516
        case .invalidEmployed: 517
        case .invalidEducation: 518
        case .invalidMarried: 519
        case .invalidAge: 520
        case .tooManyProperties: 522
        case .identityMissing: 523
        case .invalidTimestamp: 525
        // CleverTap accepts a millisecond ts and files the event thousands of years ahead.
        case .timestampInMilliseconds, .invalidEventName, .invalidBoolean, .invalidDate, .keyTooLong, .valueTooLong,
            .transformFailed,
            .identityKindMismatch, .tooManyValues, .invalidNumber, .primaryKeyMissing:
            nil
        }
    }
}
