import CTSyncSpec
import CleverTapContract

/// A job checked and ready for `plan` or `run`: its spec (every variable set, no lint
/// error) and where its records go.
public struct PreparedJob: Sendable {
    public var spec: JobSpec
    public var endpoint: Endpoint

    public var name: String { spec.name.value }

    public init(spec: JobSpec, endpoint: Endpoint) {
        self.spec = spec
        self.endpoint = endpoint
    }
}
