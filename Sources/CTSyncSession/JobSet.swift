import CTSyncSpec
import CTSyncSupport
import CTSyncYAML
import CleverTapContract

/// The jobs a command works on: files and directories expanded, the jobs `--job`
/// selects picked out by name, and those loaded and linted before any of them
/// touches a source, state or CleverTap.
public enum JobSet {
    /// Loads the jobs at `paths` for `plan` or `run`: unset variables are errors, and
    /// any load or lint error in a selected job stops every job. Jobs that `selection`
    /// leaves out are not validated: a broken job elsewhere in the folder does not stop
    /// the one asked for.
    ///
    /// The passcode goes only to CleverTap: an endpoint to a host that is neither
    /// CleverTap's nor loopback is refused (exit 2) unless the operator names the host in
    /// `CTSYNC_ALLOW_ENDPOINTS` in `environment`; one from the job file is reported with
    /// its place in the file.
    ///
    /// - Parameters:
    ///   - endpointOverride: `--endpoint`; else `CTSYNC_ENDPOINT` from `environment`,
    ///     else the job's `destination.endpoint`, else the region's CleverTap host.
    ///   - selection: `--job` patterns; every job when empty.
    public static func prepare(
        paths: [String], environment: [String: String], endpointOverride: String?,
        selection: JobSelection = .all
    ) throws(SessionError) -> [PreparedJob] {
        let loaded = try load(paths: paths, environment: environment, unsetVariableSeverity: .error, selection: selection)
        var errors: [Diagnostic] = []
        var sources: [String: SourceText] = [:]
        var specs: [JobSpec] = []
        for job in loaded {
            let fileErrors = findings(job, environment: environment, endpointOverride: endpointOverride)
                .filter { $0.severity == .error }
            if let spec = job.spec, fileErrors.isEmpty {
                specs.append(spec)
            } else {
                errors += fileErrors
                if let source = job.source { sources[job.path] = source }
            }
        }
        guard errors.isEmpty else { throw .invalidSpecs(errors: Diagnostic.sorted(errors), sources: sources) }
        try checkDistinctNames(specs.map(\.name.value))
        var jobs: [PreparedJob] = []
        for spec in withCommandEnvironments(specs, environment: environment) {
            jobs.append(
                PreparedJob(spec: spec, endpoint: try endpoint(for: spec, environment: environment, override: endpointOverride)))
        }
        return jobs
    }

    /// Every finding about a loaded job: its load findings, the lint rules, and, unless the
    /// operator overrides the endpoint, the endpoint rules of its `destination.endpoint`.
    static func findings(_ job: LoadedJob, environment: [String: String], endpointOverride: String?) -> [Diagnostic] {
        var diagnostics = job.diagnostics
        if let spec = job.spec {
            diagnostics += Linter.rules(for: spec)
            if (endpointOverride ?? environment["CTSYNC_ENDPOINT"]) == nil {
                diagnostics += Linter.endpointRules(for: spec, allowList: EndpointAllowList(environment: environment))
            }
        }
        return diagnostics
    }

    /// The specs with the environment their source commands get: none of the secrets of
    /// any job of the set (jobs of two accounts may read their passcodes from different
    /// variables).
    static func withCommandEnvironments(_ specs: [JobSpec], environment: [String: String]) -> [JobSpec] {
        let secretNames = specs.flatMap(\.destination.secretVariables)
        let secretValues = specs.map(\.destination.passcode.value)
        return specs.map { spec in
            var spec = spec
            spec.source.commandEnvironment = CommandEnvironment.make(
                for: spec, from: environment, withholdingNames: secretNames, values: secretValues)
            return spec
        }
    }

    /// The job files at `paths`, each read and decoded (not linted), keeping only the
    /// jobs `selection` names. A pattern that matches no job is a usage error listing
    /// the names there are.
    public static func load(
        paths: [String], environment: [String: String], unsetVariableSeverity: Severity, selection: JobSelection
    ) throws(SessionError) -> [LoadedJob] {
        let files = try expand(paths)
        let all = files.map {
            JobLoader.load(path: $0, environment: environment, unsetVariableSeverity: unsetVariableSeverity)
        }
        guard !selection.isEmpty else { return all }
        let names = all.map(declaredName)
        for pattern in selection.patterns where !names.contains(where: { $0.map(pattern.matches) ?? false }) {
            var message = "--job \(pattern.text) matches no job in \(paths.joined(separator: ", "))"
            let known = names.compactMap { $0 }
            message += known.isEmpty ? "; no job there has a readable name" : "; jobs: \(known.joined(separator: ", "))"
            let unnamed = zip(all, names).filter { $0.1 == nil }.map(\.0.path)
            if !unnamed.isEmpty {
                message += " (the name of \(unnamed.joined(separator: ", ")) cannot be read: run ctsync lint on it)"
            }
            throw .usage(message)
        }
        return zip(all, names).filter { _, name in name.map(selection.matches) ?? false }.map(\.0)
    }

    /// The job's `name:` as written, even when the rest of the file does not decode.
    static func declaredName(_ job: LoadedJob) -> String? {
        if let spec = job.spec { return spec.name.value }
        guard let source = job.source, let root = try? YAMLLoader.load(source),
            let scalar = root["name"]?.scalar, !scalar.value.isEmpty
        else { return nil }
        return scalar.value
    }

    /// Names key state and reports: two jobs of one command must not share one.
    static func checkDistinctNames(_ names: [String]) throws(SessionError) {
        if let duplicate = names.first(where: { name in names.count { $0 == name } > 1 }) {
            throw .duplicateJobName(duplicate)
        }
    }

    /// Where the job's records go: `--endpoint`, else `CTSYNC_ENDPOINT`, else the job's
    /// `destination.endpoint`, else its region's host; a host outside CleverTap's, loopback
    /// and `CTSYNC_ALLOW_ENDPOINTS` is refused.
    static func endpoint(
        for spec: JobSpec, environment: [String: String], override endpointOverride: String?
    ) throws(SessionError) -> Endpoint {
        let operatorEndpoint = endpointOverride ?? environment["CTSYNC_ENDPOINT"]
        let override = operatorEndpoint ?? spec.destination.endpoint?.value
        do {
            return try Endpoint(
                region: spec.destination.region.value, override: override,
                allowList: EndpointAllowList(environment: environment))
        } catch {
            if error.disallowedHost != nil {
                let origin =
                    endpointOverride != nil
                    ? "--endpoint" : operatorEndpoint != nil ? "CTSYNC_ENDPOINT" : "destination.endpoint"
                throw .endpointNotAllowed(job: spec.name.value, origin: origin, message: error.message)
            }
            throw .usage("\(spec.name.value): \(error)")
        }
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
