extension Endpoint {
    /// The base URL in one spelling a destination can be compared by: scheme and host
    /// lowercased, the scheme's default port dropped, user info, query and fragment
    /// dropped, no trailing slash (`{region}` is already expanded in `base`).
    /// `HTTPS://In1.API.CleverTap.com:443/` and `https://in1.api.clevertap.com` are one destination.
    public var normalized: String {
        guard let schemeEnd = base.range(of: "://") else { return base }
        let scheme = base[..<schemeEnd.lowerBound].lowercased()
        var rest = Substring(base[schemeEnd.upperBound...])
        for cut in ["#", "?"] {
            if let index = rest.firstIndex(of: Character(cut)) { rest = rest[..<index] }
        }
        var authority = rest
        var path = Substring("")
        if let slash = rest.firstIndex(of: "/") {
            authority = rest[..<slash]
            path = rest[slash...]
        }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        var host = authority
        var port: Substring?
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            host = authority[...close]
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") { port = after.dropFirst() }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            port = authority[authority.index(after: colon)...]
        }
        var text = scheme + "://" + host.lowercased()
        let defaultPort: Substring? = scheme == "https" ? "443" : scheme == "http" ? "80" : nil
        if let port, !port.isEmpty, port != defaultPort { text += ":" + port }
        while path.hasSuffix("/") { path = path.dropLast() }
        return text + path
    }

    /// The host (and a port other than the scheme's default) records go to, for messages.
    public var hostAndPort: String {
        let normalized = self.normalized
        guard let schemeEnd = normalized.range(of: "://") else { return normalized }
        let rest = normalized[schemeEnd.upperBound...]
        return String(rest.prefix { $0 != "/" })
    }
}
