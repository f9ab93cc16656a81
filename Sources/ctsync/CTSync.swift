import ArgumentParser
import CTSyncSpec

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
        version: "0.1.0",
        subcommands: [Init.self, Lint.self, Check.self, Plan.self, Run.self, Schema.self]
    )
}

extension DiagnosticFormat: ExpressibleByArgument {}
