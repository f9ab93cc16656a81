import ArgumentParser
import CTSyncSpec
import CTSyncSupport

/// `ctsync`: sync warehouse rows into CleverTap from declarative YAML jobs.
@main
struct CTSync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ctsync",
        abstract: "Sync warehouse rows into CleverTap profiles and events from declarative YAML jobs.",
        discussion: """
            Examples:
              ctsync init --from data/contacts.csv --region in1
              ctsync check jobs/ && ctsync run jobs/
              ctsync plan jobs/ --job crm-profiles
            """,
        version: BuildInfo.description,
        subcommands: [
            Init.self, Lint.self, Check.self, Plan.self, Run.self, Status.self, History.self, State.self, Rules.self,
            Schema.self,
        ]
    )

    /// Marks the process non-dumpable before any command runs (a source command must not
    /// read ctsync's environment through /proc), then runs the command as usual.
    static func main() async {
        ProcessHardening.makeNonDumpable()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}

extension DiagnosticFormat: ExpressibleByArgument {}
