import AsyncHTTPClient
import CleverTapContract
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// The production transport: one AsyncHTTPClient per process (one more when a proxy is
/// set, for the hosts `NO_PROXY` exempts), keep-alive connections sized to the account
/// window, a deadline on every request, response bodies capped, TLS 1.2 at least with
/// the system's trust roots plus any `--ca-file`/`SSL_CERT_FILE`.
///
/// A failure is classified by whether the request may have reached the server: the
/// body goes out through a sequence that marks when the client first asks for it,
/// which happens only once a connection is established and the request head written.
/// Before that mark the server cannot have processed the request.
public final class UploadHTTPClient: UploadTransport {
    private let direct: HTTPClient
    private let proxied: HTTPClient?
    private let proxy: ProxySettings?
    /// CleverTap's largest answer is 1000 unprocessed items with record echoes; 16 MiB is ample.
    static let maxResponseBytes = 16 << 20
    /// Connecting (DNS, TCP, proxy tunnel, TLS) to a host that answers takes well under this.
    static let connectTimeout: TimeAmount = .seconds(10)
    /// A CA file larger than this is not a CA file.
    static let maxCAFileBytes = 16 << 20

    public init(
        settings: TransportSettings = TransportSettings(),
        maxConnectionsPerHost: Int = CleverTapRules.maxConcurrentRequests + 1
    ) throws(TransportSetupError) {
        let tls = try Self.tlsConfiguration(caFiles: settings.caFiles)
        proxy = settings.proxy
        direct = HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: Self.configuration(tls: tls, proxy: nil, maxConnectionsPerHost: maxConnectionsPerHost))
        proxied = settings.proxy.map { proxy in
            HTTPClient(
                eventLoopGroupProvider: .singleton,
                configuration: Self.configuration(
                    tls: tls, proxy: proxy, maxConnectionsPerHost: maxConnectionsPerHost))
        }
    }

    public func shutdown() async {
        try? await direct.shutdown()
        try? await proxied?.shutdown()
    }

    // MARK: - Configuration

    /// TLS for CleverTap: certificates verified against the system's roots and the extra
    /// CA files, TLS 1.2 or later (NIOSSL would otherwise accept 1.0).
    static func tlsConfiguration(caFiles: [(path: String, origin: String)]) throws(TransportSetupError)
        -> TLSConfiguration
    {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        tls.certificateVerification = .fullVerification
        for (path, origin) in caFiles {
            tls.additionalTrustRoots.append(.certificates(try loadCertificates(path, origin: origin)))
        }
        return tls
    }

    static func loadCertificates(_ path: String, origin: String) throws(TransportSetupError) -> [NIOSSLCertificate] {
        func failure(_ why: String) -> TransportSetupError {
            TransportSetupError(message: "\(origin) \(path): \(why)")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw failure("no such file")
        }
        if isDirectory.boolValue { throw failure("is a directory; name a PEM file of CA certificates") }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        if size > maxCAFileBytes { throw failure("larger than 16 MiB; this is not a PEM file of CA certificates") }
        guard let data = FileManager.default.contents(atPath: path) else { throw failure("cannot be read") }
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMBytes(Array(data))
        } catch {
            throw failure("not a PEM file of CA certificates (-----BEGIN CERTIFICATE----- blocks)")
        }
        if certificates.isEmpty { throw failure("holds no PEM certificate (-----BEGIN CERTIFICATE----- blocks)") }
        return certificates
    }

    static func configuration(tls: TLSConfiguration, proxy: ProxySettings?, maxConnectionsPerHost: Int)
        -> HTTPClient.Configuration
    {
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.connectionPool = .init(
            idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: maxConnectionsPerHost)
        // A failed connection fails its requests at once, with the reason, instead of
        // holding them until their deadline: the sender retries within a short budget
        // and ends the job when the host stays unreachable.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout = .init(connect: connectTimeout)
        configuration.redirectConfiguration = .disallow
        configuration.httpVersion = .http1Only
        if let proxy {
            let authorization = proxy.username.map {
                HTTPClient.Authorization.basic(username: $0, password: proxy.password ?? "")
            }
            configuration.proxy = .server(host: proxy.host, port: proxy.port, authorization: authorization)
        }
        return configuration
    }

    // MARK: - Sending

    /// POSTs the request; never throws: a missing answer is a classified `TransportFailure`.
    package func send(_ upload: UploadRequest) async -> Result<HTTPReply, TransportFailure> {
        var request = HTTPClientRequest(url: upload.url)
        request.method = .POST
        let mark = DeliveryMark()
        request.body = .stream(MarkedBody(bytes: upload.body, mark: mark), length: .known(Int64(upload.body.count)))
        return await execute(request, headers: upload.headers, timeout: upload.timeout, mark: mark)
    }

    /// GETs `url` (`ctsync check`'s read-only credentials probe); never throws. Without
    /// a body, a failure after connecting counts as reaching the server.
    package func get(url: String, headers: [(String, String)], timeout: Double) async -> Result<
        HTTPReply, TransportFailure
    > {
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        return await execute(request, headers: headers.map { (name: $0.0, value: $0.1) }, timeout: timeout, mark: nil)
    }

    /// `mark` is the body's: nil for a request without one, whose delivery cannot be observed.
    private func execute(
        _ request: HTTPClientRequest, headers: [(name: String, value: String)], timeout: Double, mark: DeliveryMark?
    ) async -> Result<HTTPReply, TransportFailure> {
        let url = request.url
        let throughProxy = proxy.map { $0.applies(to: url) } ?? false
        let client = throughProxy ? (proxied ?? direct) : direct
        var request = request
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let deadline = NIODeadline.now() + .milliseconds(Int64(timeout * 1000))
        do {
            let response = try await client.execute(request, deadline: deadline)
            let retryAfter = response.headers.first(name: "Retry-After").flatMap(UploadHTTPClient.parseRetryAfter)
            var buffer = try await response.body.collect(upTo: UploadHTTPClient.maxResponseBytes)
            let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
            return .success(HTTPReply(status: Int(response.status.code), body: bytes, retryAfter: retryAfter))
        } catch {
            return .failure(
                Self.classify(
                    error, delivered: mark?.isSet, host: Self.host(of: url), proxy: throughProxy ? proxy : nil))
        }
    }

    /// What an error from AsyncHTTPClient means for the request: `delivered` when the
    /// client had started sending its body, nil when it had no body to tell (then only
    /// a failure to connect counts as not sent).
    static func classify(_ error: any Error, delivered: Bool?, host: String, proxy: ProxySettings?) -> TransportFailure
    {
        if error is NIOTooManyBytesError { return .bodyTooLarge }
        if let failure = connectFailure(error, host: host, proxy: proxy) {
            return delivered == true ? .dropped(failure.detail) : .unreachable(failure)
        }
        let delivered = delivered ?? true
        if let error = error as? HTTPClientError,
            error == .deadlineExceeded || error == .readTimeout || error == .writeTimeout
        {
            if delivered { return .timeout }
            // Still waiting for a connection when the deadline passed.
            return .unreachable(
                ConnectFailure(
                    kind: proxy == nil ? .noRoute : .proxy, host: proxy?.display ?? host,
                    detail: "no connection within the request timeout"))
        }
        let detail = describe(error)
        return delivered ? .dropped(detail) : .notDelivered(detail)
    }

    /// The failure to establish a connection `error` reports, if it is one.
    static func connectFailure(_ error: any Error, host: String, proxy: ProxySettings?) -> ConnectFailure? {
        // Through a proxy, the socket connects to the proxy: what fails there is the proxy's.
        func socket(_ kind: ConnectFailure.Kind, _ detail: String) -> ConnectFailure {
            if let proxy { return ConnectFailure(kind: .proxy, host: proxy.display, detail: detail) }
            return ConnectFailure(kind: kind, host: host, detail: detail)
        }
        switch error {
        case let error as NIOConnectionError:
            if error.connectionErrors.isEmpty, error.dnsAError != nil || error.dnsAAAAError != nil {
                return socket(.unresolved, "DNS lookup failed")
            }
            let errors = error.connectionErrors.map(\.error)
            if errors.contains(where: { errno(of: $0) == ECONNREFUSED }) {
                return socket(.refused, "nothing listens on port \(error.port)")
            }
            let detail = errors.first.map(describe) ?? "no address to connect to"
            return socket(.noRoute, "port \(error.port): \(detail)")
        case ChannelError.connectTimeout:
            return socket(.noRoute, "no answer within the connect timeout")
        case let error as HTTPClientError:
            switch error {
            case .connectTimeout: return socket(.noRoute, "no answer within the connect timeout")
            case .tlsHandshakeTimeout: return ConnectFailure(kind: .tlsHandshake, host: host, detail: "timed out")
            case .invalidProxyResponse, .httpProxyHandshakeTimeout, .socksHandshakeTimeout:
                return ConnectFailure(
                    kind: .proxy, host: proxy?.display ?? host,
                    detail:
                        "\(error == .invalidProxyResponse ? "it refused CONNECT to \(host)" : "no answer to CONNECT")")
            case .proxyAuthenticationRequired:
                return ConnectFailure(
                    kind: .proxy, host: proxy?.display ?? host,
                    detail:
                        "it requires authentication (407); check user:password@ in \(proxy?.variable ?? "HTTPS_PROXY")")
            default: return nil
            }
        case let error as NIOSSLError:
            guard case .handshakeFailed(let reason) = error else { return nil }
            let text = "\(reason)"
            if text.contains("CERTIFICATE_VERIFY_FAILED") {
                return ConnectFailure(
                    kind: .certificateNotTrusted, host: host,
                    detail: "that no trusted certificate authority signed, or that is not valid for \(host)")
            }
            return ConnectFailure(kind: .tlsHandshake, host: host, detail: text)
        case let error as NIOSSLExtraError where error == .failedToValidateHostname:
            return ConnectFailure(kind: .certificateNotTrusted, host: host, detail: "that is not valid for \(host)")
        case let error as IOError:
            switch error.errnoCode {
            case ECONNREFUSED: return socket(.refused, describe(error))
            case ENETUNREACH, EHOSTUNREACH, ETIMEDOUT: return socket(.noRoute, describe(error))
            default: return nil
            }
        default:
            return nil
        }
    }

    private static func errno(of error: any Error) -> Int32? {
        (error as? IOError)?.errnoCode
    }

    private static func describe(_ error: any Error) -> String {
        if let error = error as? IOError { return String(cString: strerror(error.errnoCode)) }
        return String(describing: error)
    }

    /// The host of a URL, without brackets, port or credentials.
    static func host(of url: String) -> String {
        Endpoint.hostPart(of: url).lowercased()
    }

    /// `Retry-After` in seconds, or as an HTTP date.
    static func parseRetryAfter(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(trimmed), seconds >= 0 { return min(seconds, 600) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: trimmed) else { return nil }
        return min(max(0, date.timeIntervalSinceNow), 600)
    }
}

/// Set when the HTTP client first asks for a request's body: a connection is
/// established and the head is on its way.
final class DeliveryMark: Sendable {
    private let flag = Atomic<Bool>(false)
    func mark() { flag.store(true, ordering: .releasing) }
    var isSet: Bool { flag.load(ordering: .acquiring) }
}

/// A request body that marks its `DeliveryMark` when read. The bytes become a
/// `ByteBuffer` only then, so the copy lives while it is written, not for the
/// whole request.
struct MarkedBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let bytes: [UInt8]
    let mark: DeliveryMark

    struct AsyncIterator: AsyncIteratorProtocol {
        var bytes: [UInt8]?
        let mark: DeliveryMark

        mutating func next() async -> ByteBuffer? {
            mark.mark()
            guard let bytes else { return nil }
            self.bytes = nil
            return ByteBuffer(bytes: bytes)
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(bytes: bytes, mark: mark) }
}
