import ArgumentParser
import CTSyncSpec

/// `ctsync`: sync warehouse rows into CleverTap from declarative YAML jobs.
@main
struct CTSync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ctsync",
        abstract: "Sync warehouse rows into CleverTap profiles and events from declarative YAML jobs.",
        version: "0.1.0",
        subcommands: [Lint.self, Plan.self, Run.self, Status.self, History.self, State.self, Schema.self]
    )
}

extension DiagnosticFormat: ExpressibleByArgument {}
