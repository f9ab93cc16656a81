/// A wait for an event that took longer than its bound.
struct DeadlineExceeded: Error, CustomStringConvertible {
    let what: String
    let limit: Duration

    var description: String { "\(what) did not happen within \(limit)" }
}

/// Runs `body`, failing with ``DeadlineExceeded`` once `limit` has passed: the
/// bound on every wait for an event in these tests (no polling).
func withDeadline<T: Sendable>(
    _ limit: Duration,
    _ what: String,
    _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            throw DeadlineExceeded(what: what, limit: limit)
        }
        defer { group.cancelAll() }
        guard let first = try await group.next() else { throw DeadlineExceeded(what: what, limit: limit) }
        return first
    }
}
