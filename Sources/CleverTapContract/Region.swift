/// CleverTap's data-centre regions.
public enum Region: String, Sendable, CaseIterable, Codable {
    case in1, sg1, us1, aps3, mec1, eu1, sk1

    /// The Upload API host for the region (`eu1` is CleverTap's original, unprefixed host).
    public var host: String {
        self == .eu1 ? "api.clevertap.com" : "\(rawValue).api.clevertap.com"
    }
}
