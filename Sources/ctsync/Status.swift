import ArgumentParser
import CTSyncPlan
import CTSyncSession
import CTSyncState
import CleverTapContract
import Foundation

extension CTSync {
    /// `ctsync status`: what ran, when, with what result, from state.
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show each job's last run, last successful run, keys held, last full resync and who runs it now.",
            discussion: """
                Reads state only (the same --state as run); sends and changes nothing. A run that started and \
                never finished (killed) shows as interrupted. Then, per destination, how much of CleverTap's event-name \
                and property-per-event budgets is used (destination.limits). Exit status: 0, 1 when state cannot \
                be read, 64 usage.

                Examples:
                  ctsync status
                  ctsync status jobs/ --state postgres://sync@db:5432/ctsync
                  ctsync status crm-profiles --format json
                """)

        @Argument(help: "Job names, or job files or directories (default: every job state holds).")
        var jobs: [String] = []

        @OptionGroup var state: StateLocationOptions

        @Option(name: .long, help: "Output format: text or json (stdout; schema: ctsync schema status).")
        var format: OutputFormat = .text

        func run() async throws {
            let environment = ProcessInfo.processInfo.environment
            let location = try state.location(environment)
            let names = jobs
            let status = try await Terminal.reporting(command: "status") { () async throws(SessionError) -> ExitStatus in
                let report = try await StatusSession.status(location: location, jobs: names, environment: environment)
                switch format {
                case .json: Terminal.output(report.json(), newline: false)
                case .text: Terminal.output(StatusText.render(report), newline: false)
                }
                return .success
            }
            if status != .success { throw ExitCode(status.rawValue) }
        }
    }
}

/// `text` or `json` output on stdout.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

/// `--state` alone, for commands that read or repair state but send nothing.
struct StateLocationOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "State location: a path, sqlite:PATH or postgres://USER@HOST:PORT/DATABASE (default .ctsync/state.sqlite, or $CTSYNC_STATE).",
            discussion: "A PostgreSQL password comes from $CTSYNC_STATE_PASSWORD or $PGPASSWORD, never from the URL."))
    var state: String?

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

/// How `status`, `history` and `state show` print for people.
enum StatusText {
    static func render(_ report: StatusReport) -> String {
        guard !report.jobs.isEmpty else { return "State \(report.state) holds no jobs.\n" }
        var out = ""
        for job in report.jobs {
            out += job.name
            if let lease = job.lease { out += ": running now (\(lease))" }
            out += "\n"
            if job.destinations.isEmpty {
                out += "  no state: never run with this state (or renamed: ctsync state rename)\n"
            }
            for entry in job.destinations {
                out += "  \(destination(entry.destination)): \(entry.keys) keys acknowledged\n"
                out += "    last run:         \(entry.lastRun.map(run) ?? "none")\n"
                let success: String
                if let last = entry.lastSuccess {
                    success = last.record.id == entry.lastRun?.record.id ? "the last run" : run(last)
                } else {
                    success = "none"
                }
                out += "    last success:     \(success)\n"
                out += "    last full resync: \(entry.lastFullSync.map { "\(time($0.record.startedAt)) (\(fullSync($0.record.fullSync)))" } ?? "none")\n"
            }
        }
        for budget in report.budgets {
            out += "Budgets at \(budget.destination):\n"
            out += "  event names: \(budget.eventNames.summary)\n"
            // The event names closest to their property budget.
            let fullest = budget.events.sorted { ($0.properties.used, $1.name) > ($1.properties.used, $0.name) }.prefix(3)
            for event in fullest where event.properties.used > 0 {
                out += "  properties of \"\(event.name)\": \(event.properties.summary)\n"
            }
        }
        return out
    }

    static func destination(_ destination: CleverTapDestination?) -> String {
        destination?.description ?? "destination not recorded (state from an earlier ctsync, adopted by its next matching run)"
    }

    /// `succeeded 2024-05-01T10:00:00Z (3.2 s): 2500 source rows, 10 planned, 10 acknowledged, 0 rejected, 0 failed`.
    static func run(_ summary: RunSummary) -> String {
        let run = summary.record
        var text = "\(summary.status) \(time(run.startedAt))"
        if let finished = run.finishedAt {
            text += String(format: " (%.1f s)", finished.timeIntervalSince(run.startedAt))
        }
        if let c = run.counts {
            text += ": \(c.sourceRows) source rows, \(c.planned) planned, \(c.succeeded) acknowledged, "
            text += "\(c.invalid + c.rejected) rejected, \(c.failed) failed"
        }
        if let reason = run.abortReason { text += "; \(reason)" }
        if summary.status == "interrupted" { text += " (started by pid \(run.pid) on \(run.host), never finished)" }
        return text
    }

    static func fullSync(_ reason: String?) -> String {
        switch reason {
        case "first_run": "first run to this destination"
        case "full": "--full"
        case "spec_changed": "mappings changed"
        default: reason ?? "?"
        }
    }

    static func time(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
