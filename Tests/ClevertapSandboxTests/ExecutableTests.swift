import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

@testable import ClevertapSandbox

/// The built `clevertap-sandbox` binary, next to the test bundle, when present.
private let sandboxBinary: URL? = {
    var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for _ in 0..<4 {
        let candidate = directory.appendingPathComponent("clevertap-sandbox")
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        directory = directory.deletingLastPathComponent()
    }
    return nil
}()

@Suite("clevertap-sandbox executable", .enabled(if: sandboxBinary != nil, "the executable is not built"))
struct ExecutableTests {
    private func launch(_ arguments: [String]) throws -> (Process, Pipe, Pipe) {
        let process = Process()
        process.executableURL = sandboxBinary
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        return (process, output, errors)
    }

    @Test func refusesToStartWithoutAccounts() throws {
        let (process, _, errors) = try launch([])
        process.waitUntilExit()
        #expect(process.terminationStatus == 64)
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(message.contains("no account configured"))
    }

    @Test func refusesInvalidFaults() throws {
        let (process, _, _) = try launch(["--account", "1:p:in1", "--fault-429", "2"])
        process.waitUntilExit()
        #expect(process.terminationStatus == 64)
    }

    @Test func servesTheDocumentedExampleAndStopsOnSIGTERM() async throws {
        let arguments = ["--account", "123:secret:in1", "--port", "0", "--log-level", "error"]
        try await LaunchedProcess.with(try #require(sandboxBinary), arguments) { launched in
            let line = try await launched.firstLine()
            #expect(line.hasPrefix("listening on http://127.0.0.1:"))
            let baseURL = String(line.dropFirst("listening on ".count))

            let client = HTTPClient(eventLoopGroupProvider: .singleton)
            var request = HTTPClientRequest(url: baseURL + "/in1/1/upload")
            request.method = .POST
            request.headers.add(name: "X-CleverTap-Account-Id", value: "123")
            request.headers.add(name: "X-CleverTap-Passcode", value: "secret")
            request.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
            request.body = .bytes(
                ByteBuffer(
                    string: Records.batch([UploadProtocolTests.documentedProfile, UploadProtocolTests.documentedEvent])
                )
            )
            let answer: (status: UInt, body: String)
            do {
                let response = try await client.execute(request, timeout: .seconds(10))
                answer = (response.status.code, String(buffer: try await response.body.collect(upTo: 1 << 20)))
            } catch {
                try? await client.shutdown()
                throw error
            }
            try await client.shutdown()
            #expect(answer.status == 200)
            #expect(answer.body == #"{"status":"success","processed":2,"unprocessed":[]}"#)

            #expect(try await launched.terminate() == 0)  // SIGTERM
        }
    }

    @Test func servesHTTPSWithTLSFlags() async throws {
        try await TestCertificates.with { certificates in
            let arguments = [
                "--account", "123:secret:in1", "--port", "0", "--log-level", "error",
                "--tls-cert", certificates.certificatePath, "--tls-key", certificates.privateKeyPath,
            ]
            try await LaunchedProcess.with(try #require(sandboxBinary), arguments) { launched in
                let line = try await launched.firstLine()
                #expect(line.hasPrefix("listening on https://127.0.0.1:"))

                let client = HTTPClient(
                    eventLoopGroupProvider: .singleton,
                    configuration: .init(tlsConfiguration: .trusting(certificates.caCertificatePath))
                )
                var request = HTTPClientRequest(
                    url: line.dropFirst("listening on ".count) + "/in1/1/profile.json?identity=x"
                )
                request.headers.add(name: "X-CleverTap-Account-Id", value: "123")
                request.headers.add(name: "X-CleverTap-Passcode", value: "secret")
                do {
                    let response = try await client.execute(request, timeout: .seconds(10))
                    let body = String(buffer: try await response.body.collect(upTo: 1 << 20))
                    #expect(response.status.code == 200)
                    #expect(body == ProfileReadTests.notFound)
                    try await client.shutdown()
                } catch {
                    try? await client.shutdown()
                    throw error
                }
                #expect(try await launched.terminate() == 0)
            }
        }
    }

    @Test func refusesAnIncompleteOrMissingTLSPair() async throws {
        let binary = try #require(sandboxBinary)
        let incomplete = ["--account", "1:p:in1", "--tls-cert", "/nonexistent/server.pem"]
        #expect(try await LaunchedProcess.with(binary, incomplete) { try await $0.wait() } == 64)
        let missing = incomplete + ["--tls-key", "/nonexistent/server.key"]
        #expect(try await LaunchedProcess.with(binary, missing) { try await $0.wait() } == 64)
    }

    @Test func proxyPrintsItsAddressAndTunnels() async throws {
        try await LaunchedProcess.with(try #require(sandboxBinary), ["proxy", "--port", "0"]) { launched in
            let line = try await launched.firstLine()
            #expect(line.hasPrefix("listening on http://127.0.0.1:"))
            let port = try #require(Int(line.split(separator: ":").last ?? ""))

            try await SandboxHarness.with { sandbox in
                let answer = try await RawConnection.exchange(port: port, "CONNECT example.com:443 HTTP/1.1\r\n\r\n")
                #expect(answer.hasPrefix("HTTP/1.1 403 Forbidden\r\n"))
                let connection = try await RawConnection.open(port: port)
                try await connection.channel.executeThenClose { inbound, outbound in
                    var reader = inbound.makeAsyncIterator()
                    try await outbound.write(
                        ByteBuffer(string: "CONNECT 127.0.0.1:\(sandbox.server.port) HTTP/1.1\r\n\r\n")
                    )
                    let established = try await RawConnection.read(&reader, until: "\r\n\r\n")
                    #expect(established == "HTTP/1.1 200 Connection Established\r\n\r\n")
                }
            }
            #expect(try await launched.terminate() == 0)
        }
    }
}
