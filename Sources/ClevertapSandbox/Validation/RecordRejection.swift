/// Why one record of a batch was refused: CleverTap's per-record code and the
/// text that precedes `Skipped record number : N` in the `error` field.
///
/// The texts follow real CleverTap traffic, including its inconsistent spacing:
/// profile field errors end with a period and no space (`Email is not
/// valid.Skipped record number : 2`), the others with `. `.
struct RecordRejection: Error, Equatable, Sendable {
    let code: Int
    let reason: String

    /// The complete `error` text for the record at 1-based position `recordNumber`.
    func message(recordNumber: Int) -> String {
        reason + "Skipped record number : \(recordNumber)"
    }

    // MARK: - Record shape

    static let notEventOrProfile = RecordRejection(
        code: 524,
        reason: "Record type is incorrect. ErrorCode: 524 - Data is neither event nor profile. "
    )
    static let identityMissing = RecordRejection(
        code: 523,
        reason: "Identity is missing. ErrorCode: 523 - One of identity, objectId, FBID or GPID is mandatory. "
    )
    static let objectIdInvalid = RecordRejection(
        code: 526,
        reason: "objectId is incorrect. ErrorCode: 526 - objectId is not valid. "
    )
    static let timestampInvalid = RecordRejection(
        code: 525,
        reason: "Timestamp is incorrect. ErrorCode: 525 - Timestamp should be in seconds and in Unix Epoch format. "
    )

    // MARK: - Events

    static let eventNameMissing = RecordRejection(
        code: 509,
        reason: "Event Name is incorrect. ErrorCode: 509 - Event name is mandatory. "
    )
    static let restrictedEvent = RecordRejection(
        code: 513,
        reason: "Event Name is incorrect. ErrorCode: 513 - Trying to raise a restricted system event. "
    )
    static let eventPropertiesLimit = RecordRejection(
        code: 522,
        reason: "Event data is incorrect. ErrorCode: 522 - Event properties limit exceeded. "
    )

    static func invalidEventStructure(_ detail: String) -> RecordRejection {
        RecordRejection(
            code: 512,
            reason: "Event data is incorrect. ErrorCode: 512 - Invalid event structure: \(detail). "
        )
    }

    static func eventNamesLimit(_ limit: Int) -> RecordRejection {
        RecordRejection(
            code: 512,
            reason: "Event Name is incorrect. ErrorCode: 512 - Limit of \(limit) event names per account reached. "
        )
    }

    // MARK: - Profiles

    /// A standard profile field with a value CleverTap refuses (codes 514...520).
    static func invalidProfileField(code: Int, field: String) -> RecordRejection {
        RecordRejection(code: code, reason: "Profile data is incorrect. \(field) is not valid.")
    }

    static func invalidProfileStructure(_ detail: String) -> RecordRejection {
        RecordRejection(code: 512, reason: "Profile data is incorrect. \(detail).")
    }

    static func profilePropertiesLimit(_ limit: Int) -> RecordRejection {
        RecordRejection(
            code: 522,
            reason: "Profile data is incorrect. More than \(limit) custom profile properties."
        )
    }
}
