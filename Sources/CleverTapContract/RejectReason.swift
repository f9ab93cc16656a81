/// Why a row or a record did not get into CleverTap: refused by the mapper's checks, by
/// the planner, by CleverTap itself (its per-record code), or lost on the way. Plans and
/// run reports group rejections by its raw value, a stable code that scripts may match
/// on: never rename one.
public enum RejectReason: Sendable, Hashable, RawRepresentable, Codable, CustomStringConvertible {
    // MARK: The mapper's per-row checks

    /// `identity` is missing or empty after transforms.
    case identityMissing
    /// An event row has no `evtName`, or it is empty.
    case eventNameMissing
    /// `evtName` is one of CleverTap's system events (`App Launched`, `Stayed`, …).
    case restrictedEvent
    /// `evtName` contains a character CleverTap strips: `. : $ ' " \`.
    case invalidEventName
    /// Profile `Gender` is not `M` or `F`.
    case invalidGender
    /// Profile `Email` is not a valid address.
    case invalidEmail
    /// Profile `Phone` is not E.164.
    case invalidPhone
    /// Profile `Employed` is not `Y` or `N`.
    case invalidEmployed
    /// Profile `Education` is not `School`, `College` or `Graduate`.
    case invalidEducation
    /// Profile `Married` is not `Y` or `N`.
    case invalidMarried
    /// Profile `Age` is not a number from 0 to 150.
    case invalidAge
    /// A profile `MSG-*` subscription flag is not a boolean.
    case invalidBoolean
    /// Profile `DOB` is not a `$D_<seconds>` date.
    case invalidDate
    /// More custom properties than CleverTap keeps (256 per profile or event).
    case tooManyProperties
    /// `ts` is not a positive integer of epoch seconds.
    case invalidTimestamp
    /// `ts` is so large it must be epoch milliseconds (add `ms_to_s`).
    case timestampInMilliseconds
    /// A property name is longer than 120 bytes.
    case keyTooLong
    /// A string value (or a multi-value item, `identity`, `evtName`) is longer than 512 bytes.
    case valueTooLong
    /// A transform could not convert the value (the message names the transform).
    case transformFailed
    /// `identity` does not match the job's `identity_kind` (email or phone).
    case identityKindMismatch
    /// A multi-value property (from `split`) has more than 100 items.
    case tooManyValues
    /// A number is not a finite JSON number (e.g. `1e999` in JSONL).
    case invalidNumber
    /// The job's primary key column is empty in this row, so its state cannot be tracked.
    case primaryKeyMissing

    // MARK: The planner's

    /// The source could not parse the row (ragged, unterminated quote, invalid UTF-8, not a JSON object).
    case invalidRow
    /// The primary key appeared earlier in the source; only its first row is sent.
    case duplicatePrimaryKey
    /// The row's event name would take the account past its event-name budget (CleverTap
    /// keeps 512; `destination.limits.event_names`), counted across runs in state.
    case tooManyEventNames
    /// The row's property keys would take its event name past the property budget
    /// (`destination.limits.properties_per_event`, 256 by default), counted across runs in state.
    case tooManyEventProperties

    // MARK: CleverTap's answer

    /// CleverTap refused the record with this per-record code (`"515"`).
    case clevertap(CleverTapCode)
    /// CleverTap refused the record without a code.
    case clevertapWithoutCode
    /// The request failed with this HTTP status (`"http_503"`), retries exhausted or permanent.
    case http(status: Int)
    /// No answer within the request timeout, retries exhausted.
    case timeout
    /// The connection failed or closed, retries exhausted.
    case connectionError
    /// The answer was larger than the cap.
    case responseTooLarge
    /// HTTP 200 with a body CleverTap does not send.
    case unrecognizedResponse
    /// CleverTap refused a record the answer does not identify, so none of the batch is acknowledged.
    case unmatchedResponse

    /// Every reason without a payload; with ``clevertap(_:)`` and ``http(status:)``, every reason.
    public static let named: [RejectReason] = [
        .identityMissing, .eventNameMissing, .restrictedEvent, .invalidEventName, .invalidGender, .invalidEmail,
        .invalidPhone, .invalidEmployed, .invalidEducation, .invalidMarried, .invalidAge, .invalidBoolean, .invalidDate,
        .tooManyProperties, .invalidTimestamp, .timestampInMilliseconds, .keyTooLong, .valueTooLong, .transformFailed,
        .identityKindMismatch, .tooManyValues, .invalidNumber, .primaryKeyMissing,
        .invalidRow, .duplicatePrimaryKey, .tooManyEventNames, .tooManyEventProperties,
        .clevertapWithoutCode, .timeout, .connectionError, .responseTooLarge, .unrecognizedResponse, .unmatchedResponse,
    ]

    private static let byName: [String: RejectReason] = Dictionary(
        uniqueKeysWithValues: named.map { ($0.rawValue, $0) })

    /// The stable code reports and plans are keyed by.
    public var rawValue: String {
        switch self {
        case .identityMissing: "identity_missing"
        case .eventNameMissing: "event_name_missing"
        case .restrictedEvent: "restricted_event"
        case .invalidEventName: "invalid_event_name"
        case .invalidGender: "invalid_gender"
        case .invalidEmail: "invalid_email"
        case .invalidPhone: "invalid_phone"
        case .invalidEmployed: "invalid_employed"
        case .invalidEducation: "invalid_education"
        case .invalidMarried: "invalid_married"
        case .invalidAge: "invalid_age"
        case .invalidBoolean: "invalid_boolean"
        case .invalidDate: "invalid_date"
        case .tooManyProperties: "too_many_properties"
        case .invalidTimestamp: "invalid_timestamp"
        case .timestampInMilliseconds: "timestamp_in_milliseconds"
        case .keyTooLong: "key_too_long"
        case .valueTooLong: "value_too_long"
        case .transformFailed: "transform_failed"
        case .identityKindMismatch: "identity_kind_mismatch"
        case .tooManyValues: "too_many_values"
        case .invalidNumber: "invalid_number"
        case .primaryKeyMissing: "primary_key_missing"
        case .invalidRow: "invalid_row"
        case .duplicatePrimaryKey: "duplicate_primary_key"
        case .tooManyEventNames: "too_many_event_names"
        case .tooManyEventProperties: "too_many_event_properties"
        case .clevertap(let code): code.description
        case .clevertapWithoutCode: "unknown"
        case .http(let status): "http_\(status)"
        case .timeout: "timeout"
        case .connectionError: "connection_error"
        case .responseTooLarge: "response_too_large"
        case .unrecognizedResponse: "unrecognized_response"
        case .unmatchedResponse: "unmatched_response"
        }
    }

    public init?(rawValue: String) {
        if let named = Self.byName[rawValue] {
            self = named
        } else if let code = Self.number(rawValue) {
            self = .clevertap(CleverTapCode(rawValue: code))
        } else if rawValue.hasPrefix("http_"), let status = Self.number(rawValue.dropFirst(5)), status >= 0 {
            self = .http(status: status)
        } else {
            return nil
        }
    }

    /// The number `text` spells exactly as `String(Int)` writes it, so codes round-trip.
    private static func number(_ text: some StringProtocol) -> Int? {
        guard let value = Int(text), String(value) == text else { return nil }
        return value
    }

    public var description: String { rawValue }

    /// The CleverTap per-record code the reason is, or mirrors: the code the Upload API
    /// answers for a record the mapper refused for this reason, when CleverTap checks it too.
    public var clevertapCode: CleverTapCode? {
        switch self {
        case .clevertap(let code): code
        case .eventNameMissing: .eventNameMissing
        case .restrictedEvent: .restrictedEvent
        case .invalidGender: .invalidGender
        case .invalidEmail: .invalidEmail
        case .invalidPhone: .invalidPhone
        case .invalidEmployed: .invalidEmployed
        case .invalidEducation: .invalidEducation
        case .invalidMarried: .invalidMarried
        case .invalidAge: .invalidAge
        case .tooManyProperties: .tooManyProperties
        case .identityMissing: .identityMissing
        case .invalidTimestamp: .invalidTimestamp
        // CleverTap accepts a millisecond ts and files the event thousands of years ahead.
        case .timestampInMilliseconds, .invalidEventName, .invalidBoolean, .invalidDate, .keyTooLong, .valueTooLong,
            .transformFailed, .identityKindMismatch, .tooManyValues, .invalidNumber, .primaryKeyMissing, .invalidRow,
            .duplicatePrimaryKey, .tooManyEventNames, .tooManyEventProperties, .clevertapWithoutCode, .http, .timeout, .connectionError,
            .responseTooLarge, .unrecognizedResponse, .unmatchedResponse:
            nil
        }
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let reason = RejectReason(rawValue: text) else {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(codingPath: decoder.codingPath, debugDescription: "unknown reason \"\(text)\""))
        }
        self = reason
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
