import Foundation
import Testing

@testable import CTSyncSupport
@testable import CleverTapContract
@testable import CTSyncSpec
@testable import CTSyncSource
@testable import CTSyncPlan
@testable import CTSyncState
@testable import CTSyncSession

/// Source commands get no secrets they do not need (issue 17, item 2).
@Suite("Source commands and secrets")
struct CommandSecretsTests {
    static let passcode = "pc-7f3e9a1b5d"
    static let statePassword = "st-pw-4c8d2e6f"
    static let pgPassword = "pg-pw-91ab37cd"

    /// A command that records what it can see: its environment, its own command line and
    /// its parent's (ctsync's) environment, then prints one row.
    static let spyCommand =
        #"env > seen-env.txt; tr '\0' ' ' < /proc/$$/cmdline > seen-cmdline.txt; "#
        + #"cat /proc/$PPID/environ > seen-parent-env.txt 2>/dev/null; echo "pass=${CLEVERTAP_PASSCODE}" > seen-echo.txt; "#
        + #"printf 'email\nann@example.com\n'"#

    static func job(command: String = spyCommand, env: String? = nil, passcodeVariable: String = "CLEVERTAP_PASSCODE") -> String {
        """
        version: 1
        name: spy
        destination: { region: in1, account_id: "${CLEVERTAP_ACCOUNT_ID}", passcode: "${\(passcodeVariable)}" }
        source:
          command: '\(command.replacingOccurrences(of: "'", with: "''"))'
          format: csv
        \(env.map { "  env: \($0)" } ?? "")
        object: profiles
        mappings:
          - { from: email, to: identity }
        """
    }

    static var environment: [String: String] {
        [
            "CLEVERTAP_ACCOUNT_ID": "123", "CLEVERTAP_PASSCODE": passcode, "CTSYNC_STATE_PASSWORD": statePassword,
            "PGPASSWORD": pgPassword, "SAME_SECRET_OTHER_NAME": passcode, "WAREHOUSE_URL": "postgres://wh@db/wh",
        ]
    }

    struct Seen {
        var environment: String
        var commandLine: String
        var parentEnvironment: String
        var echo: String
        /// What the command sees of itself.
        var ownView: String { environment + commandLine + echo }
        var all: String { ownView + parentEnvironment }
    }

    static func seen(_ dir: TemporaryDirectory) -> Seen {
        Seen(
            environment: dir.read("seen-env.txt"), commandLine: dir.read("seen-cmdline.txt"),
            parentEnvironment: dir.read("seen-parent-env.txt"), echo: dir.read("seen-echo.txt"))
    }

    // MARK: The binary

    @Test func planCommandSeesNoPasscodeAndNoStatePassword() async throws {
        let dir = TemporaryDirectory()
        let job = dir.write("job.yaml", Self.job())
        let result = try await ctsync("plan", job, "--state", dir.path + "/state.sqlite", environment: Self.environment)
        #expect(result.status == 0, "\(result.stderr)")
        let seen = Self.seen(dir)
        #expect(seen.environment.contains("WAREHOUSE_URL=postgres://wh@db/wh"), "the command still gets the rest")
        #expect(seen.environment.contains("PGPASSWORD=\(Self.pgPassword)"), "not the state's password here (SQLite)")
        #expect(!seen.ownView.contains(Self.passcode))
        #expect(!seen.ownView.contains(Self.statePassword))
        #expect(!seen.environment.contains("CLEVERTAP_PASSCODE"))
        #expect(!seen.environment.contains("CLEVERTAP_ACCOUNT_ID"))
        #expect(!seen.environment.contains("SAME_SECRET_OTHER_NAME"), "withheld by value too")
        // No substitution into the command line: the shell expanded the variable, unset.
        #expect(seen.commandLine.contains("pass=${CLEVERTAP_PASSCODE}"))
        #expect(seen.echo == "pass=\n")
    }

    /// ctsync is not dumpable: a command (another process of the same user) cannot read
    /// ctsync's environment through /proc. Root can read any process's; as root, the
    /// test runs ctsync as `nobody` through setpriv(1).
    @Test func commandCannotReadCtsyncsEnvironment() async throws {
        let dir = TemporaryDirectory()
        let job = dir.write("job.yaml", Self.job())
        var executable = Products.ctsync
        var arguments = ["plan", job, "--state", dir.path + "/state.sqlite"]
        if geteuid() == 0 {
            let setpriv = try #require(
                ["/usr/bin/setpriv", "/bin/setpriv"].first { FileManager.default.isExecutableFile(atPath: $0) },
                "running as root without setpriv(1): cannot test /proc access as an ordinary user")
            chmod(dir.path, 0o777)
            arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", executable] + arguments
            executable = setpriv
        }
        let result = try runProcess(executable, arguments, environment: Self.environment)
        #expect(result.status == 0, "\(result.stderr)")
        let seen = Self.seen(dir)
        #expect(seen.environment.contains("WAREHOUSE_URL="), "the command ran")
        #expect(seen.parentEnvironment.isEmpty, "the command read ctsync's environment")
        #expect(!seen.all.contains(Self.passcode))
    }

    @Test func runCommandSeesNoPasscode() async throws {
        try await RunFixture.with() { fixture in
            let job = fixture.dir.write("job.yaml", Self.job())
            var environment = Self.environment
            environment["CLEVERTAP_PASSCODE"] = fixture.passcode
            environment["SAME_SECRET_OTHER_NAME"] = fixture.passcode
            let (result, report) = try await fixture.run(job, environment: environment)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(report.counts.succeeded == 1)
            let seen = Self.seen(fixture.dir)
            #expect(!seen.environment.isEmpty)
            #expect(!seen.ownView.contains(fixture.passcode))
            #expect(!seen.ownView.contains(Self.statePassword))
        }
    }

    @Test func sourceEnvPassesNamedVariables() async throws {
        let dir = TemporaryDirectory()
        let job = dir.write("job.yaml", Self.job(env: "[CLEVERTAP_PASSCODE, CTSYNC_STATE_PASSWORD]"))
        let result = try await ctsync("plan", job, "--state", dir.path + "/state.sqlite", environment: Self.environment)
        #expect(result.status == 0, "\(result.stderr)")
        let seen = Self.seen(dir)
        #expect(seen.environment.contains("CLEVERTAP_PASSCODE=\(Self.passcode)"))
        #expect(seen.environment.contains("CTSYNC_STATE_PASSWORD=\(Self.statePassword)"))
        #expect(seen.echo == "pass=\(Self.passcode)\n")
        #expect(!seen.environment.contains("CLEVERTAP_ACCOUNT_ID"))
        // Still never on the command line.
        #expect(!seen.commandLine.contains(Self.passcode))
    }

    @Test(.enabled(if: PostgresTestDatabase.isConfigured, PostgresTestDatabase.skipMessage))
    func postgresStatePasswordFromPGPASSWORDIsWithheld() async throws {
        let database = try await PostgresTestDatabase()
        let dir = TemporaryDirectory()
        let job = dir.write("job.yaml", Self.job())
        var environment = Self.environment
        environment["CTSYNC_STATE_PASSWORD"] = nil
        let result = try await runProcessDetached(
            Products.ctsync, ["plan", job, "--state", database.url], environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        let seen = Self.seen(dir)
        #expect(!seen.environment.isEmpty)
        #expect(!seen.environment.contains("PGPASSWORD"), "ctsync used PGPASSWORD for the state")
        #expect(!seen.ownView.contains(Self.pgPassword))
        #expect(!seen.ownView.contains(Self.passcode))

        // Passed explicitly: the job says the command needs it.
        dir.write("job.yaml", Self.job(env: "[PGPASSWORD]"))
        let passed = try await runProcessDetached(
            Products.ctsync, ["plan", job, "--state", database.url], environment: environment)
        #expect(passed.status == 0, "\(passed.stderr)")
        #expect(Self.seen(dir).environment.contains("PGPASSWORD=\(Self.pgPassword)"))
    }

    // MARK: The library

    @Test func environmentRules() async throws {
        let dir = TemporaryDirectory()
        let spec = try PlannerTests.job(dir, Self.job(env: "[WAREHOUSE_PASSWORD]", passcodeVariable: "CLEVERTAP_PASSCODE"))
        #expect(spec.destination.secretVariables == ["CLEVERTAP_ACCOUNT_ID", "CLEVERTAP_PASSCODE"])
        #expect(spec.source.passedVariables.map(\.value) == ["WAREHOUSE_PASSWORD"])
        let environment = [
            "CLEVERTAP_ACCOUNT_ID": "123", "CLEVERTAP_PASSCODE": "secret", "CTSYNC_STATE_PASSWORD": "state-secret",
            "COPY": "secret", "SHLVL": "1", "WAREHOUSE_PASSWORD": "wh", "PATH": "/bin",
        ]
        let made = CommandEnvironment.make(for: spec, from: environment)
        // COPY holds the passcode's value.
        #expect(made == ["SHLVL": "1", "WAREHOUSE_PASSWORD": "wh", "PATH": "/bin"])
        // Values shorter than 6 bytes are matched by name only.
        #expect(CommandEnvironment.withholding(["A": "12345", "B": "12345"], names: ["A"], values: ["12345"], except: []) == ["B": "12345"])
        let byValue = CommandEnvironment.withholding(
            ["A": "state-secret", "B": "other", "PGPASSWORD": "state-secret"], names: ["PGPASSWORD"],
            values: ["state-secret"], except: ["A"])
        #expect(byValue == ["A": "state-secret", "B": "other"])

        let postgres = try StateLocation(
            parsing: "postgres://u@db.example.com/d", environment: ["PGPASSWORD": "pg-secret-1"])
        #expect(postgres.commandSecrets.names == ["PGPASSWORD"])
        #expect(postgres.commandSecrets.values == ["pg-secret-1"])
        let preferred = try StateLocation(
            parsing: "postgres://u@db.example.com/d", environment: ["PGPASSWORD": "a", "CTSYNC_STATE_PASSWORD": "b"])
        #expect(preferred.commandSecrets.names == ["CTSYNC_STATE_PASSWORD"])
        #expect(StateLocation.sqlite(path: "x").commandSecrets.names.isEmpty)
    }

    /// `ctsync run jobs/` with jobs of two accounts: no command gets either passcode.
    @Test func commandsGetNoOtherJobsSecrets() async throws {
        let dir = TemporaryDirectory()
        dir.write("a.yaml", Self.job(passcodeVariable: "PASS_A").replacingOccurrences(of: "name: spy", with: "name: a"))
        dir.write("b.yaml", Self.job(passcodeVariable: "PASS_B").replacingOccurrences(of: "name: spy", with: "name: b"))
        let environment = ["CLEVERTAP_ACCOUNT_ID": "1", "PASS_A": "passcode-of-a", "PASS_B": "passcode-of-b", "KEEP": "k"]
        let jobs = try JobSet.prepare(paths: [dir.path], environment: environment, endpointOverride: nil)
        #expect(jobs.map(\.name) == ["a", "b"])
        for job in jobs {
            #expect(job.spec.source.commandEnvironment == ["KEEP": "k"], "\(job.name)")
        }
    }

    @Test func commandsAreNotInterpolated() async throws {
        let dir = TemporaryDirectory()
        let spec = try PlannerTests.job(
            dir, Self.job(command: #"psql "${WAREHOUSE_URL}" -c "select $${HOME}, $UNSET_BUT_FINE, ${NOT_SET_EITHER}""#))
        guard case .command(let command) = spec.source.input else {
            Issue.record("not a command")
            return
        }
        #expect(command.value == #"psql "${WAREHOUSE_URL}" -c "select ${HOME}, $UNSET_BUT_FINE, ${NOT_SET_EITHER}""#)
        // An unset variable in a command is the shell's business: no finding, even for run.
        let loaded = JobLoader.load(path: dir.path + "/job.yaml", environment: PlannerTests.environment, unsetVariableSeverity: .error)
        #expect(loaded.diagnostics.isEmpty, "\(loaded.diagnostics)")
    }

    @Test func lintChecksSourceEnv() async throws {
        let dir = TemporaryDirectory()
        let path = dir.write("job.yaml", Self.job(env: #"[PGPASSWORD, "1BAD", "has space", [x]]"#))
        let result = Linter(environment: PlannerTests.environment).lint(files: [path])
        let findings = result.diagnostics.filter { $0.rule == .invalidEnvName }
        #expect(findings.count == 3)
        #expect(findings.allSatisfy { $0.severity == .error && $0.mark.line == 7 })
        #expect(findings.first?.message == #""1BAD" is not an environment variable name (letters, digits and _, not starting with a digit)"#)

        dir.write("job.yaml", Self.job(env: "PGPASSWORD"))
        #expect(Linter(environment: [:]).lint(files: [path]).diagnostics.contains { $0.rule == .invalidType && $0.mark.line == 7 })

        dir.write(
            "job.yaml",
            Self.job().replacingOccurrences(of: "  command: '", with: "  file: x.csv\n  #'").replacingOccurrences(
                of: "  format: csv\n", with: "  env: [A]\n"))
        let fileSource = Linter(environment: PlannerTests.environment).lint(files: [path])
        #expect(fileSource.diagnostics.contains { $0.rule == .envWithoutCommand && $0.severity == .warning })
    }

    @Test func lintWarnsWhenACommandReadsAWithheldVariable() async throws {
        let dir = TemporaryDirectory()
        let path = dir.write("job.yaml", Self.job(command: #"curl -u "x:$CLEVERTAP_PASSCODE" https://wh; echo ${CTSYNC_STATE_PASSWORD}"#))
        let findings = Linter(environment: PlannerTests.environment).lint(files: [path]).diagnostics.filter {
            $0.rule == .withheldVariable
        }
        #expect(findings.count == 2)
        #expect(findings.allSatisfy { $0.severity == .warning })
        #expect(findings.first?.message.contains("source.env: [CLEVERTAP_PASSCODE]") == true)
        dir.write(
            "job.yaml", Self.job(command: #"curl -u "x:$CLEVERTAP_PASSCODE" https://wh"#, env: "[CLEVERTAP_PASSCODE]"))
        #expect(
            !Linter(environment: PlannerTests.environment).lint(files: [path]).diagnostics.contains {
                $0.rule == .withheldVariable
            })
    }

    @Test func shellReferences() {
        #expect(
            Interpolation.shellReferences(in: #"a $FOO ${BAR:-x} $$ $1 ${_9a} $"#) == ["FOO", "BAR", "_9a"])
    }
}
