import AsyncHTTPClient
import ClevertapSandbox
import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Testing

@testable import CTSyncReport

/// The production transport, end to end: the built binary over HTTPS to the sandbox
/// with a throwaway CA, trusted through `--ca-file` or `SSL_CERT_FILE`, directly and
/// through a local CONNECT proxy; refused certificates, proxies and TLS versions end
/// the job `aborted` with the host named.
@Suite("HTTPS and proxies", .serialized)
struct HTTPSRunTests {
    static let rows = 300

    /// A TLS sandbox with `rows` contacts, torn down before returning.
    func withHTTPSSandbox(_ body: (RunFixture, TestCertificates) async throws -> Void) async throws {
        try await TestCertificates.with { certificates in
            try await RunFixture.with(tls: certificates.sandboxFiles) { fixture in
                fixture.writeContacts(Self.rows)
                try await body(fixture, certificates)
            }
        }
    }

    /// Every row acknowledged, over `https://`.
    func expectDelivered(
        _ result: ProcessResult, _ report: RunReportDocument, fixture: RunFixture,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(result.status == 0, "exit \(result.status): \(result.stderr)", sourceLocation: sourceLocation)
        #expect(report.counts.succeeded == Self.rows, "\(report.counts)", sourceLocation: sourceLocation)
        #expect(fixture.server.stats().profiles == Self.rows, sourceLocation: sourceLocation)
        #expect(fixture.server.baseURL.hasPrefix("https://"), sourceLocation: sourceLocation)
    }

    @Test func theCATrustedThroughCAFile() async throws {
        try await withHTTPSSandbox { fixture, certificates in
            let (result, report) = try await fixture.run(
                fixture.profilesJob(batchSize: 50), ["--ca-file", certificates.caCertificatePath])
            expectDelivered(result, report, fixture: fixture)
        }
    }

    @Test func theCATrustedThroughSSLCertFile() async throws {
        try await withHTTPSSandbox { fixture, certificates in
            let (result, report) = try await fixture.run(
                fixture.profilesJob(batchSize: 50), environment: ["SSL_CERT_FILE": certificates.caCertificatePath])
            expectDelivered(result, report, fixture: fixture)
        }
    }

    @Test func withoutTheCATheCertificateIsNotTrusted() async throws {
        try await withHTTPSSandbox { fixture, _ in
            let started = ContinuousClock.now
            let (result, report) = try await fixture.run(fixture.profilesJob(batchSize: 50))
            let elapsed = ContinuousClock.now - started
            #expect(result.status == 3, "\(result.stderr)")
            #expect(result.stderr.contains("certificate not trusted"), "\(result.stderr)")
            #expect(result.stderr.contains("127.0.0.1"), "\(result.stderr)")
            #expect(result.stderr.contains("--ca-file") && result.stderr.contains("SSL_CERT_FILE"))
            #expect(report.status == .aborted)
            #expect(report.counts.sent == 0)
            #expect(report.counts.possiblyDuplicated == 0)
            #expect(elapsed < .seconds(15), "an untrusted certificate aborts at once: \(elapsed)")
            #expect(fixture.server.stats().profiles == 0)
        }
    }

    @Test(arguments: ["HTTPS_PROXY", "https_proxy"])
    func throughAConnectProxy(_ variable: String) async throws {
        try await withHTTPSSandbox { fixture, certificates in
            try await ConnectProxy.withRunning { proxy, port in
                let (result, report) = try await fixture.run(
                    fixture.profilesJob(batchSize: 50), ["--ca-file", certificates.caCertificatePath],
                    environment: [variable: "http://127.0.0.1:\(port)"])
                expectDelivered(result, report, fixture: fixture)
                let tunnels = proxy.tunnels
                #expect(!tunnels.isEmpty, "no tunnel through the proxy")
                #expect(
                    tunnels.allSatisfy { $0 == ProxyTunnel(host: "127.0.0.1", port: fixture.server.port) }, "\(tunnels)"
                )
            }
        }
    }

    @Test(arguments: ["NO_PROXY", "no_proxy"])
    func noProxyHostsAreReachedDirectly(_ variable: String) async throws {
        try await withHTTPSSandbox { fixture, certificates in
            try await ConnectProxy.withRunning { proxy, port in
                let (result, report) = try await fixture.run(
                    fixture.profilesJob(batchSize: 50), ["--ca-file", certificates.caCertificatePath],
                    environment: ["HTTPS_PROXY": "http://127.0.0.1:\(port)", variable: "localhost,127.0.0.1"])
                expectDelivered(result, report, fixture: fixture)
                #expect(proxy.tunnels.isEmpty, "\(proxy.tunnels)")
            }
        }
    }

    @Test func aProxyThatCannotBeReachedAbortsNamingIt() async throws {
        try await withHTTPSSandbox { fixture, certificates in
            let port = try closedLoopbackPort()
            let (result, report) = try await fixture.run(
                fixture.profilesJob(batchSize: 50), ["--ca-file", certificates.caCertificatePath],
                environment: ["HTTPS_PROXY": "http://127.0.0.1:\(port)"])
            #expect(result.status == 3, "\(result.stderr)")
            #expect(result.stderr.contains("proxy 127.0.0.1:\(port)"), "\(result.stderr)")
            #expect(result.stderr.contains("HTTPS_PROXY") && result.stderr.contains("NO_PROXY"), "\(result.stderr)")
            #expect(report.counts.sent == 0)
            #expect(fixture.server.stats().requests == 0)
        }
    }

    /// A server that speaks TLS 1.1 at most: ctsync refuses the handshake (TLS 1.2 is its
    /// minimum), while a client with NIOSSL's default minimum completes it.
    @Test func aServerOfferingOnlyTLS11IsRefused() async throws {
        try await TestCertificates.with { certificates in
            let server = try await OldTLSServer.start(certificates)
            do {
                // The control: NIOSSL's default minimum accepts this server; the request then
                // waits for an answer that never comes.
                var tls = TLSConfiguration.makeClientConfiguration()
                tls.additionalTrustRoots = [.file(certificates.caCertificatePath)]
                var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
                configuration.connectionPool.retryConnectionEstablishment = false
                let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
                var request = HTTPClientRequest(url: "https://127.0.0.1:\(server.port)/")
                request.method = .GET
                do {
                    _ = try await client.execute(request, timeout: .milliseconds(1500))
                    Issue.record("the TLS 1.1 server answered")
                } catch {
                    #expect(!(error is NIOSSLError), "the control handshake failed: \(error)")
                }
                try await client.shutdown()

                let dir = TemporaryDirectory()
                dir.write("contacts.csv", "id,email,name,score\n1,a@example.com,A,1\n")
                let job = dir.write(
                    "job.yaml",
                    """
                    version: 1
                    name: old-tls
                    destination: { region: in1, account_id: "1", passcode: "${CLEVERTAP_PASSCODE}" }
                    source: { file: contacts.csv }
                    object: profiles
                    primary_key: id
                    mappings:
                      - { from: email, to: identity }
                    """)
                let started = ContinuousClock.now
                let result = try await runProcessDetached(
                    Products.ctsync,
                    [
                        "run", job, "--state", dir.path + "/state.sqlite", "--report", dir.path + "/report.json",
                        "--quiet", "--ca-file", certificates.caCertificatePath,
                    ],
                    environment: [
                        "CLEVERTAP_PASSCODE": "x", "CTSYNC_ENDPOINT": "https://127.0.0.1:\(server.port)",
                        "CTSYNC_RETRY_BASE_MS": "5",
                    ])
                #expect(result.status == 3, "\(result.stderr)")
                #expect(result.stderr.contains("TLS handshake with 127.0.0.1 failed"), "\(result.stderr)")
                #expect(ContinuousClock.now - started < .seconds(15))
            } catch {
                await server.stop()
                throw error
            }
            await server.stop()
        }
    }
}

/// A TLS server that offers TLS 1.0 and 1.1 only and never answers a request: enough
/// for a handshake.
final class OldTLSServer: Sendable {
    let channel: any Channel
    let port: Int

    private init(channel: any Channel, port: Int) {
        self.channel = channel
        self.port = port
    }

    static func start(_ certificates: TestCertificates) async throws -> OldTLSServer {
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(certificates.certificatePath).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: certificates.privateKeyPath, format: .pem)))
        tls.minimumTLSVersion = .tlsv1
        tls.maximumTLSVersion = .tlsv11
        let context = try NIOSSLContext(configuration: tls)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return OldTLSServer(channel: channel, port: channel.localAddress?.port ?? 0)
    }

    func stop() async {
        try? await channel.close()
    }
}
