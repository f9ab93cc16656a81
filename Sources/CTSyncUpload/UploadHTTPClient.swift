import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import CleverTapContract

/// What came back for one request: a status and a capped body.
struct HTTPReply: Sendable {
    var status: Int
    var body: [UInt8]
    /// Seconds from a `Retry-After` header, when the server sent one.
    var retryAfter: Double?
}

/// A request that got no HTTP answer.
enum TransportFailure: Error, Sendable, Equatable {
    /// No answer within the deadline: the server may or may not have processed it.
    case timeout
    /// The connection failed or closed; `afterSend` when the request may have reached the server.
    case connection(String)
    case bodyTooLarge

    /// The reason records report when retries run out on this failure.
    var reason: RejectReason {
        switch self {
        case .timeout: .timeout
        case .connection: .connectionError
        case .bodyTooLarge: .responseTooLarge
        }
    }

    var message: String {
        switch self {
        case .timeout: "no response within the request timeout"
        case .connection(let detail): "connection failed: \(detail)"
        case .bodyTooLarge: "response body larger than the cap"
        }
    }
}

/// One AsyncHTTPClient per process: keep-alive connections sized to the account
/// window, a deadline on every request, response bodies capped.
public final class UploadHTTPClient: Sendable {
    private let client: HTTPClient
    /// CleverTap's largest answer is 1000 unprocessed items with record echoes; 16 MiB is ample.
    static let maxResponseBytes = 16 << 20

    public init(maxConnectionsPerHost: Int = CleverTapRules.maxConcurrentRequests + 1) {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(
            idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: maxConnectionsPerHost)
        configuration.timeout = .init(connect: .seconds(10))
        configuration.redirectConfiguration = .disallow
        configuration.httpVersion = .http1Only
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public func shutdown() async {
        try? await client.shutdown()
    }

    /// POSTs `body`; never throws: a missing answer is a `TransportFailure`.
    func post(url: String, headers: [(String, String)], body: [UInt8], timeout: Double) async -> Result<
        HTTPReply, TransportFailure
    > {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let deadline = NIODeadline.now() + .milliseconds(Int64(timeout * 1000))
        do {
            let response = try await client.execute(request, deadline: deadline)
            let retryAfter = response.headers.first(name: "Retry-After").flatMap(UploadHTTPClient.parseRetryAfter)
            var buffer = try await response.body.collect(upTo: UploadHTTPClient.maxResponseBytes)
            let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
            return .success(HTTPReply(status: Int(response.status.code), body: bytes, retryAfter: retryAfter))
        } catch let error as HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .writeTimeout: return .failure(.timeout)
            default: return .failure(.connection("\(error)"))
            }
        } catch is NIOTooManyBytesError {
            return .failure(.bodyTooLarge)
        } catch {
            return .failure(.connection("\(error)"))
        }
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
