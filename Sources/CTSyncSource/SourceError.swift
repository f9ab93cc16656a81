/// An error that ends a whole source, as opposed to one bad row (see ``RowEvent/invalid(line:message:)``).
///
/// `description` is the text shown to the user. Messages about a command never repeat the
/// command line, which may carry secrets substituted from the environment.
public enum SourceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The source file could not be opened.
    case cannotOpen(path: String, reason: String)
    /// Reading the file or the command's output failed part way.
    case readFailed(path: String, reason: String)
    /// ``RowReader/project(_:)`` named columns the header does not have.
    case missingColumns(missing: [String], available: [String])
    /// The command could not be started (for example, its working directory is missing).
    case commandNotStarted(command: String, reason: String)
    /// The command exited with a non-zero status; `stderrTail` is the end of its stderr.
    case commandFailed(command: String, status: Int32, stderrTail: String)
    /// The command ran past its timeout and its process group was killed.
    case commandTimedOut(command: String, seconds: Double, stderrTail: String)
    /// The command was killed by a signal it did not expect (not by our timeout).
    case commandSignalled(command: String, signal: Int32, stderrTail: String)
    /// The reader options cannot work (for example, the delimiter equals the quote).
    case invalidOptions(reason: String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason):
            return "cannot open source file \(SourceWording.quoted(path)): \(reason)"
        case .readFailed(let path, let reason):
            return "cannot read source \(SourceWording.quoted(path)): \(reason)"
        case .missingColumns(let missing, let available):
            let noun = missing.count == 1 ? "column" : "columns"
            let names = missing.map(SourceWording.quoted).joined(separator: ", ")
            guard !available.isEmpty else {
                return "missing \(noun) \(names) in source; the source has no header row "
                    + "(the file is empty or the command printed nothing)"
            }
            var list = available.prefix(Self.maxListedColumns).map(Self.displayName).joined(separator: ", ")
            if available.count > Self.maxListedColumns {
                list += ", … (\(available.count - Self.maxListedColumns) more)"
            }
            return "missing \(noun) \(names) in source; columns are: \(list)"
        case .commandNotStarted(_, let reason):
            return "cannot start source command: \(reason)"
        case .commandFailed(_, let status, let tail):
            return "source command exited with status \(status)" + Self.stderrSuffix(tail)
        case .commandTimedOut(_, let seconds, let tail):
            return "source command timed out after \(Self.duration(seconds)) and was killed"
                + Self.stderrSuffix(tail)
        case .commandSignalled(_, let signal, let tail):
            return "source command was killed by signal \(signal)\(Self.signalName(signal))"
                + Self.stderrSuffix(tail)
        case .invalidOptions(let reason):
            return "invalid source options: \(reason)"
        }
    }

    // MARK: - Rendering

    private static func stderrSuffix(_ tail: String) -> String {
        tail.isEmpty ? " (nothing on stderr)" : ": \(tail)"
    }

    /// How many header names "columns are:" lists: a header of binary garbage or of
    /// thousands of columns must not turn one message into megabytes.
    static let maxListedColumns = 50
    /// The longest name listed whole, in Unicode scalars.
    static let maxListedNameScalars = 100

    /// A column name as listed after "columns are:": bare unless it would be ambiguous
    /// or holds control characters (which ``SourceWording/quoted(_:)`` escapes).
    private static func displayName(_ name: String) -> String {
        var name = name
        if name.unicodeScalars.count > maxListedNameScalars {
            name = String(String.UnicodeScalarView(name.unicodeScalars.prefix(maxListedNameScalars))) + "…"
        }
        let ambiguous =
            name.isEmpty || name.contains(",") || name.first?.isWhitespace == true
            || name.last?.isWhitespace == true || name.unicodeScalars.contains(where: SourceWording.isControl)
        return ambiguous ? SourceWording.quoted(name) : name
    }

    /// Seconds in the job spec's own duration syntax: `30m`, `2h`, `45s`, `0.5s`.
    static func duration(_ seconds: Double) -> String {
        if seconds >= 3600, seconds.truncatingRemainder(dividingBy: 3600) == 0 {
            return "\(Int(seconds / 3600))h"
        }
        if seconds >= 60, seconds.truncatingRemainder(dividingBy: 60) == 0 {
            return "\(Int(seconds / 60))m"
        }
        if seconds == seconds.rounded() { return "\(Int(seconds))s" }
        return "\((seconds * 1000).rounded() / 1000)s"
    }

    private static func signalName(_ signal: Int32) -> String {
        let names: [Int32: String] = [
            1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 6: "SIGABRT", 7: "SIGBUS",
            8: "SIGFPE", 9: "SIGKILL", 11: "SIGSEGV", 13: "SIGPIPE", 14: "SIGALRM", 15: "SIGTERM",
        ]
        return names[signal].map { " (\($0))" } ?? ""
    }
}
