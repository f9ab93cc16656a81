import ArgumentParser
import CTSyncSpec
import CTSyncSupport

/// `ctsync`: sync warehouse rows into CleverTap from declarative YAML jobs.
@main
struct CTSync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ctsync",
        abstract: "Sync warehouse rows into CleverTap profiles and events from declarative YAML jobs.",
        version: BuildInfo.description,
        subcommands: [Lint.self, Plan.self, Run.self, Schema.self]
    )
}

extension DiagnosticFormat: ExpressibleByArgument {}
