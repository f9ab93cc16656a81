import CleverTapContract

/// Why one source row produced no record: every problem the row has, the first (in the
/// mapper's order of checks) in `field`, `reason` and `message`, the rest in `otherProblems`.
///
/// The message says what is wrong and which field, never the offending value: values
/// are personal data (emails, phones, names) and rejections end up in run reports and
/// CI logs. Only numbers that carry no personal meaning (a `ts`, a byte count) are quoted.
public struct RowRejection: Sendable, Equatable, Error {
    /// The 1-based source line (or row number) of the row.
    public var line: Int
    /// The row's primary key, when the job has one and the row carries it.
    public var primaryKey: String?
    /// The CleverTap target (`Phone`, `identity`, …) or, for `primary_key_missing`, the source column.
    public var field: String?
    public var reason: RejectReason
    public var message: String
    /// The row's problems after the first, in the mapper's order of checks; usually none.
    public var otherProblems: [RowProblem] = []

    public init(line: Int, primaryKey: String?, field: String?, reason: RejectReason, message: String) {
        self.line = line
        self.primaryKey = primaryKey
        self.field = field
        self.reason = reason
        self.message = message
    }

    /// A rejection for `problems` (not empty), the first of them foremost.
    public init(line: Int, primaryKey: String?, problems: [RowProblem]) {
        precondition(!problems.isEmpty, "a rejected row has at least one problem")
        let first = problems[0]
        self.init(line: line, primaryKey: primaryKey, field: first.field, reason: first.reason, message: first.message)
        otherProblems = Array(problems.dropFirst())
    }

    /// Every problem of the row, the first foremost.
    public var problems: [RowProblem] {
        [RowProblem(field: field, reason: reason, message: message)] + otherProblems
    }
}
