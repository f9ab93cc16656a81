import AsyncHTTPClient
import NIOCore
import Testing

@testable import ClevertapSandbox

@Suite("CONNECT proxy", .timeLimit(.minutes(2)))
struct ConnectProxyTests {
    @Test func tunnelsHTTPSToTheTLSSandbox() async throws {
        try await TestCertificates.with { certificates in
            try await ConnectProxy.withRunning { proxy, proxyPort in
                #expect(proxy.url == "http://127.0.0.1:\(proxyPort)")
                try await SandboxHarness.with(
                    SandboxConfiguration(accounts: [SandboxHarness.account], tls: certificates.sandboxFiles),
                    trusting: certificates.caCertificatePath,
                    proxy: .server(host: "127.0.0.1", port: proxyPort)
                ) { sandbox in
                    let answer = try await sandbox.upload(Records.batch([UploadProtocolTests.documentedProfile]))
                    #expect(answer.status == 200)
                    #expect(answer.body == #"{"status":"success","processed":1,"unprocessed":[]}"#)
                    // Recorded before the client's 200: no wait needed once the request is answered.
                    #expect(proxy.tunnels == [ProxyTunnel(host: "127.0.0.1", port: sandbox.server.port)])
                    #expect(proxy.tunnels.first?.description == "127.0.0.1:\(sandbox.server.port)")
                    #expect(sandbox.server.stats().recordsProcessed == 1)
                }
            }
        }
    }

    @Test(arguments: [
        "192.0.2.1:443", "example.com:443", "10.0.0.1:80", "[2001:db8::1]:443", "127.0.0.1.example.com:443",
        "0x7f.0.0.1:443",
    ])
    func refusesNonLoopbackTargetsWith403(_ target: String) async throws {
        try await ConnectProxy.withRunning { proxy, port in
            let answer = try await RawConnection.exchange(
                port: port,
                "CONNECT \(target) HTTP/1.1\r\nHost: \(target)\r\n\r\n"
            )
            #expect(answer == "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            #expect(proxy.refusedTargets == [target])
            #expect(proxy.tunnels.isEmpty)
        }
    }

    @Test func refusesOtherMethodsAndMalformedHeads() async throws {
        try await ConnectProxy.withRunning { proxy, port in
            let get = try await RawConnection.exchange(port: port, "GET http://127.0.0.1/ HTTP/1.1\r\n\r\n")
            #expect(get.hasPrefix("HTTP/1.1 405 Method Not Allowed\r\n"))
            #expect(get.contains("Allow: CONNECT\r\n"))
            for head in ["CONNECT 127.0.0.1 HTTP/1.1", "CONNECT 127.0.0.1:99999 HTTP/1.1", "hello"] {
                let answer = try await RawConnection.exchange(port: port, head + "\r\n\r\n")
                #expect(answer.hasPrefix("HTTP/1.1 400 Bad Request\r\n"), "\(head)")
            }
            // The proxy answers 400 and closes with part of the head unread, which
            // the kernel may turn into a reset that drops the answer: either is a refusal.
            let huge = try await RawConnection.exchange(port: port, "CONNECT " + String(repeating: "a", count: 20_000))
            #expect(huge.isEmpty || huge.hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
            #expect(proxy.tunnels.isEmpty)
            #expect(proxy.refusedTargets.isEmpty)
        }
    }

    @Test func answersAnUnreachableLoopbackTargetWith502() async throws {
        // A port that was just free: the stopped proxy's.
        let closedPort = try await ConnectProxy.withRunning { _, port in port }
        try await ConnectProxy.withRunning { proxy, port in
            let answer = try await RawConnection.exchange(
                port: port, "CONNECT 127.0.0.1:\(closedPort) HTTP/1.1\r\n\r\n")
            #expect(answer.hasPrefix("HTTP/1.1 502 Bad Gateway\r\n"))
            #expect(proxy.tunnels.isEmpty)
        }
    }

    @Test func relaysPlainBytesAndStopEndsOpenTunnels() async throws {
        try await SandboxHarness.with { sandbox in
            let proxy = ConnectProxy()
            let port = try await proxy.start()
            do {
                await #expect(throws: ConnectProxyError.alreadyStarted) { try await proxy.start() }
                let connection = try await RawConnection.open(port: port)
                try await connection.channel.executeThenClose { inbound, outbound in
                    var reader = inbound.makeAsyncIterator()
                    // The target as "localhost": dialled as 127.0.0.1, never looked up.
                    try await outbound.write(
                        ByteBuffer(string: "CONNECT localhost:\(sandbox.server.port) HTTP/1.1\r\n\r\n")
                    )
                    let established = try await RawConnection.read(&reader, until: "\r\n\r\n")
                    #expect(established == "HTTP/1.1 200 Connection Established\r\n\r\n")
                    #expect(proxy.tunnels == [ProxyTunnel(host: "localhost", port: sandbox.server.port)])

                    try await outbound.write(
                        ByteBuffer(string: "GET /sandbox/stats HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"))
                    let response = try await RawConnection.read(&reader, until: "\"profile_reads\"")
                    #expect(response.hasPrefix("HTTP/1.1 200 OK\r\n"))

                    await proxy.stop()
                    // The tunnel was cut: reading ends now, long before the connection's own 15 s limit.
                    let clock = ContinuousClock()
                    let start = clock.now
                    while (try? await reader.next()) != nil {}
                    #expect(clock.now - start < .seconds(10))
                }
            } catch {
                await proxy.stop()
                throw error
            }
        }
    }

    @Test(arguments: [
        ("127.0.0.1:443", true), ("127.255.0.9:1", true), ("localhost:80", true), ("LOCALHOST:80", true),
        ("[::1]:8443", true), ("128.0.0.1:443", false), ("127.0.0:443", false), ("127.0.0.256:443", false),
        ("[::ffff:127.0.0.1]:443", false), ("1.2.3.4:443", false),
    ])
    func allowsOnlyLoopbackAddresses(_ target: String, _ allowed: Bool) {
        let decision = ConnectRequest.decide(head: "CONNECT \(target) HTTP/1.1\r\nHost: \(target)")
        if allowed {
            #expect(throws: Never.self) { try decision.get() }
        } else {
            #expect(decision == .failure(.notLoopback(target: target)))
        }
    }
}
