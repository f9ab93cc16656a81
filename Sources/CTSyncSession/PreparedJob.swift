import CTSyncSpec
import CTSyncState
import CleverTapContract
import Foundation

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

    /// The job with `state`'s password (and the variable it came from) withheld from its
    /// source command too, unless `source.env` passes it.
    public func withholdingSecrets(of state: StateLocation) -> PreparedJob {
        var job = self
        job.spec = Self.withholding(spec, secretsOf: state)
        return job
    }

    /// `spec` with `state`'s password withheld from its source command (`withholdingSecrets`).
    static func withholding(_ spec: JobSpec, secretsOf state: StateLocation) -> JobSpec {
        let secrets = state.commandSecrets
        guard !secrets.names.isEmpty || !secrets.values.isEmpty else { return spec }
        var spec = spec
        let environment =
            spec.source.commandEnvironment
            ?? CommandEnvironment.make(for: spec, from: ProcessInfo.processInfo.environment)
        spec.source.commandEnvironment = CommandEnvironment.withholding(
            environment, names: secrets.names, values: secrets.values,
            except: spec.source.passedVariables.map(\.value))
        return spec
    }
}
