import Foundation
import NIOSSL
import Testing

@testable import CTSyncUpload

/// Reading the proxy and extra CAs from the environment and options, and the TLS the
/// client is configured with.
@Suite("transport settings")
struct TransportSettingsTests {
    @Test func proxyURLsAsToolsWriteThem() throws {
        let plain = try #require(try ProxySettings.from(environment: ["HTTPS_PROXY": "http://proxy.corp:3128"]))
        #expect(plain.host == "proxy.corp" && plain.port == 3128 && plain.username == nil)
        #expect(plain.variable == "HTTPS_PROXY")
        let bare = try #require(try ProxySettings.from(environment: ["https_proxy": "proxy.corp"]))
        #expect(bare.host == "proxy.corp" && bare.port == 1080 && bare.variable == "https_proxy")
        let secret = try #require(
            try ProxySettings.from(environment: ["HTTPS_PROXY": "http://svc%40corp:p%3Ass@10.0.0.5:8080/"]))
        #expect(secret.username == "svc@corp" && secret.password == "p:ss")
        #expect(secret.host == "10.0.0.5" && secret.port == 8080)
        #expect(secret.display == "10.0.0.5:8080", "credentials never shown")
        let v6 = try #require(try ProxySettings.from(environment: ["HTTPS_PROXY": "http://[::1]:3128"]))
        #expect(v6.host == "::1" && v6.port == 3128 && v6.display == "[::1]:3128")
        // The lowercase variable wins, as in curl; an empty one counts as unset.
        let both = try #require(
            try ProxySettings.from(environment: ["https_proxy": "http://a:1", "HTTPS_PROXY": "http://b:2"]))
        #expect(both.host == "a")
        let emptyLower = try #require(
            try ProxySettings.from(environment: ["https_proxy": "", "HTTPS_PROXY": "http://b:2"]))
        #expect(emptyLower.host == "b")
        #expect(try ProxySettings.from(environment: [:]) == nil)
        #expect(try ProxySettings.from(environment: ["HTTP_PROXY": "http://c:3"]) == nil, "HTTP_PROXY is not read")
    }

    @Test func proxyValuesCtsyncCannotUseAreRefusedByName() {
        for (value, words) in [
            ("socks5://proxy:1080", "scheme socks5://"), ("https://proxy:443", "scheme https://"),
            ("http://proxy:99999", "write it as http://host:port"), ("http://:3128", "write it as http://host:port"),
        ] {
            #expect {
                _ = try ProxySettings.from(environment: ["HTTPS_PROXY": value])
            } throws: { error in
                let message = (error as? TransportSetupError)?.message ?? ""
                return message.hasPrefix("HTTPS_PROXY ") && message.contains(words)
            }
        }
    }

    @Test func noProxyMatchesHostsDomainsAddressesAndBlocks() {
        let list = NoProxyList(" localhost, .internal.example ,*.corp.test, 10.0.0.0/8, 192.168.1.7:8080, [::1] ")
        #expect(list.matches(host: "localhost"))
        #expect(list.matches(host: "internal.example") && list.matches(host: "api.internal.example"))
        #expect(list.matches(host: "x.corp.test") && list.matches(host: "CORP.test"))
        #expect(list.matches(host: "10.20.30.40") && !list.matches(host: "11.0.0.1"))
        #expect(list.matches(host: "192.168.1.7") && !list.matches(host: "192.168.1.8"))
        #expect(list.matches(host: "::1"))
        #expect(!list.matches(host: "in1.api.clevertap.com"))
        #expect(!list.matches(host: "notinternal.example"), "a suffix match is on a dot boundary")
        #expect(NoProxyList("*").matches(host: "anything.example"))
        #expect(!NoProxyList("").matches(host: "anything.example"))
    }

    @Test func theProxyAppliesToHTTPSOnlyAndNotToNoProxyHosts() throws {
        let proxy = try #require(
            try ProxySettings.from(environment: ["HTTPS_PROXY": "http://proxy:3128", "NO_PROXY": "sandbox.test"]))
        #expect(proxy.applies(to: "https://in1.api.clevertap.com/1/upload"))
        #expect(!proxy.applies(to: "https://eu.sandbox.test/1/upload"))
        #expect(!proxy.applies(to: "http://127.0.0.1:9000/in1/1/upload"), "plain http (loopback) never goes through it")
        let lower = try #require(
            try ProxySettings.from(
                environment: ["HTTPS_PROXY": "http://proxy:3128", "no_proxy": "a.test", "NO_PROXY": "b.test"]))
        #expect(lower.noProxy.entries == ["a.test"])
    }

    @Test func caFilesComeFromTheOptionThenSSLCertFile() throws {
        let settings = try TransportSettings.from(
            caFile: "/tmp/one.pem", environment: ["SSL_CERT_FILE": "/tmp/two.pem"])
        #expect(settings.caFiles.map(\.path) == ["/tmp/one.pem", "/tmp/two.pem"])
        #expect(settings.caFiles.map(\.origin) == ["--ca-file", "SSL_CERT_FILE"])
        #expect(try TransportSettings.from(caFile: nil, environment: ["SSL_CERT_FILE": ""]).caFiles.isEmpty)
    }

    @Test func aCAFileThatIsNotPEMIsAUsageErrorNamingIt() async throws {
        let dir = TemporaryDirectory()
        let text = dir.write("notes.txt", "not a certificate\n")
        let cases: [(String, String)] = [
            (dir.path + "/missing.pem", "no such file"), (dir.path, "is a directory"),
            (text, "PEM"),
        ]
        for (path, words) in cases {
            #expect {
                _ = try UploadHTTPClient.tlsConfiguration(caFiles: [(path, "SSL_CERT_FILE")])
            } throws: { error in
                let message = (error as? TransportSetupError)?.message ?? ""
                return message.hasPrefix("SSL_CERT_FILE \(path): ") && message.contains(words)
            }
        }
        dir.write("data.csv", "email,phone\n")
        dir.write("job.yaml", LintFixtureTests.valid)
        let missing = dir.path + "/missing.pem"
        let result = try await ctsync(
            "run", "job.yaml", "--state", dir.path + "/state.sqlite", "--ca-file", missing,
            environment: LintFixtureTests.environment, directory: dir.path)
        #expect(result.status == 64, "\(result.status): \(result.stderr)")
        #expect(result.stderr.contains("--ca-file \(missing): no such file"), "\(result.stderr)")
        let viaEnvironment = try await ctsync(
            "run", "job.yaml", "--state", dir.path + "/state.sqlite",
            environment: LintFixtureTests.environment.merging(["SSL_CERT_FILE": text]) { a, _ in a },
            directory: dir.path)
        #expect(viaEnvironment.status == 64, "\(viaEnvironment.stderr)")
        #expect(viaEnvironment.stderr.contains("SSL_CERT_FILE \(text): "), "\(viaEnvironment.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/state.sqlite"), "nothing opened before the check")
    }

    @Test func tlsIsVerifiedAndAtLeastVersion12() throws {
        let tls = try UploadHTTPClient.tlsConfiguration(caFiles: [])
        #expect(tls.minimumTLSVersion == .tlsv12)
        #expect(tls.certificateVerification == .fullVerification)
        #expect(tls.additionalTrustRoots.isEmpty)
    }
}
