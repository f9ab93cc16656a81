import CleverTapContract

/// Sends one upload request and answers what came back: the seam under `BatchSender`.
///
/// `UploadHTTPClient` is the real one (AsyncHTTPClient over HTTPS); tests script one,
/// so retries, backoff, splitting and the mapping of answers to records run fast and
/// exactly, while the real-HTTP tests against the sandbox keep the client honest.
package protocol UploadTransport: Sendable {
    /// Sends `request` within its timeout. Never throws: a missing answer is a
    /// `TransportFailure` that says whether the request may have reached the server.
    func send(_ request: UploadRequest) async -> Result<HTTPReply, TransportFailure>
}

/// One POST: the body goes to `url` with `headers`, abandoned after `timeout` seconds.
package struct UploadRequest: Sendable {
    package var url: String
    package var headers: [(name: String, value: String)]
    package var body: [UInt8]
    package var timeout: Double

    package init(url: String, headers: [(name: String, value: String)], body: [UInt8], timeout: Double) {
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }
}

/// What came back for one request: a status and a capped body.
package struct HTTPReply: Sendable, Equatable {
    package var status: Int
    package var body: [UInt8]
    /// Seconds from a `Retry-After` header, when the server sent one.
    package var retryAfter: Double?

    package init(status: Int, body: [UInt8], retryAfter: Double? = nil) {
        self.status = status
        self.body = body
        self.retryAfter = retryAfter
    }
}

/// A request that got no HTTP answer, classified by whether the server may have
/// processed it: only a request that may have reached the server counts as sent, and
/// only such a request, unanswered, can have stored its records twice.
package enum TransportFailure: Error, Sendable, Equatable {
    /// No connection could be made (DNS, refused, no route, TLS handshake, proxy): nothing was sent.
    case unreachable(ConnectFailure)
    /// A connection was made but failed before the request's body went out: the server
    /// cannot have processed it.
    case notDelivered(String)
    /// Sent, and no answer within the deadline: the server may have processed it.
    case timeout
    /// Sent, and the connection closed or failed without an answer: the server may have processed it.
    case dropped(String)
    /// Answered with a body larger than the cap: processed, outcome unknown.
    case bodyTooLarge

    /// Whether the server may have received the whole request (and so processed it).
    package var mayHaveReachedServer: Bool {
        switch self {
        case .timeout, .dropped, .bodyTooLarge: true
        case .unreachable, .notDelivered: false
        }
    }

    /// The reason records report when retries run out on this failure.
    package var reason: RejectReason {
        switch self {
        case .timeout: .timeout
        case .unreachable, .notDelivered, .dropped: .connectionError
        case .bodyTooLarge: .responseTooLarge
        }
    }

    package var message: String {
        switch self {
        case .unreachable(let failure): failure.description
        case .notDelivered(let detail): "the connection failed before the request was sent: \(detail)"
        case .timeout: "no response within the request timeout"
        case .dropped(let detail): "the connection failed after the request was sent, without an answer: \(detail)"
        case .bodyTooLarge: "response body larger than the cap"
        }
    }
}

/// Why no connection to the endpoint (or its proxy) could be made.
package struct ConnectFailure: Sendable, Equatable, CustomStringConvertible {
    package enum Kind: Sendable, Equatable {
        /// The host name does not resolve.
        case unresolved
        /// The host answered the connection with a refusal (nothing listens on the port).
        case refused
        /// No route, unreachable network, or no answer to the connection within the connect timeout.
        case noRoute
        /// The server's certificate is not signed by a trusted authority (or not for this host).
        case certificateNotTrusted
        /// The TLS handshake failed for another reason (protocol version, cipher, a closed connection).
        case tlsHandshake
        /// The proxy refused the tunnel or could not be reached.
        case proxy
    }

    package var kind: Kind
    /// The host ctsync tried to reach (the endpoint's, or the proxy's for `.proxy`).
    package var host: String
    /// What the network stack said, for the curious.
    package var detail: String

    package init(kind: Kind, host: String, detail: String) {
        self.kind = kind
        self.host = host
        self.detail = detail
    }

    /// Whether waiting can help: an untrusted certificate stays untrusted.
    package var isPermanent: Bool { kind == .certificateNotTrusted }

    package var description: String {
        switch kind {
        case .unresolved: "cannot resolve host \(host) (\(detail))"
        case .refused: "connection to \(host) refused (\(detail))"
        case .noRoute: "cannot connect to \(host) (\(detail))"
        case .certificateNotTrusted: "certificate not trusted: \(host) presented a TLS certificate \(detail)"
        case .tlsHandshake: "TLS handshake with \(host) failed (\(detail))"
        case .proxy: "the proxy \(host) did not open a tunnel: \(detail)"
        }
    }
}
