import ArgumentParser
import Foundation
import CTSyncPlan
import CTSyncSpec
import CTSyncState
import CTSyncSupport
import CleverTapContract

extension CTSync {
    /// `ctsync plan`: what a run would send, without sending or writing anything.
    struct Plan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read the source and state and show what a run would send. Sends nothing, writes no state.",
            discussion: """
                Exit status: 0 success, 1 error, 2 invalid job spec, 64 usage.
                With --detailed-exitcode: 0 nothing to send, 2 changes to send, 1 error.
                """)

        @Argument(help: "The job file.")
        var job: String

        @OptionGroup var state: StateOptions

        @Option(name: .long, help: "Output format: text or json (stdout).")
        var format: PlanFormat = .text

        @Option(name: .long, help: "Write every planned record, one JSON object a line, in source order.")
        var records: String?

        @Flag(name: .long, help: "Ignore state: plan every valid row.")
        var full = false

        @Flag(name: .long, help: "Exit 0 when there is nothing to send, 2 when there are changes.")
        var detailedExitcode = false

        @Flag(name: .customLong("show-pii"), help: "Show primary keys in rejection samples instead of redacting them.")
        var showPII = false

        enum PlanFormat: String, ExpressibleByArgument, CaseIterable {
            case text, json
        }

        func run() async throws {
            let environment = ProcessInfo.processInfo.environment
            let spec = try JobCommand.loadValidSpec(job, environment: environment)
            let endpoint = try JobCommand.endpoint(for: spec, flag: state.endpoint, environment: environment)
            let store = try JobCommand.openStateForReading(state.location(environment))
            let writer: LineWriter?
            do {
                writer = try records.map { try LineWriter(path: $0) }
            } catch {
                Terminal.error("ctsync plan: \(error)")
                throw ExitCode(1)
            }
            let planner = Planner(spec: spec, state: store, endpoint: endpoint.base, full: full)
            let summary: PlanSummary
            do {
                summary = try planner.run { chunk in
                    guard let writer else { return }
                    for record in chunk.records { try writer.writeLine(record.json) }
                }
                try writer?.close()
            } catch {
                Terminal.error("ctsync plan: \(spec.file): \(error)")
                throw ExitCode(1)
            }
            switch format {
            case .text: Terminal.output(PlanRenderer.text(summary, spec: spec, revealPII: showPII), newline: false)
            case .json: Terminal.output(PlanRenderer.json(summary, spec: spec, revealPII: showPII), newline: false)
            }
            if detailedExitcode && summary.counts.planned > 0 { throw ExitCode(2) }
        }
    }
}

/// Options shared by commands that read or write state.
struct StateOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "State location: a path, sqlite:PATH or postgres://USER@HOST:PORT/DATABASE (default .ctsync/state.sqlite, or $CTSYNC_STATE).",
            discussion: "A PostgreSQL password comes from $CTSYNC_STATE_PASSWORD or $PGPASSWORD, never from the URL."))
    var state: String?

    @Option(name: .long, help: "Upload base URL override; may contain {region} (or $CTSYNC_ENDPOINT).")
    var endpoint: String?

    func location(_ environment: [String: String]) throws -> StateLocation {
        guard let text = state ?? environment["CTSYNC_STATE"] else { return .defaultLocation }
        do {
            return try StateLocation(parsing: text, environment: environment)
        } catch {
            Terminal.error("ctsync: \(error)")
            throw ExitCode(64)
        }
    }
}

/// Steps shared by `plan` and `run`.
enum JobCommand {
    /// Loads a job for plan/run: unset variables are errors; any decode or lint
    /// error prints its findings and exits 2 before the source is read.
    static func loadValidSpec(_ path: String, environment: [String: String]) throws -> JobSpec {
        guard FileManager.default.fileExists(atPath: path) else {
            Terminal.error("ctsync: no such job file: \(path)")
            throw ExitCode(64)
        }
        let loaded = JobLoader.load(path: path, environment: environment, unsetVariableSeverity: .error)
        var diagnostics = loaded.diagnostics
        if let spec = loaded.spec { diagnostics += Linter.rules(for: spec) }
        diagnostics = Diagnostic.sorted(diagnostics)
        let errors = diagnostics.filter { $0.severity == .error }
        guard let spec = loaded.spec, errors.isEmpty else {
            let sources = loaded.source.map { [loaded.path: $0] } ?? [:]
            Terminal.error(
                DiagnosticRenderer.text(errors, sources: sources, filesChecked: 1, color: Terminal.stderrIsTerminal),
                newline: false)
            throw ExitCode(2)
        }
        return spec
    }

    /// The upload base: `--endpoint`, else `CTSYNC_ENDPOINT`, else `destination.endpoint`, else the region's host.
    static func endpoint(for spec: JobSpec, flag: String?, environment: [String: String]) throws -> Endpoint {
        let override = flag ?? environment["CTSYNC_ENDPOINT"] ?? spec.destination.endpoint?.value
        do {
            return try Endpoint(region: spec.destination.region.value, override: override)
        } catch {
            Terminal.error("ctsync: \(error)")
            throw ExitCode(64)
        }
    }

    static func openStateForReading(_ location: StateLocation) throws -> (any StateStore)? {
        do {
            return try location.openForReading()
        } catch {
            Terminal.error("ctsync: \(error)")
            throw ExitCode(1)
        }
    }
}
