import Foundation

/// Where upload requests go: the region's CleverTap host, or an override
/// (`destination.endpoint`, `--endpoint`, `CTSYNC_ENDPOINT`) that may contain `{region}`.
public struct Endpoint: Sendable, Hashable {
    /// Base URL without a trailing slash; requests go to `<base>/1/upload`.
    public let base: String

    public init(region: Region, override: String?) throws(EndpointError) {
        guard let override, !override.isEmpty else {
            base = "https://\(region.host)"
            return
        }
        if let problem = Endpoint.problem(with: override) { throw EndpointError(message: problem) }
        var url = override.replacingOccurrences(of: "{region}", with: region.rawValue)
        while url.hasSuffix("/") { url.removeLast() }
        base = url
    }

    /// The upload URL.
    public var uploadURL: String { base + "/1/upload" }

    /// Why an override URL is unacceptable, or nil: only `https://`, or `http://` to a loopback host.
    public static func problem(with url: String) -> String? {
        let lowered = url.lowercased()
        if lowered.hasPrefix("https://") {
            return hostPart(of: url).isEmpty ? "endpoint \"\(url)\" has no host" : nil
        }
        guard lowered.hasPrefix("http://") else {
            return "endpoint \"\(url)\" must be an https:// URL (or http:// to a loopback address)"
        }
        let host = hostPart(of: url)
        if host.isEmpty { return "endpoint \"\(url)\" has no host" }
        if !isLoopback(host) {
            return "endpoint \"\(url)\" uses plain http:// to a non-loopback host; the passcode would travel unencrypted, so only https:// is allowed there"
        }
        return nil
    }

    static func hostPart(of url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return "" }
        var rest = url[schemeEnd.upperBound...]
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
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
    public var description: String { message }
}
