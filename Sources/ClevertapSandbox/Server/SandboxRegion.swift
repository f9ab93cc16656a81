/// CleverTap's data-center regions, as they appear in `/{region}/1/upload`.
public enum SandboxRegion: String, Sendable, CaseIterable, Codable {
    case in1, sg1, us1, aps3, mec1, eu1, sk1
}
