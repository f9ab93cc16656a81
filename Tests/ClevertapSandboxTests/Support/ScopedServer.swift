@testable import ClevertapSandbox

extension SandboxServer {
    /// Runs `body` against a fresh server, then shuts it down (and waits for that),
    /// whether `body` returned or threw.
    static func with<Result>(
        _ configuration: SandboxConfiguration, _ body: (SandboxServer) async throws -> Result
    ) async throws -> Result {
        let server = try await SandboxServer.start(configuration)
        let result: Result
        do {
            result = try await body(server)
        } catch {
            try? await server.shutdown()
            throw error
        }
        try await server.shutdown()
        return result
    }
}
