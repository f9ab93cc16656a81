import ArgumentParser
import CTSyncSession
import CTSyncSpec
import CleverTapContract
import Foundation

extension CTSync {
    /// `ctsync init`: scaffold a job from a source file's header and first rows.
    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Scaffold a job file from a source file's header and first rows.",
            discussion: """
                Reads the header (CSV, TSV) or the first lines (JSONL) and up to 1000 rows, and writes a job that \
                lints clean, every mapping guessed and explained in a comment beside it: identity from an email, \
                phone or id column; CleverTap's standard fields by name (Name, Email, Phone with e164, Gender \
                with gender, DOB with date, MSG-* with bool); epoch-millisecond columns with ms_to_s; numbers \
                with number; for events, evtName (a constant from the file name unless a column looks like one) \
                and ts. Each guess is tried on the sampled rows and replaced by a plainer one where most values \
                would be refused. No sampled value is written to the file: it is meant to be committed, and the \
                data may be personal. What was chosen, and why, is said on stderr; nothing is asked.

                The job goes to jobs/<name>.yaml (the name defaults to <file name>-<object>), or to --output. \
                An existing file is never overwritten.

                Exit status: 0 written, 1 the source cannot be read or the output exists, 64 usage.

                Examples:
                  ctsync init --from data/contacts.csv --region in1
                  ctsync init --from data/orders.jsonl --region us1 --object events
                  ctsync init --from exports/users.txt --format tsv --region eu1 --output jobs/
                """)

        @Option(name: .long, help: "The source file: CSV, TSV or JSONL.")
        var from: String

        @Option(name: .long, help: "The CleverTap region: \(Region.allCases.map(\.rawValue).joined(separator: ", ")).")
        var region: Region

        @Option(name: .long, help: "What the rows become: profiles or events.")
        var object: ObjectType = .profiles

        @Option(name: .long, help: "The job's name (default <file name>-<object>).")
        var name: String?

        @Option(name: .long, help: "The job file, or a folder for <name>.yaml (default jobs/<name>.yaml).")
        var output: String?

        @Option(name: .long, help: "The source's format when its extension does not say: csv, tsv or jsonl.")
        var format: SourceFormat?

        func run() async throws {
            var request = ScaffoldRequest(source: from, region: region, object: object)
            request.name = name
            request.output = output
            request.format = format
            let scaffold: JobScaffold
            do {
                scaffold = try JobScaffold.make(request)
                try Self.create(scaffold.output, scaffold.text)
            } catch let error as ScaffoldError {
                Terminal.error("ctsync init: \(error)")
                throw ExitCode(error.exitStatus.rawValue)
            }
            for note in scaffold.notes { Terminal.error("ctsync init: \(note)") }
            Terminal.error("ctsync init: wrote \(scaffold.output); next: ctsync lint \(scaffold.output), then ctsync check and ctsync plan")
        }

        /// Creates the file, failing if it exists (O_EXCL: no race with another writer),
        /// and its folder if needed.
        static func create(_ path: String, _ text: String) throws(ScaffoldError) {
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty {
                do {
                    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                } catch {
                    throw .cannotWrite(path: directory, reason: error.localizedDescription)
                }
            }
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            if fd < 0 {
                if errno == EEXIST { throw .exists(path) }
                throw .cannotWrite(path: path, reason: String(cString: strerror(errno)))
            }
            defer { close(fd) }
            let bytes = Array(text.utf8)
            var offset = 0
            while offset < bytes.count {
                let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                if written < 0 {
                    if errno == EINTR { continue }
                    let reason = String(cString: strerror(errno))
                    unlink(path)
                    throw .cannotWrite(path: path, reason: reason)
                }
                offset += written
            }
        }
    }
}

extension Region: ExpressibleByArgument {}
extension ObjectType: ExpressibleByArgument {}
extension SourceFormat: ExpressibleByArgument {}
