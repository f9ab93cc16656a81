import Foundation
import Testing

/// Every command's `--help` carries real examples.
@Suite("help")
struct HelpTests {
    /// The subcommands `ctsync --help` lists.
    static func subcommands() async throws -> [String] {
        let help = try await ctsync("--help")
        guard let section = help.stdout.range(of: "SUBCOMMANDS:\n") else { return [] }
        // The section ends at its first blank line; each entry is "  name   abstract".
        let entries = help.stdout[section.upperBound...].split(separator: "\n", omittingEmptySubsequences: false)
            .prefix { !$0.isEmpty }
        return entries.compactMap { line in
            guard line.hasPrefix("  "), !line.hasPrefix("   ") else { return nil }
            return line.split(separator: " ").first.map(String.init)
        }.filter { $0 != "help" }
    }

    @Test func everyCommandHasExamples() async throws {
        let commands = try await Self.subcommands()
        #expect(Set(["init", "lint", "check", "plan", "run", "schema"]).isSubset(of: Set(commands)), "\(commands)")
        for command in [nil] + commands.map(Optional.some) {
            let result = try ctsync(command.map { [$0, "--help"] } ?? ["--help"])
            #expect(result.status == 0)
            let name = command ?? "ctsync"
            guard let examples = result.stdout.range(of: "\nExamples:\n") ?? result.stdout.range(of: "OVERVIEW: Examples:\n")
            else {
                Issue.record("\(name) --help has no Examples: section:\n\(result.stdout)")
                continue
            }
            let lines = result.stdout[examples.upperBound...].split(separator: "\n", omittingEmptySubsequences: false)
                .prefix { $0.hasPrefix("  ctsync ") }
            #expect(lines.count >= 2 && lines.count <= 3, "\(name): \(lines)")
            if let command {
                #expect(lines.allSatisfy { $0 == "  ctsync \(command)" || $0.hasPrefix("  ctsync \(command) ") }, "\(name): \(lines)")
            }
        }
    }
}

/// `ctsync` with an argument array.
func ctsync(_ arguments: [String], environment: [String: String] = [:], directory: String? = nil) throws -> ProcessResult {
    try runProcess(Products.ctsync, arguments, environment: environment, directory: directory)
}
