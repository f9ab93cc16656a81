import CTSyncPlan
import CTSyncSource
import CTSyncSpec
import CTSyncSupport
import CleverTapContract
import Foundation

/// What `ctsync init` is asked for.
public struct ScaffoldRequest: Sendable {
    /// The source file, as given (`--from`).
    public var source: String
    /// `--format`; else from the file's extension.
    public var format: SourceFormat?
    public var region: Region
    public var object: ObjectType
    /// `--name`; else `<file name>-<object>` (`contacts-profiles`).
    public var name: String?
    /// `--output`: a file, or a folder for `<name>.yaml`; else `jobs/<name>.yaml`.
    public var output: String?
    /// Rows read to guess from.
    public var sampleRows = 1000
    /// The folder relative paths start from.
    public var workingDirectory = FileManager.default.currentDirectoryPath

    public init(source: String, region: Region, object: ObjectType) {
        self.source = source
        self.region = region
        self.object = object
    }
}

/// A job file scaffolded from a source's header and first rows (`ctsync init`): the
/// library decides the mappings and checks the result decodes, lints without errors
/// and maps the sample; the CLI writes it.
public struct JobScaffold: Sendable {
    public var name: String
    /// Where to write it; nothing is there yet.
    public var output: String
    /// The job file's text. It holds column names, never a sampled value.
    public var text: String
    /// What was chosen and why, one line each, for stderr.
    public var notes: [String]

    /// Scaffolds a job; refuses (before reading the source) when the output exists.
    public static func make(_ request: ScaffoldRequest) throws(ScaffoldError) -> JobScaffold {
        guard let format = request.format ?? SourceFormat.inferred(fromPath: request.source) else {
            throw .usage(
                "cannot tell the format of \(request.source) from its extension; pass --format csv, tsv or jsonl")
        }
        let stem = Self.stem(of: request.source)
        let name = request.name ?? Self.defaultName(stem: stem, object: request.object)
        guard Self.isValidName(name) else {
            throw .usage(
                "job name \"\(name)\" must be 1 to 100 letters, digits, '-', '_' or '.'; pass another --name")
        }
        let output = Self.outputPath(request.output, name: name)
        if Paths.exists(output) {
            throw .exists(output)
        }

        // Read the header and the first rows.
        var csv = CSVOptions()
        if format == .tsv { csv.delimiter = UInt8(ascii: "\t") }
        let sample: SourceSample
        do {
            let reader = try Sources.open(file: request.source, format: format, csv: csv)
            defer { reader.close() }
            sample = try SourceSample.read(from: reader, maxRows: request.sampleRows)
        } catch {
            throw .source(error)
        }
        guard !sample.columns.isEmpty else {
            throw .noColumns(request.source)
        }

        // Guess, then try each guess on the sample and fall back where it fails.
        let profiles = sample.columns.map { column in
            ColumnProfile(name: column, values: sample.rows.map { $0[column] ?? .null })
        }
        let guesser = ScaffoldGuesser(object: request.object, columns: profiles, rows: sample.rows.count, sourceStem: stem)
        var guess = guesser.guess()
        let verifier = ScaffoldVerifier(object: request.object, rows: sample.rows)
        for index in guess.mappings.indices where !guess.mappings[index].commentedOut {
            let (settled, note) = settle(
                guess.mappings[index], verifier: verifier, identityKind: guess.identityKind, guesser: guesser,
                taken: Set(guess.mappings.map(\.target)))
            guess.mappings[index] = settled
            if let note { guess.notes.append(note) }
        }

        // Write, then read back as ctsync will.
        let outputDirectory = Paths.directory(of: Self.absolute(output, in: request.workingDirectory))
        let header = ScaffoldWriter.Header(
            name: name, region: request.region, object: request.object,
            sourcePath: Self.sourcePath(request.source, from: outputDirectory, in: request.workingDirectory),
            format: SourceFormat.inferred(fromPath: request.source) == format ? nil : format,
            sourceShown: request.source, sampledRows: sample.rows.count + sample.invalid,
            schemaPath: Self.schemaPath(from: outputDirectory, in: request.workingDirectory),
            primaryKey: guess.primaryKey, identityKind: guess.identityKind)
        let text = ScaffoldWriter.render(header, mappings: guess.mappings)
        let environment = ["CLEVERTAP_ACCOUNT_ID": "0", "CLEVERTAP_PASSCODE": "x"]
        guard let spec = ScaffoldVerifier.decode(text, path: output, environment: environment) else {
            throw .invalidScaffold("the scaffolded job does not decode")
        }
        let findings = Linter.rules(for: spec).filter { $0.rule != .sourceNotFound }
        if let error = findings.first(where: { $0.severity == .error }) {
            throw .invalidScaffold("the scaffolded job does not lint: \(error.message) [\(error.rule)]")
        }
        var notes = guess.notes
        for warning in findings where warning.severity == .warning {
            notes.append("lint will warn: \(warning.message) [\(warning.rule)]")
        }
        let (mapped, rejected) = verifier.rejections(of: spec)
        let rows = sample.rows.count
        var summary = "checked against the \(rows) sampled row\(rows == 1 ? "" : "s"): \(mapped) map to records"
        if !rejected.isEmpty {
            let reasons = rejected.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            summary +=
                "; \(rows - mapped) would be rejected (\(reasons)): check whether the data or the guess is wrong (with max_rejected: 0 such rows make a run exit 1)"
        }
        if sample.invalid > 0 { summary += "; \(sample.invalid) could not be read" }
        notes.append(summary)
        return JobScaffold(name: name, output: output, text: text, notes: notes)
    }

    // MARK: Falling back

    /// The guess, or the plainer one that replaces it when it would refuse more than half
    /// of the sampled values; and a note when it was replaced.
    private static func settle(
        _ guess: MappingGuess, verifier: ScaffoldVerifier, identityKind: IdentityKind?, guesser: ScaffoldGuesser,
        taken: Set<String>
    ) -> (MappingGuess, String?) {
        guard guess.column != nil else { return (guess, nil) }
        let first = verifier.tally(guess, identityKind: identityKind)
        if first.isAcceptable { return (guess, nil) }
        var alternatives: [MappingGuess] = []
        var plain = guess
        plain.transforms = []
        switch guess.target {
        case "identity":
            for transforms in [["trim"], ["string"], []] where transforms != guess.transforms {
                var alternative = guess
                alternative.transforms = transforms
                alternatives.append(alternative)
            }
        case "ts":
            var dropped = guess
            dropped.commentedOut = true
            dropped.reason = "its values are not epoch seconds as CleverTap needs: map ts yourself"
            return (dropped, "ts: \"\(guess.column!)\" left out: \(first.rejected) of \(first.present) sampled values would be refused")
        case "evtName":
            alternatives.append(plain)
        default:
            if CleverTapRules.isStandardOrMessaging(guess.target) {
                plain.target = guesser.propertyName(ColumnProfile.words(of: guess.column!), taken: taken)
            }
            alternatives.append(plain)
        }
        let why = "\(first.rejected) of \(first.present) sampled values would be refused as \(guess.target)"
            + (guess.transforms.isEmpty ? "" : " with \(guess.transforms.joined(separator: ", "))")
        for var alternative in alternatives where verifier.tally(alternative, identityKind: identityKind).isAcceptable {
            alternative.reason = "as text: " + why
            return (alternative, "\"\(guess.column!)\": \(why); mapped to \(alternative.target) as text instead")
        }
        var last = alternatives.last ?? plain
        last.reason = "check it: " + why
        return (last, "\"\(guess.column!)\": \(why); check this mapping")
    }

    // MARK: Names and paths

    static func stem(of path: String) -> String {
        var name = path.split(separator: "/").last.map(String.init) ?? path
        if let dot = name.lastIndex(of: "."), dot != name.startIndex { name = String(name[..<dot]) }
        return name
    }

    /// `contacts-profiles`: the file's name made a valid job name, and the object.
    static func defaultName(stem: String, object: ObjectType) -> String {
        var name = ""
        for scalar in stem.unicodeScalars {
            let keep = scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_")
            if keep {
                name.unicodeScalars.append(scalar)
            } else if !name.hasSuffix("-") && !name.isEmpty {
                name += "-"
            }
        }
        while name.hasSuffix("-") { name.removeLast() }
        if name.isEmpty { name = "job" }
        return String(name.lowercased().prefix(80)) + "-" + object.rawValue
    }

    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 100
            && name.unicodeScalars.allSatisfy {
                $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0))
            }
    }

    /// `--output` as a file, or as a folder (existing, or ending in `/`) for `<name>.yaml`;
    /// `jobs/<name>.yaml` without it.
    static func outputPath(_ option: String?, name: String) -> String {
        guard let option else { return "jobs/\(name).yaml" }
        var isDirectory = false
        if option.hasSuffix("/") || (FileSystem.exists(option, isDirectory: &isDirectory) && isDirectory) {
            return (option.hasSuffix("/") ? String(option.dropLast()) : option) + "/\(name).yaml"
        }
        return option
    }

    static func absolute(_ path: String, in directory: String) -> String {
        Paths.resolve(path, relativeTo: directory)
    }

    /// The source as the job file writes it: relative to the job's folder, unless given absolute.
    static func sourcePath(_ source: String, from directory: String, in workingDirectory: String) -> String {
        if source.hasPrefix("/") { return source }
        return relative(absolute(source, in: workingDirectory), from: directory)
    }

    /// `../schemas/job.schema.json` when the working directory has the committed schema.
    static func schemaPath(from directory: String, in workingDirectory: String) -> String? {
        let schema = absolute("schemas/job.schema.json", in: workingDirectory)
        return Paths.exists(schema) ? relative(schema, from: directory) : nil
    }

    /// The path of absolute `target` seen from absolute `directory`.
    static func relative(_ target: String, from directory: String) -> String {
        let to = target.split(separator: "/")
        let from = directory.split(separator: "/")
        var common = 0
        while common < min(to.count, from.count) && to[common] == from[common] { common += 1 }
        let ups = Array(repeating: "..", count: from.count - common)
        let path = (ups + to[common...].map(String.init)).joined(separator: "/")
        return path.isEmpty ? "." : path
    }
}

/// Why `ctsync init` wrote nothing.
public enum ScaffoldError: Error, Sendable, Equatable, CustomStringConvertible {
    case usage(String)
    /// The output file exists: `init` never overwrites.
    case exists(String)
    case source(SourceError)
    /// The source has no header row or no line to read keys from.
    case noColumns(String)
    /// The scaffold failed its own check; a bug in `ctsync init`.
    case invalidScaffold(String)
    /// The job file or its folder could not be created.
    case cannotWrite(path: String, reason: String)

    public var description: String {
        switch self {
        case .usage(let message): message
        case .exists(let path):
            "\(path) exists; ctsync init never overwrites a job: pass --name or --output for another file, or remove it first"
        case .source(let error): "\(error)"
        case .noColumns(let path): "\(path) has no header row or no JSON object to read column names from"
        case .invalidScaffold(let message): "\(message); please report this, with the source's header"
        case .cannotWrite(let path, let reason): "cannot write \(path): \(reason)"
        }
    }

    public var exitStatus: ExitStatus {
        switch self {
        case .usage: .usage
        case .exists, .source, .noColumns, .invalidScaffold, .cannotWrite: .failure
        }
    }
}
