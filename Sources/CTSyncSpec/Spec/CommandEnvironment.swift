/// The environment a source command runs with: ctsync's own, minus the secrets ctsync
/// holds for other ends. A job's command is changed by pull requests like the rest of
/// the job; it has no business with the CleverTap passcode or the state password, so
/// it gets them only when the job lists them in `source.env`.
///
/// Withheld, unless `source.env` names them:
/// - the variables the job's `destination.account_id` and `passcode` read (and those of
///   every other job run by the same command);
/// - `CTSYNC_STATE_PASSWORD`, and the variable the PostgreSQL state password came from
///   (`PGPASSWORD` when ctsync used it);
/// - any other variable holding the passcode's or the state password's value (CI
///   systems often export one secret under several names).
public enum CommandEnvironment {
    /// Withheld from every command: ctsync's state password.
    public static let statePasswordVariable = "CTSYNC_STATE_PASSWORD"

    /// Secret values shorter than this are not matched by value: a short value would
    /// withhold unrelated variables (`SHLVL=1`) and protects little.
    static let minimumValueLength = 6

    /// The variable names withheld from `spec`'s command, before `source.env`.
    public static func withheldNames(for spec: JobSpec) -> [String] {
        spec.destination.secretVariables + [statePasswordVariable]
    }

    /// `environment` without what `spec`'s command must not see.
    ///
    /// - Parameters:
    ///   - names: more variable names to withhold (the state password's variable).
    ///   - values: more secret values to withhold wherever they appear (the state password).
    public static func make(
        for spec: JobSpec, from environment: [String: String], withholdingNames names: [String] = [],
        values: [String] = []
    ) -> [String: String] {
        withholding(
            environment, names: withheldNames(for: spec) + names, values: [spec.destination.passcode.value] + values,
            except: spec.source.passedVariables.map(\.value))
    }

    /// `environment` without the variables in `names` or holding one of `values`, except
    /// those in `passed`.
    public static func withholding(
        _ environment: [String: String], names: [String], values: [String], except passed: [String]
    ) -> [String: String] {
        let keep = Set(passed)
        let names = Set(names)
        let values = Set(values.filter { $0.utf8.count >= minimumValueLength })
        return environment.filter { name, value in
            keep.contains(name) || !(names.contains(name) || values.contains(value))
        }
    }
}
