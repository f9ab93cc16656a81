/// Where a job's records go: one CleverTap account, in one region, through one base
/// URL. State is kept per job *and* destination, so that rows a run delivered to a
/// sandbox are never taken as delivered to production, or the other way round.
public struct CleverTapDestination: Sendable, Hashable, Codable, CustomStringConvertible {
    public var account: String
    /// The region's code (`in1`…); a string, so that state written by a ctsync that
    /// knows more regions still reads.
    public var region: String
    /// `Endpoint.normalized`: scheme, host, port and path, `{region}` expanded.
    public var endpoint: String

    public init(account: String, region: String, endpoint: String) {
        self.account = account
        self.region = region
        self.endpoint = endpoint
    }

    public init(account: String, region: Region, endpoint: Endpoint) {
        self.init(account: account, region: region.rawValue, endpoint: endpoint.normalized)
    }

    /// Whether records go to CleverTap itself: the region's own API host, not an override.
    public var isProduction: Bool {
        guard let region = Region(rawValue: region) else { return false }
        return endpoint == "https://" + region.host
    }

    /// The host (and a non-default port) records go to.
    public var host: String {
        guard let schemeEnd = endpoint.range(of: "://") else { return endpoint }
        return String(endpoint[schemeEnd.upperBound...].prefix { $0 != "/" })
    }

    /// One line for people: `production CleverTap (account 123, region in1, in1.api.clevertap.com)`
    /// or `endpoint override http://127.0.0.1:9000/in1 (account 123, region in1)`.
    public var description: String {
        isProduction
            ? "production CleverTap (account \(account), region \(region), \(host))"
            : "endpoint override \(endpoint) (account \(account), region \(region); not production CleverTap)"
    }
}
