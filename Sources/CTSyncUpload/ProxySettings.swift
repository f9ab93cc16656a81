import Foundation

/// The HTTPS proxy from the environment, as curl and most tools read it:
/// `https_proxy` (or `HTTPS_PROXY`) names an HTTP proxy that tunnels with `CONNECT`,
/// `no_proxy` (or `NO_PROXY`) lists hosts reached directly. Plain `http://` endpoints
/// (loopback only) never go through a proxy.
public struct ProxySettings: Sendable, Equatable {
    public var host: String
    public var port: Int
    /// `user:password`, percent-decoded, for `Proxy-Authorization: Basic`.
    public var username: String?
    public var password: String?
    public var noProxy: NoProxyList
    /// The variable the proxy came from, for messages.
    public var variable: String

    /// The proxy the environment names, nil when none; throws for a value ctsync cannot use.
    public static func from(environment: [String: String]) throws(TransportSetupError) -> ProxySettings? {
        let variable = ["https_proxy", "HTTPS_PROXY"].first {
            !(environment[$0] ?? "").trimmingCharacters(in: .whitespaces).isEmpty
        }
        guard let variable, let value = environment[variable]?.trimmingCharacters(in: .whitespaces) else { return nil }
        var proxy = try parse(value, variable: variable)
        let noProxy = environment["no_proxy"].flatMap { $0.isEmpty ? nil : $0 } ?? environment["NO_PROXY"] ?? ""
        proxy.noProxy = NoProxyList(noProxy)
        return proxy
    }

    /// Parses `[http://][user[:password]@]host[:port][/]`; the port defaults to 1080, as curl's does.
    static func parse(_ value: String, variable: String) throws(TransportSetupError) -> ProxySettings {
        var rest = Substring(value)
        if let scheme = rest.range(of: "://") {
            let name = rest[..<scheme.lowerBound].lowercased()
            guard name == "http" else {
                throw TransportSetupError(
                    message: """
                        \(variable) uses the scheme \(name)://; ctsync supports HTTP proxies that tunnel with CONNECT \
                        (http://host:port)
                        """)
            }
            rest = rest[scheme.upperBound...]
        }
        while rest.hasSuffix("/") { rest = rest.dropLast() }
        var username: String?
        var password: String?
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = credentials.firstIndex(of: ":") {
                username = String(credentials[..<colon]).removingPercentEncoding ?? String(credentials[..<colon])
                let secret = credentials[credentials.index(after: colon)...]
                password = String(secret).removingPercentEncoding ?? String(secret)
            } else {
                username = String(credentials).removingPercentEncoding ?? String(credentials)
            }
        }
        var host = rest
        var port = 1080
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw invalid(variable) }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if after.hasPrefix(":") {
                guard let number = Int(after.dropFirst()), (1...65535).contains(number) else { throw invalid(variable) }
                port = number
            } else if !after.isEmpty {
                throw invalid(variable)
            }
        } else if let colon = rest.lastIndex(of: ":") {
            host = rest[..<colon]
            guard let number = Int(rest[rest.index(after: colon)...]), (1...65535).contains(number) else {
                throw invalid(variable)
            }
            port = number
        }
        guard !host.isEmpty, !host.contains("/") else { throw invalid(variable) }
        return ProxySettings(
            host: String(host), port: port, username: username, password: password, noProxy: NoProxyList(""),
            variable: variable)
    }

    private static func invalid(_ variable: String) -> TransportSetupError {
        TransportSetupError(message: "\(variable) is not a proxy URL ctsync understands; write it as http://host:port")
    }

    /// The proxy for display: host and port, never the credentials.
    public var display: String { "\(host.contains(":") ? "[\(host)]" : host):\(port)" }

    /// Whether a request to `url` goes through the proxy.
    public func applies(to url: String) -> Bool {
        guard url.lowercased().hasPrefix("https://") else { return false }
        return !noProxy.matches(host: UploadHTTPClient.host(of: url))
    }
}

/// `NO_PROXY`: hosts reached without the proxy. Entries are separated by commas or
/// spaces: `*` (every host), a host name that also covers its subdomains (a leading
/// `.` or `*.` is allowed), an IP address, or an IPv4 CIDR block (`10.0.0.0/8`); a
/// `:port` suffix is ignored.
public struct NoProxyList: Sendable, Equatable {
    public private(set) var entries: [String]

    public init(_ text: String) {
        entries = text.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" }).compactMap { raw in
            var entry = raw.trimmingCharacters(in: .whitespaces).lowercased()
            if entry.hasPrefix("*.") { entry.removeFirst(2) }
            while entry.hasPrefix(".") { entry.removeFirst() }
            if entry.hasPrefix("["), let close = entry.firstIndex(of: "]") {
                entry = String(entry[entry.index(after: entry.startIndex)..<close])
            } else if entry.filter({ $0 == ":" }).count == 1, let colon = entry.firstIndex(of: ":") {
                entry = String(entry[..<colon])
            }
            return entry.isEmpty ? nil : entry
        }
    }

    public func matches(host: String) -> Bool {
        let host = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "."))
        for entry in entries {
            if entry == "*" || host == entry || host.hasSuffix("." + entry) { return true }
            if let (network, bits) = Self.cidr(entry), let address = Self.ipv4(host),
                bits == 0 || address >> (32 - bits) == network >> (32 - bits)
            {
                return true
            }
        }
        return false
    }

    private static func cidr(_ entry: String) -> (UInt32, UInt32)? {
        let parts = entry.split(separator: "/")
        guard parts.count == 2, let network = ipv4(String(parts[0])), let bits = UInt32(parts[1]), bits <= 32 else {
            return nil
        }
        return (network, bits)
    }

    private static func ipv4(_ text: String) -> UInt32? {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return nil }
        var value: UInt32 = 0
        for octet in octets {
            guard let byte = UInt8(octet) else { return nil }
            value = value << 8 | UInt32(byte)
        }
        return value
    }
}
