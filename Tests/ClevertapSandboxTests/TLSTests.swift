import AsyncHTTPClient
import Foundation
import NIOCore
import NIOSSL
import Testing

@testable import ClevertapSandbox

@Suite("HTTPS", .timeLimit(.minutes(2)))
struct TLSTests {
    private static func configuration(_ certificates: TestCertificates) -> SandboxConfiguration {
        SandboxConfiguration(accounts: [SandboxHarness.account], tls: certificates.sandboxFiles)
    }

    @Test func uploadsOverHTTPSWithAClientTrustingTheTestCA() async throws {
        try await TestCertificates.with { certificates in
            try await SandboxHarness.with(
                Self.configuration(certificates),
                trusting: certificates.caCertificatePath
            ) { sandbox in
                #expect(sandbox.server.scheme == "https")
                #expect(sandbox.server.baseURL == "https://127.0.0.1:\(sandbox.server.port)")
                let answer = try await sandbox.upload(Records.batch([UploadProtocolTests.documentedProfile]))
                #expect(answer.status == 200)
                #expect(answer.body == #"{"status":"success","processed":1,"unprocessed":[]}"#)
                #expect(sandbox.server.profile(identity: "1189549")?["Name"] == "Jack Montana")
            }
        }
    }

    @Test func theCertificateNamesLocalhostToo() async throws {
        try await TestCertificates.with { certificates in
            try await SandboxHarness.with(
                Self.configuration(certificates),
                trusting: certificates.caCertificatePath
            ) { sandbox in
                var request = HTTPClientRequest(url: "https://localhost:\(sandbox.server.port)/sandbox/stats")
                request.method = .GET
                let response = try await sandbox.client.execute(request, timeout: .seconds(10))
                #expect(response.status == .ok)
            }
        }
    }

    @Test func aClientNotTrustingTheCAFailsTheHandshake() async throws {
        try await TestCertificates.with { certificates in
            let stranger = try await TestCertificates.make(commonName: "another test CA")
            defer { stranger.remove() }
            try await SandboxHarness.with(
                Self.configuration(certificates),
                trusting: stranger.caCertificatePath,
                retryingConnections: false
            ) { sandbox in
                let error = await #expect(throws: NIOSSLError.self) {
                    _ = try await sandbox.upload(Records.batch([Records.profile("u1")]))
                }
                #expect(String(describing: error).contains("CERTIFICATE_VERIFY_FAILED"))
                #expect(sandbox.server.stats().requests == 0)
            }
        }
    }

    @Test func refusesClientsBelowTLS12() async throws {
        try await TestCertificates.with { certificates in
            let server = try await SandboxServer.start(Self.configuration(certificates))
            var tls = TLSConfiguration.trusting(certificates.caCertificatePath)
            tls.maximumTLSVersion = .tlsv11
            var clientConfiguration = HTTPClient.Configuration(tlsConfiguration: tls)
            clientConfiguration.connectionPool.retryConnectionEstablishment = false
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
            await #expect(throws: NIOSSLError.self) {
                _ = try await client.execute(
                    HTTPClientRequest(url: server.baseURL + "/sandbox/stats"), timeout: .seconds(10))
            }
            try await client.shutdown()
            try await server.shutdown()
        }
    }

    // MARK: - Configuration errors

    @Test func refusesMissingUnreadableAndNonPEMFiles() async throws {
        try await TestCertificates.with { certificates in
            let directory = certificates.directory
            let garbage = directory + "/garbage.pem"
            try Data("not a certificate\n".utf8).write(to: URL(fileURLWithPath: garbage))
            let cases: [(SandboxTLSFiles, SandboxConfigurationError)] = [
                (
                    SandboxTLSFiles(
                        certificatePath: directory + "/absent.pem", privateKeyPath: certificates.privateKeyPath),
                    .tlsFileNotFound(role: .certificate, path: directory + "/absent.pem")
                ),
                (
                    SandboxTLSFiles(
                        certificatePath: certificates.certificatePath, privateKeyPath: directory + "/absent.key"),
                    .tlsFileNotFound(role: .privateKey, path: directory + "/absent.key")
                ),
                (
                    SandboxTLSFiles(certificatePath: directory, privateKeyPath: certificates.privateKeyPath),
                    .tlsFileUnreadable(role: .certificate, path: directory, reason: "not a regular file")
                ),
                (
                    SandboxTLSFiles(certificatePath: garbage, privateKeyPath: certificates.privateKeyPath),
                    .tlsFileNotPEM(role: .certificate, path: garbage)
                ),
                (
                    // A certificate where the key belongs.
                    SandboxTLSFiles(
                        certificatePath: certificates.certificatePath, privateKeyPath: certificates.certificatePath),
                    .tlsFileNotPEM(role: .privateKey, path: certificates.certificatePath)
                ),
            ]
            for (files, expected) in cases {
                let configuration = SandboxConfiguration(accounts: [SandboxHarness.account], tls: files)
                #expect(throws: expected) { try configuration.validate() }
                await #expect(throws: expected) { _ = try await SandboxServer.start(configuration) }
            }
        }
    }

    @Test func refusesAKeyOfAnotherCertificate() async throws {
        try await TestCertificates.with { certificates in
            let other = try await TestCertificates.make(commonName: "another test CA")
            defer { other.remove() }
            let files = SandboxTLSFiles(
                certificatePath: certificates.certificatePath, privateKeyPath: other.privateKeyPath)
            let expected = SandboxConfigurationError.tlsKeyMismatch(
                certificatePath: certificates.certificatePath,
                privateKeyPath: other.privateKeyPath
            )
            #expect(throws: expected) {
                try SandboxConfiguration(accounts: [SandboxHarness.account], tls: files).validate()
            }
        }
    }

    @Test func errorMessagesNameTheFile() {
        #expect(
            SandboxConfigurationError.tlsFileNotFound(role: .certificate, path: "/x/server.pem").description
                == #"TLS certificate file "/x/server.pem" does not exist"#
        )
        #expect(
            SandboxConfigurationError.tlsFileNotPEM(role: .privateKey, path: "k.pem").description
                == #"TLS private key file "k.pem" is not a PEM private key"#
        )
        #expect(
            SandboxConfigurationError.incompleteTLS(missing: .privateKey).description
                == #"a TLS certificate needs its private key: pass --tls-key ("tls_key") too"#
        )
    }

    @Test func readsTLSPathsFromTheConfigurationFile() throws {
        let configuration = try SandboxConfiguration(
            jsonText: #"{"accounts": ["1:p:in1"], "tls_cert": "/c/server.pem", "tls_key": "/c/server.key"}"#
        )
        #expect(configuration.tls == SandboxTLSFiles(certificatePath: "/c/server.pem", privateKeyPath: "/c/server.key"))
        #expect(try SandboxConfiguration(jsonText: #"{"accounts": ["1:p:in1"]}"#).tls == nil)
        #expect(throws: SandboxConfigurationError.incompleteTLS(missing: .privateKey)) {
            try SandboxConfiguration(jsonText: #"{"tls_cert": "/c/server.pem"}"#)
        }
        #expect(throws: SandboxConfigurationError.incompleteTLS(missing: .certificate)) {
            try SandboxConfiguration(jsonText: #"{"tls_key": "/c/server.key"}"#)
        }
        #expect(throws: SandboxConfigurationError.invalidJSON(#""tls_cert" must be a non-empty string (a file path)"#))
        {
            try SandboxConfiguration(jsonText: #"{"tls_cert": 7, "tls_key": "k"}"#)
        }
    }
}
