import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import Testing

@testable import ClevertapSandbox

/// A sandbox on loopback plus an HTTP client sized for it, torn down together.
struct SandboxHarness: Sendable {
    let server: SandboxServer
    let client: HTTPClient

    static let account = SandboxAccount(id: "123", passcode: "secret", region: .in1)

    /// One HTTP answer, body as text.
    struct Answer: Sendable {
        let status: Int
        let headers: HTTPHeaders
        let body: String

        /// The body parsed by the sandbox's own parser.
        var json: SandboxValue {
            get throws { try JSONParser.parse(body) }
        }
    }

    /// Runs `body` against a fresh sandbox (account 123/secret/in1 unless given).
    ///
    /// - Parameters:
    ///   - caCertificatePath: The CA the client trusts, for a TLS sandbox.
    ///   - proxy: A proxy the client goes through (`CONNECT` for HTTPS).
    ///   - retryingConnections: Let the client retry failed connection attempts until
    ///     the request's deadline (its default); off to see a handshake failure at once.
    static func with<T: Sendable>(
        _ configuration: SandboxConfiguration = SandboxConfiguration(accounts: [account]),
        trusting caCertificatePath: String? = nil,
        proxy: HTTPClient.Configuration.Proxy? = nil,
        retryingConnections: Bool = true,
        _ body: (SandboxHarness) async throws -> T
    ) async throws -> T {
        let server = try await SandboxServer.start(configuration)
        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.connectionPool = .init(
            idleTimeout: .seconds(30),
            concurrentHTTP1ConnectionsPerHostSoftLimit: 32
        )
        if let caCertificatePath {
            clientConfiguration.tlsConfiguration = .trusting(caCertificatePath)
        }
        clientConfiguration.proxy = proxy
        clientConfiguration.connectionPool.retryConnectionEstablishment = retryingConnections
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
        let harness = SandboxHarness(server: server, client: client)
        do {
            let result = try await body(harness)
            try await client.shutdown()
            try await server.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            try? await server.shutdown()
            throw error
        }
    }

    /// `POST /{region}/1/upload` (or `/1/upload` when `region` is nil).
    func upload(
        _ json: String,
        region: String? = "in1",
        account: String? = "123",
        passcode: String? = "secret",
        query: String = "",
        timeout: TimeAmount = .seconds(10)
    ) async throws -> Answer {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
        if let account { headers.add(name: "X-CleverTap-Account-Id", value: account) }
        if let passcode { headers.add(name: "X-CleverTap-Passcode", value: passcode) }
        let path = (region.map { "/\($0)" } ?? "") + "/1/upload" + query
        return try await send(.POST, path, body: json, headers: headers, timeout: timeout)
    }

    /// `GET /{region}/1/profile.json?QUERY` (or `/1/profile.json` when `region` is nil).
    func readProfile(
        _ query: String,
        region: String? = "in1",
        account: String? = "123",
        passcode: String? = "secret"
    ) async throws -> Answer {
        var headers = HTTPHeaders()
        if let account { headers.add(name: "X-CleverTap-Account-Id", value: account) }
        if let passcode { headers.add(name: "X-CleverTap-Passcode", value: passcode) }
        let path = (region.map { "/\($0)" } ?? "") + "/1/profile.json?" + query
        return try await send(.GET, path, headers: headers)
    }

    func get(_ path: String) async throws -> Answer {
        try await send(.GET, path)
    }

    func post(_ path: String, _ body: String = "") async throws -> Answer {
        try await send(.POST, path, body: body)
    }

    func send(
        _ method: HTTPMethod,
        _ path: String,
        body: String? = nil,
        headers: HTTPHeaders = [:],
        timeout: TimeAmount = .seconds(10)
    ) async throws -> Answer {
        var request = HTTPClientRequest(url: server.baseURL + path)
        request.method = method
        request.headers = headers
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await client.execute(request, timeout: timeout)
        let bytes = try await response.body.collect(upTo: 64 << 20)
        return Answer(status: Int(response.status.code), headers: response.headers, body: String(buffer: bytes))
    }
}
