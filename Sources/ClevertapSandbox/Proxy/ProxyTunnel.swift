/// A tunnel the ``ConnectProxy`` opened: the `CONNECT` target as the client wrote it.
public struct ProxyTunnel: Sendable, Hashable, CustomStringConvertible {
    /// `127.0.0.1`, another `127.x.y.z`, `localhost` or `::1`.
    public let host: String
    public let port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// `host:port`, with an IPv6 host in brackets (`[::1]:443`).
    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// The address the proxy dials: `localhost` is `127.0.0.1`, so no name is
    /// ever looked up.
    var dialHost: String {
        host.lowercased() == "localhost" ? "127.0.0.1" : host
    }
}
