import Foundation
import Testing

@testable import CleverTapContract
@testable import CTSyncPlan

/// One reason type for the mapper, the planner and CleverTap's answers, with the codes
/// plans and reports have always written.
@Suite("rejection reasons")
struct RejectReasonTests {
    /// Every code a plan or report has written, and the reason it is.
    static let codes: [(String, RejectReason)] = [
        ("identity_missing", .identityMissing), ("event_name_missing", .eventNameMissing),
        ("restricted_event", .restrictedEvent), ("invalid_event_name", .invalidEventName),
        ("invalid_gender", .invalidGender), ("invalid_email", .invalidEmail), ("invalid_phone", .invalidPhone),
        ("invalid_employed", .invalidEmployed), ("invalid_education", .invalidEducation),
        ("invalid_married", .invalidMarried), ("invalid_age", .invalidAge), ("invalid_boolean", .invalidBoolean),
        ("invalid_date", .invalidDate), ("too_many_properties", .tooManyProperties),
        ("invalid_timestamp", .invalidTimestamp), ("timestamp_in_milliseconds", .timestampInMilliseconds),
        ("key_too_long", .keyTooLong), ("value_too_long", .valueTooLong), ("transform_failed", .transformFailed),
        ("identity_kind_mismatch", .identityKindMismatch), ("too_many_values", .tooManyValues),
        ("invalid_number", .invalidNumber), ("primary_key_missing", .primaryKeyMissing),
        // The planner's.
        ("invalid_row", .invalidRow), ("duplicate_primary_key", .duplicatePrimaryKey),
        ("too_many_event_names", .tooManyEventNames), ("too_many_event_properties", .tooManyEventProperties),
        // The uploader's.
        ("515", .clevertap(.invalidEmail)), ("555", .clevertap(.miscellaneous)), ("530", .clevertap(CleverTapCode(rawValue: 530))),
        ("unknown", .clevertapWithoutCode), ("http_400", .http(status: 400)), ("http_503", .http(status: 503)),
        ("timeout", .timeout), ("connection_error", .connectionError), ("response_too_large", .responseTooLarge),
        ("unrecognized_response", .unrecognizedResponse), ("unmatched_response", .unmatchedResponse),
    ]

    @Test func codesAreStableAndRoundTrip() throws {
        for (code, reason) in Self.codes {
            #expect(reason.rawValue == code)
            #expect(RejectReason(rawValue: code) == reason, "\(code)")
            #expect("\(reason)" == code)
            let encoded = try JSONEncoder().encode([reason])
            #expect(String(decoding: encoded, as: UTF8.self) == "[\"\(code)\"]")
            #expect(try JSONDecoder().decode([RejectReason].self, from: encoded) == [reason])
        }
        for reason in RejectReason.named {
            #expect(Self.codes.contains { $0.1 == reason }, "\(reason) has no pinned code")
        }
    }

    @Test func textThatIsNoCode() {
        for text in ["", "Invalid_Phone", "0515", "+515", "http_", "http_x", "http_0503", "http_-1", "515 ", " 515"] {
            #expect(RejectReason(rawValue: text) == nil, "\(text)")
        }
        #expect(RejectReason(rawValue: "-3") == .clevertap(CleverTapCode(rawValue: -3)), "any number the server sends")
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(RejectReason.self, from: Data("\"nope\"".utf8)) }
    }

    /// The field each CleverTap code concerns: the report's `field` for records CleverTap refused.
    @Test func clevertapCodeFields() {
        let fields: [Int: String] = [
            509: "evtName", 513: "evtName", 514: "Gender", 515: "Email", 516: "Phone", 517: "Employed",
            518: "Education", 519: "Married", 520: "Age", 523: "identity", 525: "ts",
        ]
        for code in CleverTapCode.documented + [CleverTapCode(rawValue: 530)] {
            #expect(code.field == fields[code.rawValue], "\(code)")
        }
        #expect(CleverTapCode.documented.allSatisfy { $0.meaning != nil })
        #expect(CleverTapCode(rawValue: 530).meaning == nil)
        #expect(CleverTapCode.documented == CleverTapCode.documented.sorted())
    }

    /// A mapper reason that mirrors a CleverTap code is about the field that code names.
    @Test func mirroredCodesNameTheSameField() {
        let mirrored: [(RejectReason, String)] = [
            (.identityMissing, "identity"), (.eventNameMissing, "evtName"), (.restrictedEvent, "evtName"),
            (.invalidGender, "Gender"), (.invalidEmail, "Email"), (.invalidPhone, "Phone"),
            (.invalidEmployed, "Employed"), (.invalidEducation, "Education"), (.invalidMarried, "Married"),
            (.invalidAge, "Age"), (.invalidTimestamp, "ts"),
        ]
        for (reason, field) in mirrored {
            #expect(reason.clevertapCode?.field == field, "\(reason)")
        }
        #expect(RejectReason.tooManyProperties.clevertapCode == .tooManyProperties)
        #expect(RejectReason.clevertap(.invalidPhone).clevertapCode == .invalidPhone)
        #expect(RejectReason.http(status: 503).clevertapCode == nil)
    }

    @Test func logGroupsByReasonMostFrequentFirst() {
        var log = RejectionLog(samplesPerReason: 1)
        func add(_ reason: RejectReason, line: Int) {
            log.add(PlanRejection(line: line, primaryKey: nil, field: nil, reason: reason, message: "m"))
        }
        add(.http(status: 503), line: 1)
        add(.clevertap(.invalidEmail), line: 2)
        add(.invalidRow, line: 3)
        add(.invalidRow, line: 4)
        add(.clevertap(.invalidEmail), line: 5)
        #expect(log.reasonsByCount == [.clevertap(.invalidEmail), .invalidRow, .http(status: 503)])
        #expect(log.groups[.invalidRow]?.count == 2)
        #expect(log.groups[.invalidRow]?.samples.map(\.line) == [3])
        #expect(log.total == 5)
    }
}
