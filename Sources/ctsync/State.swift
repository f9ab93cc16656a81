import ArgumentParser
import CTSyncPlan
import CTSyncSession
import CTSyncState
import CTSyncSupport
import CleverTapContract
import Foundation

extension CTSync {
    /// `ctsync state …`: inspect and repair one job's state.
    struct State: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Inspect and repair one job's state: show, forget, rename, export, import.",
            discussion: """
                Each refuses (exit 3) while another process runs the job; changes hold the job's lease, so no \
                run starts meanwhile. JOB is the job's name as state knows it.
                """,
            subcommands: [Show.self, Forget.self, Rename.self, Export.self, Import.self])
    }
}

/// `--endpoint` for `state` subcommands: one destination of the job.
struct DestinationFilter: ParsableArguments {
    @Option(
        name: .long,
        help: "Only the job's state for this endpoint ({region} allowed; e.g. https://in1.api.clevertap.com). Default: every destination.")
    var endpoint: String?
}

extension CTSync.State {
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a job's state: destinations, keys, spec, last run; with --key, whether and when a key was acknowledged.",
            discussion: """
                Examples:
                  ctsync state show crm-profiles
                  ctsync state show crm-profiles --key 42
                  ctsync state show crm-profiles --state postgres://sync@db:5432/ctsync --endpoint https://in1.api.clevertap.com
                """)

        @Argument(help: "The job's name.") var job: String
        @Option(name: .long, help: "A primary key: was it acknowledged, when, with which spec?") var key: String?
        @OptionGroup var filter: DestinationFilter
        @OptionGroup var state: StateLocationOptions

        func run() async throws {
            let session = StateSession(location: try state.location(ProcessInfo.processInfo.environment), endpoint: filter.endpoint)
            let (job, key) = (self.job, self.key)
            let status = try await Terminal.reporting(command: "state show") { () async throws(SessionError) -> ExitStatus in
                let entries = try await session.show(job: job, key: key)
                var out = "\(job) in \(session.location):\n"
                for entry in entries {
                    out += "  \(StatusText.destination(entry.job.key.destination))\n"
                    out += "    keys acknowledged: \(entry.keys)\n"
                    if let fingerprint = entry.job.fingerprint {
                        out += "    spec of the last completed run: \(String(format: "%016llx", fingerprint))\n"
                        if let spec = entry.job.spec, let lines = CanonicalSpec.summary(of: spec) {
                            for line in lines { out += "      \(line)\n" }
                        } else {
                            out += "      (kept by an earlier ctsync: fingerprint only)\n"
                        }
                    } else {
                        out += "    no completed run yet\n"
                    }
                    out += "    last run: \(entry.lastRun.map(StatusText.run) ?? "none")\n"
                    if let key {
                        if let ack = entry.acknowledgement {
                            let current = ack.spec == entry.job.fingerprint ? "the spec above" : "an earlier spec"
                            out += "    key \"\(key)\": acknowledged at \(StatusText.time(ack.acknowledgedAt)) with \(current) (record hash \(ack.hash.hex))\n"
                        } else {
                            out += "    key \"\(key)\": never acknowledged (the next run sends its row)\n"
                        }
                    }
                }
                Terminal.output(out, newline: false)
                return .success
            }
            if status != .success { throw ExitCode(status.rawValue) }
        }
    }

    struct Forget: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Forget keys of a job (--key) or its whole state (--all), so the next run sends those rows again.",
            discussion: """
                --all forgets the job's keys, spec and run history at each destination (or the one --endpoint \
                names): its next run is a first run. Events re-sent are stored again by CleverTap. Asks for \
                confirmation on a terminal; elsewhere pass --yes.

                Examples:
                  ctsync state forget crm-profiles --key 42 --key 43
                  ctsync state forget crm-profiles --all --endpoint 'http://127.0.0.1:9000/{region}' --yes
                """)

        @Argument(help: "The job's name.") var job: String
        @Option(name: .long, help: "A primary key to forget (repeatable).") var key: [String] = []
        @Flag(name: .long, help: "Forget every key, the spec and the run history.") var all = false
        @Flag(name: .long, help: "Do not ask for confirmation (required without a terminal).") var yes = false
        @OptionGroup var filter: DestinationFilter
        @OptionGroup var state: StateLocationOptions

        func validate() throws {
            if all == !key.isEmpty { throw ValidationError("pass --key KEY (repeatable) or --all, not both or neither") }
        }

        func run() async throws {
            let session = StateSession(location: try state.location(ProcessInfo.processInfo.environment), endpoint: filter.endpoint)
            let (job, keys, all, yes) = (self.job, self.key, self.all, self.yes)
            let status = try await Terminal.reporting(command: "state forget") { () async throws(SessionError) -> ExitStatus in
                if !yes {
                    guard isatty(STDIN_FILENO) == 1 else {
                        throw .usage("forgetting state needs confirmation: pass --yes (no terminal to ask on)")
                    }
                    let entries = try await session.show(job: job, key: nil)
                    let what =
                        all
                        ? "all \(entries.map(\.keys).reduce(0, +)) keys, the spec and the run history"
                        : "\(keys.count) key\(keys.count == 1 ? "" : "s")"
                    Terminal.error("Forget \(what) of job \"\(job)\" at:")
                    for entry in entries { Terminal.error("  \(StatusText.destination(entry.job.key.destination))") }
                    Terminal.error("The next run sends those rows again. Continue? [y/N] ", newline: false)
                    let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased()
                    guard answer == "y" || answer == "yes" else {
                        Terminal.error("Nothing forgotten.")
                        return .failure
                    }
                }
                let forgotten = try await session.forget(job: job, keys: all ? nil : keys)
                for entry in forgotten {
                    let scope = all ? "state dropped" : "keys forgotten"
                    Terminal.error("ctsync state forget: \(job): \(StatusText.destination(entry.job.destination)): \(scope), \(entry.keys) key\(entry.keys == 1 ? "" : "s") removed")
                }
                return .success
            }
            if status != .success { throw ExitCode(status.rawValue) }
        }
    }

    struct Rename: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move a job's state (every destination, keys and history) to a new job name.",
            discussion: """
                Run it after renaming a job's `name:`; without it the renamed job's next run sends every row \
                again (and CleverTap stores re-sent events twice). Refuses when NEW already has state.

                Examples:
                  ctsync state rename crm-profiles crm-contacts
                  ctsync state rename orders order-events --state postgres://sync@db:5432/ctsync
                """)

        @Argument(help: "The job's old name.") var old: String
        @Argument(help: "The job's new name.") var new: String
        @OptionGroup var state: StateLocationOptions

        func run() async throws {
            let session = StateSession(location: try state.location(ProcessInfo.processInfo.environment))
            let (old, new) = (self.old, self.new)
            let status = try await Terminal.reporting(command: "state rename") { () async throws(SessionError) -> ExitStatus in
                try await session.rename(old, to: new)
                Terminal.error("ctsync state rename: state of job \"\(old)\" is now job \"\(new)\"")
                return .success
            }
            if status != .success { throw ExitCode(status.rawValue) }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a job's state as JSON lines (spec, run history, every acknowledged key).",
            discussion: """
                With `ctsync state import` it moves a job between SQLite and PostgreSQL state. The output holds \
                primary keys: treat it as personal data (--output writes a file only you can read).

                Examples:
                  ctsync state export crm-profiles > crm.jsonl
                  ctsync state export crm-profiles | ctsync state import --state postgres://sync@db:5432/ctsync
                """)

        @Argument(help: "The job's name.") var job: String
        @Option(name: .long, help: "Write to this file (mode 0600) instead of standard output.") var output: String?
        @OptionGroup var filter: DestinationFilter
        @OptionGroup var state: StateLocationOptions

        func run() async throws {
            let session = StateSession(location: try state.location(ProcessInfo.processInfo.environment), endpoint: filter.endpoint)
            let writer: ExportWriter
            do {
                writer = try ExportWriter(path: output)
            } catch {
                Terminal.error("ctsync state export: \(error)")
                throw ExitCode(1)
            }
            let job = self.job
            let status = try await Terminal.reporting(command: "state export") { () async throws(SessionError) -> ExitStatus in
                let transfer = try await session.export(job: job) { line in try writer.write(line) }
                do {
                    try writer.close()
                } catch {
                    throw .usage("\(error)")
                }
                Terminal.error(
                    "ctsync state export: \(job): \(transfer.jobs) destination\(transfer.jobs == 1 ? "" : "s"), \(transfer.runs) runs, \(transfer.keys) keys")
                return .success
            }
            if status != .success { throw ExitCode(status.rawValue) }
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read a `ctsync state export` into this state.",
            discussion: """
                Each job in the file must hold no keys here yet at its destination (`state forget JOB --all` \
                first to replace it); its lease is held while it is written.

                Examples:
                  ctsync state import crm.jsonl --state postgres://sync@db:5432/ctsync
                  ctsync state export crm-profiles --state old.sqlite | ctsync state import --state new.sqlite
                """)

        @Argument(help: "The export file (default: standard input; - for standard input).") var file: String?
        @OptionGroup var state: StateLocationOptions

        func run() async throws {
            let session = StateSession(location: try state.location(ProcessInfo.processInfo.environment))
            let path = file == "-" ? nil : file
            let status = try await Terminal.reporting(command: "state import") { () async throws(SessionError) -> ExitStatus in
                let transfer = try await session.importState(from: path)
                Terminal.error(
                    "ctsync state import: \(transfer.jobs) job state\(transfer.jobs == 1 ? "" : "s"), \(transfer.runs) runs, \(transfer.keys) keys")
                return .success
            }
            if status != .success { throw ExitCode(status.rawValue) }
        }
    }
}

/// Buffered lines to standard output or to a new file only its owner can read.
final class ExportWriter: @unchecked Sendable {
    // Used from one task at a time (the export's).
    private let fd: Int32
    private let path: String
    private var buffer: [UInt8] = []

    struct Failure: Error, CustomStringConvertible {
        var path: String
        var reason: String
        var description: String { "cannot write \(path): \(reason)" }
    }

    init(path: String?) throws {
        guard let path else {
            fd = STDOUT_FILENO
            self.path = "standard output"
            return
        }
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ExportWriter.Failure(path: path, reason: String(cString: strerror(errno))) }
    }

    func write(_ line: String) throws {
        buffer.append(contentsOf: line.utf8)
        buffer.append(UInt8(ascii: "\n"))
        if buffer.count >= 1 << 16 { try flush() }
    }

    func flush() throws {
        var offset = 0
        while offset < buffer.count {
            let n = buffer.withUnsafeBytes { Foundation.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ExportWriter.Failure(path: path, reason: String(cString: strerror(errno)))
            }
            offset += n
        }
        buffer.removeAll(keepingCapacity: true)
    }

    func close() throws {
        try flush()
        if fd != STDOUT_FILENO { _ = Foundation.close(fd) }
    }
}
