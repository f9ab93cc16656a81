import ArgumentParser
import CTSyncReport
import CTSyncSession
import CTSyncSupport
import Foundation

extension CTSync {
    /// `ctsync check`: will a run of these jobs get going? Stores nothing anywhere.
    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check that jobs can run: spec, environment, credentials and region, source, state, lease. Stores nothing.",
            discussion: """
                For each job: the job file is valid; every ${VAR} it uses is set; CleverTap accepts the account ID \
                and passcode on the region's host (one read-only Get User Profile request for an identity that \
                cannot exist; CleverTap answers 401 for wrong credentials and for the wrong region alike); the \
                source file exists and its header (JSONL: its first 100 lines) has every column the job reads; \
                the state is readable and of a schema this ctsync knows; and whether another process holds the \
                job's lease. Nothing is sent to the Upload API and nothing is written to state. A source command \
                runs only with --source, and is stopped once its header is read.

                Text output: one line per check. On a terminal the marks are ✓ ✗ ! -, otherwise (CI logs, \
                pipes) ok FAIL warn skip. Each failure or warning is followed by its fix.

                Exit status: 0 every check passed (warnings and skipped checks allowed), 1 a check failed, \
                2 a job file is invalid, 64 usage.

                Examples:
                  ctsync check jobs/
                  ctsync check jobs/ --job 'crm-*' --source --state postgres://ctsync@db/ctsync
                  ctsync check jobs/order-events.yaml --format json
                """)

        @Argument(help: "Job files, or directories of *.yaml / *.yml job files.")
        var paths: [String]

        @Option(
            name: .customLong("job"),
            help: "Check only the jobs of this name; a glob with * and ?. Repeatable. Other jobs are not validated.")
        var jobs: [String] = []

        @OptionGroup var state: StateOptions

        @Flag(name: .long, help: "Run source commands to read their header (they may be expensive); stopped afterwards.")
        var source = false

        @Option(name: .long, help: "Output format: text or json (stdout).")
        var format: CheckFormat = .text

        enum CheckFormat: String, ExpressibleByArgument, CaseIterable {
            case text, json
        }

        func run() async throws {
            let environment = ProcessInfo.processInfo.environment
            var options = CheckOptions(state: try state.location(environment))
            options.endpointOverride = state.endpoint
            options.runCommands = source
            options.selection = JobSelection(jobs)
            let status = try await Terminal.reporting(command: "check") { () async throws(SessionError) -> ExitStatus in
                let document = try await CheckSession(paths: paths, environment: environment, options: options).run()
                switch format {
                case .text: Terminal.output(CheckRenderer.text(document, unicode: Terminal.stdoutIsTerminal), newline: false)
                case .json: Terminal.output(JSONValue.document(document), newline: false)
                }
                return document.exitStatus
            }
            if status != .success { throw ExitCode(status.rawValue) }
        }
    }
}

/// `ctsync check`'s text: per job a heading, then one line per check with its mark,
/// and the fix under a failure or warning.
enum CheckRenderer {
    static func text(_ document: CheckDocument, unicode: Bool) -> String {
        var out = ""
        for job in document.jobs {
            out += "\(job.name ?? "(unnamed)") (\(job.file))\n"
            let width = CheckKind.allCases.map(\.rawValue.count).max() ?? 0
            for check in job.checks {
                let name = check.check.rawValue.padding(toLength: width, withPad: " ", startingAt: 0)
                out += "  \(mark(check.status, unicode: unicode)) \(name)  \(check.message)\n"
                let indent = String(repeating: " ", count: 2 + markWidth(unicode: unicode) + 1 + width + 2)
                for detail in check.details { out += indent + detail + "\n" }
                if let fix = check.fix, check.status == .failed || check.status == .warning {
                    out += indent + "fix: " + fix + "\n"
                }
            }
        }
        let failed = document.jobs.flatMap(\.checks).count { $0.status == .failed }
        let jobs = document.jobs.count
        let scope = "\(jobs) job\(jobs == 1 ? "" : "s")"
        out += failed == 0 ? "All checks passed (\(scope)).\n" : "\(failed) check\(failed == 1 ? "" : "s") failed (\(scope)).\n"
        return out
    }

    static func mark(_ status: CheckStatus, unicode: Bool) -> String {
        switch (status, unicode) {
        case (.ok, true): "✓"
        case (.failed, true): "✗"
        case (.warning, true): "!"
        case (.skipped, true): "-"
        case (.ok, false): "ok  "
        case (.failed, false): "FAIL"
        case (.warning, false): "warn"
        case (.skipped, false): "skip"
        }
    }

    static func markWidth(unicode: Bool) -> Int { unicode ? 1 : 4 }
}
