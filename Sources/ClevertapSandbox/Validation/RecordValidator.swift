/// Checks one record of a request's `d` array the way CleverTap does, without
/// looking at the store.
///
/// A record gets at most one rejection. The checks run in a fixed order (record
/// type, identity, `ts`, then the event or profile payload; standard profile
/// fields before generic property rules; properties by sorted key) so the same
/// record always gets the same code. Limits that depend on what is already
/// stored (distinct event names, custom properties after a merge) are the
/// store's business.
struct RecordValidator: Sendable {
    let limits: ValidationLimits

    /// Epoch seconds beyond this look like milliseconds (the year 5138).
    static let maxTimestamp = 100_000_000_000

    func validate(_ record: SandboxValue) -> Result<UploadRecord, RecordRejection> {
        guard case .object(let members) = record else { return .failure(.notEventOrProfile) }
        let fields = RecordFields(members)
        let isProfile: Bool
        switch fields.type {
        case .string("profile"): isProfile = true
        case .string("event"): isProfile = false
        default: return .failure(.notEventOrProfile)
        }

        let identity: String
        switch resolveIdentity(fields) {
        case .success(let resolved): identity = resolved
        case .failure(let rejection): return .failure(rejection)
        }

        var timestamp: Int?
        if let ts = fields.ts {
            guard case .int(let seconds) = ts, seconds > 0, seconds < Self.maxTimestamp else {
                return .failure(.timestampInvalid)
            }
            timestamp = seconds
        }

        if isProfile {
            return validateProfile(fields, identity: identity, timestamp: timestamp).map(UploadRecord.profile)
        }
        return validateEvent(fields, identity: identity, timestamp: timestamp).map(UploadRecord.event)
    }

    // MARK: - Identity

    /// The first usable identifier; CleverTap also takes a numeric identity.
    private func resolveIdentity(_ fields: RecordFields) -> Result<String, RecordRejection> {
        for identifier in fields.identifiers {
            switch identifier {
            case .string(let value) where !isBlank(value): return .success(value)
            case .int(let value): return .success(String(value))
            default: continue
            }
        }
        return .failure(fields.objectId == nil ? .identityMissing : .objectIdInvalid)
    }

    // MARK: - Profiles

    /// One pass over `profileData`: the lowest-ranked standard-field error wins,
    /// then the generic property rules, then the custom-property limit.
    private func validateProfile(
        _ fields: RecordFields,
        identity: String,
        timestamp: Int?
    ) -> Result<ProfileUpsert, RecordRejection> {
        let data: [String: SandboxValue]
        switch fields.profileData {
        case nil: data = [:]
        case .object(let object): data = object
        default: return .failure(.invalidProfileStructure("profileData must be a JSON object"))
        }

        var standard: (rank: Int, rejection: RecordRejection)?
        var hasProblem = false
        var customCount = 0
        for (key, value) in data {
            if let found = standardFieldRejection(key, value), found.rank < (standard?.rank ?? .max) {
                standard = found
            }
            if !hasProblem, profilePropertyProblem(key, value) != nil { hasProblem = true }
            if StandardProfileFields.isCustom(key) { customCount += 1 }
        }
        if let standard { return .failure(standard.rejection) }
        if hasProblem, let problem = firstProblem(in: data, check: profilePropertyProblem) {
            return .failure(.invalidProfileStructure(problem))
        }
        guard customCount <= limits.maxCustomProfileProperties else {
            return .failure(.profilePropertiesLimit(limits.maxCustomProfileProperties))
        }
        return .success(
            ProfileUpsert(identity: identity, timestamp: timestamp, properties: data, customKeyCount: customCount)
        )
    }

    /// Codes 514...520 with their rank: when several fields are wrong, the
    /// lowest rank is reported (Email, Phone, Gender, Employed, Education,
    /// Married, Age).
    private func standardFieldRejection(
        _ key: String,
        _ value: SandboxValue
    ) -> (rank: Int, rejection: RecordRejection)? {
        switch key {
        case "Email":
            if value.stringValue.map(FieldFormats.isValidEmail) == true { return nil }
            return (0, .invalidProfileField(code: 515, field: "Email"))
        case "Phone":
            if value.stringValue.map(FieldFormats.isValidPhone) == true { return nil }
            return (1, .invalidProfileField(code: 516, field: "Phone number"))
        case "Gender":
            if value == "M" || value == "F" { return nil }
            return (2, .invalidProfileField(code: 514, field: "Gender"))
        case "Employed":
            if value == "Y" || value == "N" { return nil }
            return (3, .invalidProfileField(code: 517, field: "Employed"))
        case "Education":
            if value == "School" || value == "College" || value == "Graduate" { return nil }
            return (4, .invalidProfileField(code: 518, field: "Education"))
        case "Married":
            if value == "Y" || value == "N" { return nil }
            return (5, .invalidProfileField(code: 519, field: "Married"))
        case "Age":
            if value.isNumber { return nil }
            return (6, .invalidProfileField(code: 520, field: "Age"))
        default:
            return nil
        }
    }

    private func profilePropertyProblem(_ key: String, _ value: SandboxValue) -> String? {
        if let problem = keyProblem(key) { return problem }
        if StandardProfileFields.isSubscriptionFlag(key), value.boolValue == nil {
            return "\(quoted(key)) must be a boolean"
        }
        if key == "DOB", !(value.stringValue.map(FieldFormats.isValidDate) ?? false) {
            return "DOB must be a date ($D_<epoch seconds>)"
        }
        switch value {
        case .string(let string): return stringProblem(string, key: key)
        case .null, .bool, .int, .double: return nil
        case .array(let items): return multiValueProblem(items, key: key)
        case .object(let object): return operatorProblem(object, key: key)
        }
    }

    /// `{"$add": [...]}`, `{"$remove": [...]}`, `{"$incr": n}` or `{"$decr": n}`.
    private func operatorProblem(_ object: [String: SandboxValue], key: String) -> String? {
        guard object.count == 1, let (name, operand) = object.first else {
            return "\(quoted(key)) is a nested object; only $add, $remove, $incr and $decr are supported"
        }
        switch name {
        case "$add", "$remove":
            switch operand {
            case .string(let string): return stringProblem(string, key: key)
            case .array(let items): return multiValueProblem(items, key: key)
            default: return "\(name) on \(quoted(key)) needs a string or an array of strings"
            }
        case "$incr", "$decr":
            return operand.isNumber ? nil : "\(name) on \(quoted(key)) needs a number"
        default:
            return "\(quoted(key)) is a nested object; only $add, $remove, $incr and $decr are supported"
        }
    }

    private func multiValueProblem(_ items: [SandboxValue], key: String) -> String? {
        guard items.count <= limits.maxMultiValueItems else {
            return "\(quoted(key)) has more than \(limits.maxMultiValueItems) values"
        }
        for item in items {
            guard case .string(let string) = item, string.utf8.count <= limits.maxValueBytes else {
                return "\(quoted(key)) values must be strings of at most \(limits.maxValueBytes) bytes"
            }
        }
        return nil
    }

    // MARK: - Events

    private func validateEvent(
        _ fields: RecordFields,
        identity: String,
        timestamp: Int?
    ) -> Result<EventUpload, RecordRejection> {
        guard case .string(let name) = fields.evtName, !isBlank(name) else {
            return .failure(.eventNameMissing)
        }
        if RestrictedEventNames.contains(name) { return .failure(.restrictedEvent) }
        guard name.utf8.count <= limits.maxValueBytes else {
            return .failure(.invalidEventStructure("event name longer than \(limits.maxValueBytes) bytes"))
        }

        let data: [String: SandboxValue]
        switch fields.evtData {
        case nil: data = [:]
        case .object(let object): data = object
        default: return .failure(.invalidEventStructure("evtData must be a JSON object"))
        }
        guard data.count <= limits.maxEventProperties else { return .failure(.eventPropertiesLimit) }
        let isCharged = name == "Charged"
        let problem = firstProblem(in: data) { key, value in
            eventPropertyProblem(key, value, isCharged: isCharged)
        }
        if let problem { return .failure(.invalidEventStructure(problem)) }
        return .success(EventUpload(identity: identity, timestamp: timestamp, name: name, properties: data))
    }

    private func eventPropertyProblem(_ key: String, _ value: SandboxValue, isCharged: Bool) -> String? {
        if let problem = keyProblem(key) { return problem }
        switch value {
        case .string(let string): return stringProblem(string, key: key)
        case .null, .bool, .int, .double: return nil
        case .array(let items) where isCharged && key == "Items": return chargedItemsProblem(items)
        case .array: return "\(quoted(key)) is an array; only Charged's Items may be"
        case .object: return "\(quoted(key)) is a nested object; only Charged's Items may hold objects"
        }
    }

    /// `Items` of a `Charged` event: at most 50 flat objects.
    private func chargedItemsProblem(_ items: [SandboxValue]) -> String? {
        guard items.count <= limits.maxChargedItems else {
            return "Items has more than \(limits.maxChargedItems) entries"
        }
        for item in items {
            guard case .object(let fields) = item else { return "Items entries must be objects" }
            for (key, value) in fields {
                if let problem = keyProblem(key) { return problem }
                switch value {
                case .string(let string):
                    if let problem = stringProblem(string, key: key) { return problem }
                case .null, .bool, .int, .double:
                    continue
                case .array, .object:
                    return "Items entries must be flat objects"
                }
            }
        }
        return nil
    }

    // MARK: - Shared rules

    private func keyProblem(_ key: String) -> String? {
        let length = key.utf8.count
        if length == 0 { return "property keys must not be empty" }
        if length > limits.maxKeyBytes { return "a property key is longer than \(limits.maxKeyBytes) bytes" }
        return nil
    }

    private func stringProblem(_ string: String, key: String) -> String? {
        if string.utf8.count > limits.maxValueBytes {
            return "the value of \(quoted(key)) is longer than \(limits.maxValueBytes) bytes"
        }
        if FieldFormats.isDateValue(string), !FieldFormats.isValidDate(string) {
            return "the value of \(quoted(key)) is not a valid date ($D_<epoch seconds>)"
        }
        return nil
    }

    /// The problem of the smallest offending key, so the answer does not depend
    /// on dictionary order. Sorting only happens once something is wrong.
    private func firstProblem(
        in data: [String: SandboxValue],
        check: (String, SandboxValue) -> String?
    ) -> String? {
        for (key, value) in data where check(key, value) != nil {
            for sortedKey in data.keys.sorted() {
                if let problem = check(sortedKey, data[sortedKey]!) { return problem }
            }
        }
        return nil
    }

    private func isBlank(_ string: String) -> Bool {
        string.utf8.allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
    }

    private func quoted(_ key: String) -> String {
        "\"\(key)\""
    }
}
