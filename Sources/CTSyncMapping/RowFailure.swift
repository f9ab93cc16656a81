import CleverTapContract

/// Why a row failed, before line and primary key are attached (see ``RowRejection``).
struct RowFailure: Error {
    var field: String?
    var reason: RejectReason
    var message: String
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
