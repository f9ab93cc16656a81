import CTSyncMapping
import CTSyncPlan
import CTSyncReport
import CTSyncSource
import CTSyncSpec
import CTSyncState
import CTSyncSupport
import CTSyncUpload
import CTSyncYAML
import CleverTapContract
import Foundation

/// One `ctsync check`: for each job, whether a run would get going — its spec, its
/// environment variables, its credentials and region, its source, its state and its
/// lease — without storing anything in CleverTap or in state.
///
/// Credentials are checked with a read-only request to CleverTap's documented Get User
/// Profile API for an identity that cannot exist: CleverTap answers 401 for wrong
/// credentials and for the wrong region alike, and anything else means it accepted
/// them. Never an upload with CleverTap's undocumented `dryRun`: were it not honoured,
/// the records would be stored.
public struct CheckSession: Sendable {
    public let paths: [String]
    public let environment: [String: String]
    public var options: CheckOptions

    public init(paths: [String], environment: [String: String], options: CheckOptions) {
        self.paths = paths
        self.environment = environment
        self.options = options
    }

    /// Checks every selected job; a usage error (no such path, a `--job` that matches
    /// nothing) is thrown, everything else is a check result.
    public func run() async throws(SessionError) -> CheckDocument {
        let loaded = try JobSet.load(
            paths: paths, environment: environment, unsetVariableSeverity: .warning, selection: options.selection)
        let names = loaded.map(JobSet.declaredName)
        // The same CA files and proxy as a run (SSL_CERT_FILE, HTTPS_PROXY, NO_PROXY).
        let client: UploadHTTPClient
        do {
            client = try UploadHTTPClient(
                settings: TransportSettings.from(caFile: nil, environment: environment), maxConnectionsPerHost: 1)
        } catch {
            throw .usage(error.message)
        }
        let state = StateProbe(location: options.state)
        var credentials: [CredentialsKey: CheckResult] = [:]
        let first = zip(loaded, names).map { job, name in
            specChecks(job, duplicateName: name.map { name in names.count { $0 == name } > 1 } ?? false)
        }
        // Source commands get none of the secrets of any valid job checked, nor the state's, as in a run.
        let valid = zip(loaded, first).compactMap { job, checks in checks.0.status == .failed ? nil : job.spec }
        var ready: [String: JobSpec] = [:]
        for spec in JobSet.withCommandEnvironments(valid, environment: environment) {
            ready[spec.file] = PreparedJob.withholding(spec, secretsOf: options.state)
        }
        var jobs: [JobCheck] = []
        for ((job, name), (specCheck, environmentCheck)) in zip(zip(loaded, names), first) {
            var checks = [specCheck, environmentCheck]
            guard let spec = job.spec.flatMap({ ready[$0.file] }), specCheck.status != .failed else {
                for kind in CheckKind.allCases.dropFirst(2) {
                    checks.append(CheckResult(kind, .skipped, "not checked: the job file is invalid"))
                }
                jobs.append(JobCheck(name: name, file: job.path, checks: checks))
                continue
            }
            let unset = Self.unsetVariables(job.diagnostics)

            // Credentials and region.
            let destinationMarks = [
                spec.destination.region.mark, spec.destination.accountID.mark, spec.destination.passcode.mark,
            ] + (spec.destination.endpoint.map { [$0.mark] } ?? [])
            if let missing = unset.first(where: { destinationMarks.contains($0.mark) }) {
                checks.append(
                    CheckResult(.credentials, .skipped, "not checked: \(missing.variable) is not set"))
            } else {
                do {
                    let endpoint = try JobSet.endpoint(
                        for: spec, environment: environment, override: options.endpointOverride)
                    let key = CredentialsKey(
                        base: endpoint.base, account: spec.destination.accountID.value,
                        passcode: spec.destination.passcode.value)
                    if let known = credentials[key] {
                        checks.append(known)
                    } else {
                        let result = await CredentialsProbe(client: client).check(
                            endpoint: endpoint, region: spec.destination.region.value, account: key.account,
                            passcode: key.passcode, timeout: spec.options.requestTimeout)
                        credentials[key] = result
                        checks.append(result)
                    }
                } catch {
                    checks.append(
                        CheckResult(
                            .credentials, .failed, "not checked: \(error.message)",
                            fix: "fix --endpoint, CTSYNC_ENDPOINT or destination.endpoint, or name the host in CTSYNC_ALLOW_ENDPOINTS"))
                }
            }

            // Source.
            let sourceMarks: [Mark] =
                switch spec.source.input {
                case .file(let written, _): [written.mark]
                case .command(let command): [command.mark]
                }
            if let missing = unset.first(where: { sourceMarks.contains($0.mark) }) {
                checks.append(CheckResult(.source, .skipped, "not checked: \(missing.variable) is not set"))
            } else {
                checks.append(SourceProbe.check(spec, runCommands: options.runCommands))
            }

            // State and lease.
            let endpoint = try? JobSet.endpoint(for: spec, environment: environment, override: options.endpointOverride)
            let key = JobKey(
                name: spec.name.value,
                destination: endpoint.map {
                    CleverTapDestination(
                        account: spec.destination.accountID.value, region: spec.destination.region.value, endpoint: $0)
                })
            checks += await state.check(job: key)
            jobs.append(JobCheck(name: name, file: job.path, checks: checks))
        }
        await state.close()
        await client.shutdown()
        return CheckDocument(jobs: jobs)
    }

    // MARK: Spec and environment

    /// The spec check (errors other than unset variables) and the environment check
    /// (unset variables), from the job's findings.
    private func specChecks(_ job: LoadedJob, duplicateName: Bool) -> (CheckResult, CheckResult) {
        let findings = JobSet.findings(job, environment: environment, endpointOverride: options.endpointOverride)
        let errors = Diagnostic.sorted(findings.filter { $0.severity == .error })
        let warnings = findings.count { $0.severity == .warning && $0.rule != .unsetVariable }
        let spec: CheckResult
        if !errors.isEmpty || job.spec == nil {
            spec = CheckResult(
                .spec, .failed, target: job.path,
                "\(errors.count) error\(errors.count == 1 ? "" : "s") in the job file",
                fix: "fix the job file; `ctsync lint \(job.path)` shows each finding on its line",
                details: errors.map(Self.line))
        } else if duplicateName, let name = job.spec?.name.value {
            spec = CheckResult(
                .spec, .failed, target: job.path, "another job given here is also named \"\(name)\"",
                fix: "give each job its own name: names key state and reports")
        } else {
            let note = warnings == 0 ? "" : " (\(warnings) warning\(warnings == 1 ? "" : "s"): see `ctsync lint`)"
            spec = CheckResult(.spec, .ok, target: job.path, "valid" + note)
        }
        let unset = Self.unsetVariables(job.diagnostics)
        let environment: CheckResult
        if unset.isEmpty {
            environment = CheckResult(.environment, .ok, "every ${VAR} the job uses is set")
        } else {
            var names: [String] = []
            for entry in unset where !names.contains(entry.variable) { names.append(entry.variable) }
            environment = CheckResult(
                .environment, .failed, "not set: \(names.joined(separator: ", "))",
                fix: "export \(names.joined(separator: ", ")) (in CI, from the secret store)",
                details: unset.map { Self.line($0.diagnostic) })
        }
        return (spec, environment)
    }


    private struct UnsetVariable {
        var variable: String
        var mark: Mark
        var diagnostic: Diagnostic
    }

    private static func unsetVariables(_ diagnostics: [Diagnostic]) -> [UnsetVariable] {
        diagnostics.compactMap { d in
            guard d.rule == .unsetVariable,
                let name = d.message.split(separator: " ").dropFirst(2).first
            else { return nil }
            return UnsetVariable(variable: String(name), mark: d.mark, diagnostic: d)
        }
    }

    /// `file:line:col: error: message [rule]`.
    static func line(_ d: Diagnostic) -> String {
        "\(d.mark.file):\(d.mark.line):\(d.mark.column): \(d.severity.rawValue): \(d.message) [\(d.rule)]"
    }

    /// Jobs of one account share a credentials check.
    private struct CredentialsKey: Hashable {
        var base: String
        var account: String
        var passcode: String
    }
}

/// The settings of one `ctsync check` that are not in the job files.
public struct CheckOptions: Sendable {
    public var state: StateLocation
    /// `--endpoint`; else `CTSYNC_ENDPOINT`, else the job's, else the region's host.
    public var endpointOverride: String?
    /// `--source`: run source commands to read their header (they may be expensive).
    public var runCommands = false
    /// `--job`.
    public var selection = JobSelection.all

    public init(state: StateLocation) {
        self.state = state
    }
}

extension CheckDocument {
    /// The exit status `ctsync check` gives: 2 when a job file is invalid, 1 when another
    /// check failed, 0 otherwise (warnings and skipped checks included).
    public var exitStatus: ExitStatus {
        var status = ExitStatus.success
        for job in jobs {
            for check in job.checks where check.status == .failed {
                status = status.combined(with: check.check == .spec ? .invalidSpec : .failure)
            }
        }
        return status
    }
}
