/// Why a request body is not acceptable JSON.
///
/// The offset is the byte position in the body where parsing stopped; it only
/// serves the sandbox's debug log, clients see CleverTap's "Malformed request".
struct JSONParseError: Error, Equatable, Sendable {
    enum Reason: Equatable, Sendable {
        case unexpectedEnd
        case unexpectedByte(UInt8)
        case invalidNumber
        case invalidEscape
        case controlCharacterInString
        case tooDeep
        case trailingContent
    }

    var reason: Reason
    var offset: Int
}
