import ArgumentParser
import CTSyncSpec

extension CTSync {
    /// `ctsync rules`: every rule `lint` checks, from the registry.
    struct Rules: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the rules lint checks: id, severity, whether lint --disable can switch it off.",
            discussion: "Exit status: 0, or 64 usage.")

        @Option(name: .long, help: "Output format: text, json or markdown (stdout).")
        var format: RuleCatalog.Format = .text

        func run() async throws {
            Terminal.output(RuleCatalog.render(format), newline: false)
        }
    }
}

extension RuleCatalog.Format: ExpressibleByArgument {}
