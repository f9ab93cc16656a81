/// Reads a proxy request head and decides: tunnel to a loopback target, or refuse.
///
/// Only the request line matters (`CONNECT host:port HTTP/1.1`); headers such
/// as `Host` or `Proxy-Authorization` are ignored. A target is allowed when it is
/// written as an IPv4 address in `127.0.0.0/8`, `::1` or `localhost`: names are
/// never resolved, so nothing the proxy does can reach another machine.
enum ConnectRequest {
    /// The largest request head read; a larger one is refused as malformed.
    static let maxHeadBytes = 8 << 10

    /// `head` is the request up to, not including, the blank line.
    static func decide(head: String) -> Result<ProxyTunnel, ProxyRefusal> {
        let requestLine = head.split(separator: "\r\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        let parts = requestLine.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[2] == "HTTP/1.1" || parts[2] == "HTTP/1.0" else { return .failure(.malformed) }
        guard parts[0] == "CONNECT" else { return .failure(.methodNotAllowed(method: String(parts[0]))) }
        let authority = String(parts[1])
        guard let target = target(authority) else { return .failure(.malformed) }
        guard isLoopback(target.host) else { return .failure(.notLoopback(target: authority)) }
        return .success(target)
    }

    /// `host:port` or `[v6]:port`, the port in `1...65535`.
    static func target(_ authority: String) -> ProxyTunnel? {
        let host: Substring
        let portText: Substring
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let rest = authority[authority.index(after: close)...]
            guard rest.hasPrefix(":") else { return nil }
            portText = rest.dropFirst()
        } else {
            guard let colon = authority.lastIndex(of: ":") else { return nil }
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
            guard !host.contains(":") else { return nil }
        }
        guard !host.isEmpty, !portText.isEmpty, portText.allSatisfy(\.isASCII), portText.count <= 5,
            let port = Int(portText), (1...65535).contains(port)
        else { return nil }
        return ProxyTunnel(host: String(host), port: port)
    }

    /// `localhost`, `::1` or a dotted-quad IPv4 address whose first octet is 127.
    static func isLoopback(_ host: String) -> Bool {
        if host.lowercased() == "localhost" || host == "::1" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return false }
        let values = octets.map { octet -> Int? in
            guard (1...3).contains(octet.count), octet.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            return Int(octet).flatMap { (0...255).contains($0) ? $0 : nil }
        }
        return values.allSatisfy { $0 != nil } && values[0] == 127
    }
}
