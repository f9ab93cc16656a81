import AsyncHTTPClient
import Foundation
import NIOCore
import NIOSSL
import Testing

@testable import CTSyncUpload

/// How the HTTP client's errors are read: whether the request may have reached the
/// server decides between "not sent" and "possibly duplicated".
@Suite("transport failures")
struct TransportFailureTests {
    static func classify(_ error: any Error, delivered: Bool, proxy: ProxySettings? = nil) -> TransportFailure {
        UploadHTTPClient.classify(error, delivered: delivered, host: "api.example.test", proxy: proxy)
    }

    static func kind(_ failure: TransportFailure) -> ConnectFailure.Kind? {
        guard case .unreachable(let connect) = failure else { return nil }
        return connect.kind
    }

    @Test func aDeadlineIsATimeoutOnlyOnceTheRequestWentOut() {
        #expect(Self.classify(HTTPClientError.deadlineExceeded, delivered: true) == .timeout)
        #expect(Self.classify(HTTPClientError.readTimeout, delivered: true) == .timeout)
        let waiting = Self.classify(HTTPClientError.deadlineExceeded, delivered: false)
        #expect(Self.kind(waiting) == .noRoute)
        #expect(!waiting.mayHaveReachedServer)
    }

    @Test func aClosedConnectionIsDroppedOnlyOnceTheRequestWentOut() {
        let after = Self.classify(HTTPClientError.remoteConnectionClosed, delivered: true)
        guard case .dropped = after else {
            Issue.record("\(after)")
            return
        }
        #expect(after.mayHaveReachedServer)
        let before = Self.classify(HTTPClientError.remoteConnectionClosed, delivered: false)
        guard case .notDelivered = before else {
            Issue.record("\(before)")
            return
        }
        #expect(!before.mayHaveReachedServer)
    }

    @Test func failuresToConnectAreUnreachableAndNameTheHost() {
        #expect(
            Self.kind(Self.classify(IOError(errnoCode: ECONNREFUSED, reason: "connect"), delivered: false)) == .refused)
        #expect(
            Self.kind(Self.classify(IOError(errnoCode: EHOSTUNREACH, reason: "connect"), delivered: false)) == .noRoute)
        #expect(Self.kind(Self.classify(ChannelError.connectTimeout(.seconds(10)), delivered: false)) == .noRoute)
        #expect(Self.kind(Self.classify(HTTPClientError.connectTimeout, delivered: false)) == .noRoute)
        #expect(Self.kind(Self.classify(HTTPClientError.tlsHandshakeTimeout, delivered: false)) == .tlsHandshake)
        #expect(
            Self.kind(Self.classify(NIOSSLError.handshakeFailed(.sslError([])), delivered: false)) == .tlsHandshake)
        let hostname = Self.classify(NIOSSLExtraError.failedToValidateHostname, delivered: false)
        #expect(Self.kind(hostname) == .certificateNotTrusted)
        #expect(hostname.message.contains("certificate not trusted") && hostname.message.contains("api.example.test"))
        guard
            case .unreachable(let refused) = Self.classify(
                IOError(errnoCode: ECONNREFUSED, reason: "c"), delivered: false)
        else { return }
        #expect(refused.host == "api.example.test" && !refused.isPermanent)
    }

    @Test func throughAProxySocketFailuresAreTheProxys() throws {
        let proxy = try #require(try ProxySettings.from(environment: ["HTTPS_PROXY": "http://user:pw@proxy.test:3128"]))
        let refused = Self.classify(IOError(errnoCode: ECONNREFUSED, reason: "connect"), delivered: false, proxy: proxy)
        guard case .unreachable(let failure) = refused else {
            Issue.record("\(refused)")
            return
        }
        #expect(failure.kind == .proxy && failure.host == "proxy.test:3128")
        #expect(!refused.message.contains("pw"), "no credentials in messages")
        let forbidden = Self.classify(HTTPClientError.invalidProxyResponse, delivered: false, proxy: proxy)
        #expect(Self.kind(forbidden) == .proxy)
        #expect(forbidden.message.contains("refused CONNECT to api.example.test"))
        let auth = Self.classify(HTTPClientError.proxyAuthenticationRequired, delivered: false, proxy: proxy)
        #expect(auth.message.contains("407") && auth.message.contains("HTTPS_PROXY"))
        // TLS is end to end through the tunnel: its failures are the endpoint's.
        #expect(
            Self.kind(Self.classify(NIOSSLExtraError.failedToValidateHostname, delivered: false, proxy: proxy))
                == .certificateNotTrusted)
    }

    @Test func anOversizedAnswerMayHaveBeenProcessed() {
        let failure = Self.classify(NIOTooManyBytesError(maxBytes: 16), delivered: true)
        #expect(failure == .bodyTooLarge && failure.mayHaveReachedServer)
    }
}
