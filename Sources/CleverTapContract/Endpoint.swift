import Foundation

/// Where upload requests go: the region's CleverTap host, or an override
/// (`destination.endpoint`, `--endpoint`, `CTSYNC_ENDPOINT`) that may contain `{region}`.
public struct Endpoint: Sendable, Hashable {
    /// Base URL without a trailing slash; requests go to `<base>/1/upload`.
    public let base: String

    /// - Parameters:
    ///   - override: a base URL to use instead of the region's host.
    ///   - allowList: hosts besides CleverTap's and loopback that the operator lets the
    ///     passcode go to; an override to any other host is refused.
    public init(region: Region, override: String?, allowList: EndpointAllowList = EndpointAllowList()) throws(EndpointError) {
        guard let override, !override.isEmpty else {
            base = "https://\(region.host)"
            return
        }
        if let problem = Endpoint.problem(with: override) { throw EndpointError(message: problem) }
        let url = Endpoint.resolve(override, region: region)
        if let host = Endpoint.disallowedHost(in: url, allowList: allowList) {
            throw EndpointError(message: Endpoint.disallowedHostMessage(url: override, host: host), disallowedHost: host)
        }
        base = url
    }

    /// An override with `{region}` replaced and no trailing slash.
    public static func resolve(_ override: String, region: Region) -> String {
        var url = override.replacingOccurrences(of: "{region}", with: region.rawValue)
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }

    /// The upload URL.
    public var uploadURL: String { base + "/1/upload" }

    /// Why an override URL is unacceptable, or nil: only `https://`, or `http://` to a loopback host.
    public static func problem(with url: String) -> String? {
        let lowered = url.lowercased()
        let isHTTPS = lowered.hasPrefix("https://")
        guard isHTTPS || lowered.hasPrefix("http://") else {
            return "endpoint \"\(url)\" must be an https:// URL (or http:// to a loopback address)"
        }
        let host = hostPart(of: url)
        if host.isEmpty { return "endpoint \"\(url)\" has no host" }
        let ambiguous = "endpoint \"\(url)\" is not a plain URL (scheme://host[:port][/path]); its host is ambiguous"
        // Parsers disagree about backslashes (a path separator for browsers, not for RFC 3986).
        if url.unicodeScalars.contains(where: { $0 == "\\" || $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F }) {
            return ambiguous
        }
        // The host checked here must be the one the HTTP client connects to: a URL whose
        // host Foundation's parser reads differently (percent-encoding, stray `[`) is refused.
        let sample = url.replacingOccurrences(of: "{region}", with: Region.in1.rawValue)
        guard let parsed = URLComponents(string: sample)?.host,
            normalizedHost(parsed.trimmingCharacters(in: CharacterSet(charactersIn: "[]")))
                == normalizedHost(host.replacingOccurrences(of: "{region}", with: Region.in1.rawValue))
        else {
            return ambiguous
        }
        if !isHTTPS && !isLoopback(host) {
            return "endpoint \"\(url)\" uses plain http:// to a non-loopback host; the passcode would travel unencrypted, so only https:// is allowed there"
        }
        return nil
    }

    // MARK: Who may receive the passcode

    /// The host of `url` (`{region}` already replaced) when the passcode must not go there: not CleverTap's
    /// (`clevertap.com` and its subdomains), not loopback, and not in `allowList`.
    /// Nil when the host is acceptable (or `url` has none: ``problem(with:)`` reports that).
    public static func disallowedHost(in url: String, allowList: EndpointAllowList) -> String? {
        let host = normalizedHost(hostPart(of: url))
        guard !host.isEmpty else { return nil }
        if isCleverTapHost(host) || isLoopback(host) || allowList.hosts.contains(host) { return nil }
        return host
    }

    /// CleverTap's own hosts: `clevertap.com` and every name under it (each region's
    /// `*.api.clevertap.com`).
    public static func isCleverTapHost(_ host: String) -> Bool {
        let host = normalizedHost(host)
        return host == "clevertap.com" || host.hasSuffix(".clevertap.com")
    }

    /// Why an endpoint to `host` is refused, and how an operator allows it.
    public static func disallowedHostMessage(url: String, host: String) -> String {
        "endpoint \"\(url)\" would send the CleverTap passcode to \(host), which is neither CleverTap's "
            + "(*.clevertap.com) nor loopback; a job file cannot allow that. If the host is yours (a proxy or "
            + "gateway), allow it where ctsync runs, outside the job: \(EndpointAllowList.variable)=\(host)"
    }

    /// Lowercased, without a trailing dot (`API.CleverTap.com.` is `api.clevertap.com`).
    static func normalizedHost(_ host: String) -> String {
        var host = host.lowercased()
        while host.hasSuffix(".") { host.removeLast() }
        return host
    }

    package static func hostPart(of url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return "" }
        var rest = url[schemeEnd.upperBound...]
        if let end = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) { rest = rest[..<end] }
        if let at = rest.lastIndex(of: "@") { rest = rest[rest.index(after: at)...] }
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { return "" }
            return String(rest[rest.index(after: rest.startIndex)..<close])
        }
        if let colon = rest.firstIndex(of: ":") { rest = rest[..<colon] }
        return String(rest)
    }

    static func isLoopback(_ host: String) -> Bool {
        let host = host.lowercased()
        if host == "localhost" || host == "::1" || host.hasSuffix(".localhost") { return true }
        let octets = host.split(separator: ".")
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }
}

/// An endpoint override that ctsync refuses.
public struct EndpointError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    /// Set when the URL is well formed but its host may not receive the passcode.
    public let disallowedHost: String?

    public init(message: String, disallowedHost: String? = nil) {
        self.message = message
        self.disallowedHost = disallowedHost
    }

    public var description: String { message }
}

/// Hosts other than CleverTap's and loopback that the operator lets the passcode go to
/// (a company proxy, an API gateway): `CTSYNC_ALLOW_ENDPOINTS=host[,host]` in the
/// environment of the process, never in a job file, so that a pull request that
/// changes `destination.endpoint` cannot redirect the passcode on its own.
public struct EndpointAllowList: Sendable, Equatable {
    /// The environment variable an operator sets.
    public static let variable = "CTSYNC_ALLOW_ENDPOINTS"

    /// Lowercased host names, without a trailing dot.
    public let hosts: Set<String>

    public init(hosts: some Sequence<String> = []) {
        self.hosts = Set(hosts.map(Endpoint.normalizedHost).filter { !$0.isEmpty })
    }

    /// The list in `environment[CTSYNC_ALLOW_ENDPOINTS]`: host names separated by commas
    /// or white space (`collector.example.net, gw.example.org`).
    public init(environment: [String: String]) {
        let text = environment[Self.variable] ?? ""
        self.init(hosts: text.split { $0 == "," || $0 == " " || $0 == "\t" || $0 == "\n" }.map(String.init))
    }
}
