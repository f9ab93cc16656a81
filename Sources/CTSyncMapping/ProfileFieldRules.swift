import CleverTapContract

/// The formats CleverTap requires of its standard profile fields (clevertap.md), and the
/// normalisation ctsync applies on the way: `"true"` into a `MSG-*` boolean, a numeric
/// `Age` text into a JSON number, `"$D_123"` into a date.
enum ProfileFieldRules {
    /// The value as it will be written, or nil when it breaks the rule (see ``failure(_:target:)``).
    static func check(_ value: MappedValue, rule: PropertyRule, in arena: RowArena) -> MappedValue? {
        switch rule {
        case .plain:
            return value
        case .phone:
            guard case .text(let range) = value, ContactSyntax.isE164(arena[range]) else { return nil }
            return value
        case .email:
            guard case .text(let range) = value, ContactSyntax.isEmail(arena[range]) else { return nil }
            return value
        case .gender:
            return isText(value, "M", arena) || isText(value, "F", arena) ? value : nil
        case .employed, .married:
            return isText(value, "Y", arena) || isText(value, "N", arena) ? value : nil
        case .education:
            return isText(value, "School", arena) || isText(value, "College", arena)
                || isText(value, "Graduate", arena) ? value : nil
        case .age:
            return age(value, arena)
        case .messaging:
            switch value {
            case .bool:
                return value
            case .text(let range):
                if MappingText.equalsIgnoringCase(arena[range], "true") { return .bool(true) }
                if MappingText.equalsIgnoringCase(arena[range], "false") { return .bool(false) }
                return nil
            default:
                return nil
            }
        case .dateOfBirth:
            switch value {
            case .date:
                return value
            case .text(let range):
                let bytes = arena[range]
                guard MappingText.hasDatePrefix(bytes),
                    let seconds = MappingText.plainInteger(UnsafeBufferPointer(rebasing: bytes[3...]))
                else { return nil }
                return .date(seconds)
            default:
                return nil
            }
        }
    }

    /// Why a value broke `rule`, naming the field but not the value.
    static func failure(_ rule: PropertyRule, target: String) -> RowProblem {
        let (reason, message): (RejectReason, String)
        switch rule {
        case .plain:
            (reason, message) = (.transformFailed, "\(target) has an invalid value")
        case .phone:
            (reason, message) = (
                .invalidPhone, "\(target) must be E.164 (+ and 8 to 15 digits); add the e164 transform"
            )
        case .email:
            (reason, message) = (.invalidEmail, "\(target) is not a valid address")
        case .gender:
            (reason, message) = (.invalidGender, "\(target) must be M or F; add the gender transform")
        case .employed:
            (reason, message) = (.invalidEmployed, "\(target) must be Y or N")
        case .married:
            (reason, message) = (.invalidMarried, "\(target) must be Y or N")
        case .education:
            (reason, message) = (.invalidEducation, "\(target) must be School, College or Graduate")
        case .age:
            (reason, message) = (.invalidAge, "\(target) must be a number from 0 to 150")
        case .messaging:
            (reason, message) = (.invalidBoolean, "\(target) must be a boolean (true or false); add the bool transform")
        case .dateOfBirth:
            (reason, message) = (.invalidDate, "\(target) must be a date ($D_<epoch seconds>); add the date transform")
        }
        return RowProblem(field: target, reason: reason, message: message)
    }

    @inline(__always)
    private static func isText(_ value: MappedValue, _ expected: StaticString, _ arena: RowArena) -> Bool {
        guard case .text(let range) = value else { return false }
        return MappingText.equals(arena[range], expected)
    }

    /// A number from 0 to 150 as it will be written (numeric text becomes a JSON number), or nil.
    private static func age(_ value: MappedValue, _ arena: RowArena) -> MappedValue? {
        switch value {
        case .integer(let integer):
            return (0...150).contains(integer) ? value : nil
        case .text(let range), .number(let range):
            let literal = MappingText.trimmed(range, in: arena.bytes[0..<arena.bytes.count])
            let bytes = arena[literal]
            guard let number = NumberLiteral(bytes), number.isFinite(bytes) else { return nil }
            if number.isZero { return .number(literal) }
            guard !number.negative, let whole = number.floorInteger(bytes) else { return nil }
            return whole < 150 || (whole == 150 && number.isIntegral) ? .number(literal) : nil
        case .null, .bool, .date, .list:
            return nil
        }
    }
}
