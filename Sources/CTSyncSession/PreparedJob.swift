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
        let secrets = state.commandSecrets
        guard !secrets.names.isEmpty || !secrets.values.isEmpty else { return self }
        var job = self
        let environment =
            spec.source.commandEnvironment
            ?? CommandEnvironment.make(for: spec, from: ProcessInfo.processInfo.environment)
        job.spec.source.commandEnvironment = CommandEnvironment.withholding(
            environment, names: secrets.names, values: secrets.values,
            except: spec.source.passedVariables.map(\.value))
        return job
    }
}
