import CleverTapContract

/// One thing wrong with a row: the field, the reason and a message that names the field
/// and the fix, never the value. A rejected row carries every problem it has
/// (``RowRejection/problems``); the mapper throws the first one it meets.
public struct RowProblem: Error, Sendable, Equatable {
    /// The CleverTap target (`Phone`, `identity`, …), the source column for
    /// `primary_key_missing`, or nil for a problem of the whole record.
    public var field: String?
    public var reason: RejectReason
    public var message: String

    public init(field: String?, reason: RejectReason, message: String) {
        self.field = field
        self.reason = reason
        self.message = message
    }
}

/// Why a transform could not convert a value; the mapper adds the field and transform.
struct TransformProblem: Error {
    var reason: RejectReason = .transformFailed
    /// What is wrong, without the value: "expected + and 8 to 15 digits".
    var problem: String

    init(_ problem: String, reason: RejectReason = .transformFailed) {
        self.problem = problem
        self.reason = reason
    }
}
