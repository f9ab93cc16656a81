import CTSyncSpec
import Foundation
import CleverTapContract

/// Writes the YAML of a scaffolded job: its settings, each mapping on one flow-style
/// line with the reason for the guess as a comment. Every scalar that came from the
/// data's header is quoted when YAML could read it as anything but that text.
enum ScaffoldWriter {
    struct Header {
        var name: String
        var region: Region
        var object: ObjectType
        /// The source path as the job writes it (relative to the job file's folder).
        var sourcePath: String
        /// `format:` when the file's extension does not imply the format.
        var format: SourceFormat?
        /// The source as the user named it, for the opening comment.
        var sourceShown: String
        var sampledRows: Int
        /// The job schema's path relative to the job file, when there is one to point at.
        var schemaPath: String?
        var primaryKey: (column: String, reason: String)?
        var identityKind: IdentityKind?
    }

    static func render(_ header: Header, mappings: [MappingGuess]) -> String {
        var out = ""
        if let schema = header.schemaPath { out += "# yaml-language-server: $schema=\(schema)\n" }
        let rows = header.sampledRows == 1 ? "row" : "rows"
        out += """
            # Scaffolded by `ctsync init` from the header and first \(header.sampledRows) \(rows) of \(oneLine(header.sourceShown)).
            # Every mapping is a guess, explained beside it (no sampled value is written here):
            # check each one, then run `ctsync lint`, `ctsync check` and `ctsync plan` on this file.

            """
        out += "version: 1\n"
        out += "name: \(scalar(header.name))\n"
        out += "destination:\n"
        out += line("  region: \(header.region.rawValue)", "in1 sg1 us1 aps3 mec1 eu1 sk1: the dashboard URL names it")
        out += "  account_id: ${CLEVERTAP_ACCOUNT_ID}\n"
        out += line("  passcode: ${CLEVERTAP_PASSCODE}", "only from the environment, never written here")
        out += "source:\n"
        out += line("  file: \(scalar(header.sourcePath))", "relative to this file")
        if let format = header.format { out += "  format: \(format.rawValue)\n" }
        out += "object: \(header.object.rawValue)\n"
        switch header.object {
        case .profiles: out += line("mode: upsert", "new and changed rows")
        case .events: out += line("mode: insert", "each event once: rows whose primary key was never sent")
        }
        if let key = header.primaryKey {
            out += line("primary_key: \(scalar(key.column))", key.reason)
        }
        if let kind = header.identityKind { out += "identity_kind: \(kind.rawValue)\n" }
        out += "mappings:\n"
        let lines = mappings.map { ($0.commentedOut ? "  # " : "  ") + mappingLine($0) }
        let width = min(lines.map(\.count).max() ?? 0, 88)
        for (text, guess) in zip(lines, mappings) {
            out += text.padding(toLength: max(text.count, width), withPad: " ", startingAt: 0) + "  # " + oneLine(guess.reason) + "\n"
        }
        out += "options:\n"
        out += line("  batch_size: 1000", "1..1000 records a request")
        out += line("  concurrency: 10", "1..15 requests in flight, per account")
        out += line("  max_rejected: 0", "more refused rows than this fail the run; a count or a share (1%)")
        return out
    }

    /// `- { from: email, to: identity, transform: [trim, lowercase] }`.
    static func mappingLine(_ guess: MappingGuess) -> String {
        var text = "- { "
        switch guess.input {
        case .column(let name): text += "from: \(scalar(name))"
        case .constant(let value): text += "value: \(scalar(value))"
        }
        text += ", to: \(scalar(guess.target))"
        if !guess.transforms.isEmpty { text += ", transform: [\(guess.transforms.joined(separator: ", "))]" }
        return text + " }"
    }

    private static func line(_ text: String, _ comment: String) -> String {
        text.padding(toLength: max(text.count, 38), withPad: " ", startingAt: 0) + "  # " + comment + "\n"
    }

    /// A comment must stay on its line.
    private static func oneLine(_ text: String) -> String {
        String(text.map { $0.isNewline ? " " : $0 })
    }

    // MARK: YAML scalars

    /// Plain when YAML reads it back as this very string in a flow mapping, else double-quoted.
    /// `${` is written `$${` either way: job files interpolate it.
    static func scalar(_ text: String) -> String {
        let escaped = text.replacingOccurrences(of: "${", with: "$${")
        return isPlainSafe(escaped) ? escaped : doubleQuoted(escaped)
    }

    static func isPlainSafe(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, let last = text.unicodeScalars.last else { return false }
        // `.` and `/` may start a path; `.inf`, `.nan` and the like are numbers, kept out below.
        guard first.properties.isAlphabetic || "_$./".unicodeScalars.contains(first), last != " " else { return false }
        let allowed = text.unicodeScalars.allSatisfy { scalar in
            scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || " _-./()+@$".unicodeScalars.contains(scalar)
        }
        guard allowed, !text.contains("  ") else { return false }
        // Words YAML's core schema reads as booleans or null (and YAML 1.1's, for other tools).
        let reserved: Set<String> = ["true", "false", "null", "yes", "no", "on", "off", "y", "n", ".inf", ".nan"]
        return !reserved.contains(text.lowercased())
    }

    static func doubleQuoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value)
                    || scalar.value == 0x2028 || scalar.value == 0x2029 || scalar.value == 0xFEFF
                {
                    out += String(format: "\\u%04X", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
