/// Why the ``ConnectProxy`` answered a request with an error and closed the connection.
enum ProxyRefusal: Error, Equatable, Sendable {
    /// A method other than `CONNECT`: 405.
    case methodNotAllowed(method: String)
    /// A request head that is not `CONNECT host:port HTTP/1.x`, or too large: 400.
    case malformed
    /// A target off this machine: 403, so a test can never tunnel anywhere else.
    case notLoopback(target: String)
    /// A loopback target that refused the connection or did not answer in time: 502.
    case unreachable(ProxyTunnel)

    /// The whole answer: status line and headers, no body.
    var responseHead: String {
        let status: String
        var headers = "Content-Length: 0\r\nConnection: close\r\n"
        switch self {
        case .methodNotAllowed:
            status = "405 Method Not Allowed"
            headers += "Allow: CONNECT\r\n"
        case .malformed: status = "400 Bad Request"
        case .notLoopback: status = "403 Forbidden"
        case .unreachable: status = "502 Bad Gateway"
        }
        return "HTTP/1.1 \(status)\r\n\(headers)\r\n"
    }
}
