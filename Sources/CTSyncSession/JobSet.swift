import CTSyncSpec
import CTSyncSupport
import CTSyncYAML
import CleverTapContract

/// The jobs a command works on: files and directories expanded, every job loaded
/// and linted before any of them touches a source, state or CleverTap.
public enum JobSet {
    /// Loads the jobs at `paths` for `plan` or `run`: unset variables are errors, and
    /// any load or lint error stops every job.
    ///
    /// The passcode goes only to CleverTap: an endpoint to a host that is neither
    /// CleverTap's nor loopback is refused (exit 2) unless the operator names the host in
    /// `CTSYNC_ALLOW_ENDPOINTS` in `environment`; one from the job file is reported with
    /// its place in the file.
    ///
    /// - Parameters:
    ///   - endpointOverride: `--endpoint`; else `CTSYNC_ENDPOINT` from `environment`,
    ///     else the job's `destination.endpoint`, else the region's CleverTap host.
    public static func prepare(
        paths: [String], environment: [String: String], endpointOverride: String?
    ) throws(SessionError) -> [PreparedJob] {
        let files = try expand(paths)
        let allowList = EndpointAllowList(environment: environment)
        let operatorEndpoint = endpointOverride ?? environment["CTSYNC_ENDPOINT"]
        var errors: [Diagnostic] = []
        var sources: [String: SourceText] = [:]
        var specs: [JobSpec] = []
        for file in files {
            let loaded = JobLoader.load(path: file, environment: environment, unsetVariableSeverity: .error)
            var diagnostics = loaded.diagnostics
            if let spec = loaded.spec {
                diagnostics += Linter.rules(for: spec)
                if operatorEndpoint == nil { diagnostics += Linter.endpointRules(for: spec, allowList: allowList) }
            }
            let fileErrors = diagnostics.filter { $0.severity == .error }
            if let spec = loaded.spec, fileErrors.isEmpty {
                specs.append(spec)
            } else {
                errors += fileErrors
                if let source = loaded.source { sources[loaded.path] = source }
            }
        }
        guard errors.isEmpty else { throw .invalidSpecs(errors: Diagnostic.sorted(errors), sources: sources) }
        let names = specs.map(\.name.value)
        if let duplicate = names.first(where: { name in names.count { $0 == name } > 1 }) {
            throw .duplicateJobName(duplicate)
        }
        // A command gets none of the secrets of any job of the set: jobs of two accounts
        // may read their passcodes from different variables.
        let secretNames = specs.flatMap(\.destination.secretVariables)
        let secretValues = specs.map(\.destination.passcode.value)
        var jobs: [PreparedJob] = []
        for var spec in specs {
            let override = operatorEndpoint ?? spec.destination.endpoint?.value
            let endpoint: Endpoint
            do {
                endpoint = try Endpoint(region: spec.destination.region.value, override: override, allowList: allowList)
            } catch {
                if error.disallowedHost != nil {
                    let origin =
                        endpointOverride != nil
                        ? "--endpoint" : operatorEndpoint != nil ? "CTSYNC_ENDPOINT" : "destination.endpoint"
                    throw .endpointNotAllowed(job: spec.name.value, origin: origin, message: error.message)
                }
                throw .usage("\(spec.name.value): \(error)")
            }
            spec.source.commandEnvironment = CommandEnvironment.make(
                for: spec, from: environment, withholdingNames: secretNames, values: secretValues)
            jobs.append(PreparedJob(spec: spec, endpoint: endpoint))
        }
        return jobs
    }

    /// The job files named by `paths` (directories expanded to their `*.yaml`/`*.yml`
    /// files); a usage error when a path names nothing or no file is found.
    public static func expand(_ paths: [String]) throws(SessionError) -> [String] {
        let files: [String]
        do {
            files = try JobLoader.expand(paths)
        } catch {
            throw .usage("\(error)")
        }
        guard !files.isEmpty else {
            throw .usage("no job files (*.yaml, *.yml) in \(paths.joined(separator: ", "))")
        }
        return files
    }
}
