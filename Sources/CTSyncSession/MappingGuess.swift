/// One mapping `ctsync init` proposes, and why: the reason becomes its comment in the
/// job file (shapes and counts, never a sampled value).
struct MappingGuess: Sendable, Equatable {
    enum Input: Sendable, Equatable {
        case column(String)
        /// A constant (`value:`), e.g. an event name from the file name.
        case constant(String)
    }

    var input: Input
    var target: String
    /// Transform names as a job file spells them (`trim`, `ms_to_s`).
    var transforms: [String]
    var reason: String
    /// Written as a comment, not as a mapping: a column ctsync cannot map as it is.
    var commentedOut = false

    var column: String? {
        if case .column(let name) = input { return name }
        return nil
    }
}
