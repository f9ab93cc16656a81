/// The `record` CleverTap echoes for a refused record: the input with sorted
/// keys (the writer sorts) and a valid `Phone` string turned into a number, as
/// real traffic shows. Clients must not match on it.
enum RecordEcho {
    static func normalize(_ record: SandboxValue) -> SandboxValue {
        guard case .object(var members) = record,
            case .object(var profileData) = members["profileData"],
            case .string(let phone) = profileData["Phone"],
            FieldFormats.isValidPhone(phone),
            let number = Int(phone.dropFirst())
        else { return record }
        profileData["Phone"] = .int(number)
        members["profileData"] = .object(profileData)
        return .object(members)
    }
}
