import Hummingbird

/// How `GET /1/profile.json` names the profile it reads: exactly one query
/// parameter, `identity=` or `email=` (percent-decoded).
enum ProfileLookup: Equatable, Sendable {
    /// The identifier the profile was uploaded with.
    case identity(String)
    /// The profile's stored `Email` property.
    case email(String)

    /// The parameter names CleverTap documents for a lookup by ID that the
    /// sandbox answers; `objectId` (CleverTap's own ID) has no sandbox equivalent.
    static let parameterNames = ["identity", "email"]

    /// `nil` unless exactly one known parameter is present, once, and not empty.
    init?(_ request: Request) {
        let query = request.uri.queryParameters
        let given = Self.parameterNames.flatMap { name in query[values: name[...]].map { (name, String($0)) } }
        guard given.count == 1, let (name, value) = given.first, !value.isEmpty else { return nil }
        self = name == "identity" ? .identity(value) : .email(value)
    }
}
