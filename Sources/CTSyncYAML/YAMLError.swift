/// Why a YAML file could not be loaded, and where.
///
/// The kinds mirror libyaml's error classes (reader, scanner, parser) plus the
/// checks this module adds before and after libyaml runs.
public struct YAMLError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The stage that refused the input.
    public enum Kind: String, Sendable {
        /// The file could not be opened or read.
        case io
        /// The input is larger than ``YAMLLimits/maxBytes``.
        case size
        /// The input is not UTF-8 text.
        case encoding
        /// libyaml's reader refused a character.
        case reader
        /// libyaml's scanner could not form a token.
        case scanner
        /// libyaml's parser found tokens in an invalid order.
        case parser
        /// The event stream is valid YAML but not an acceptable document:
        /// duplicate keys, bad aliases or merges, or a limit exceeded.
        case composer
    }

    /// The stage that refused the input.
    public let kind: Kind
    /// What is wrong, without the location: `duplicate key "name" (first defined at line 3, column 1)`.
    public let message: String
    /// Where the problem is; line 1, column 1 when it concerns the whole file.
    public let mark: Mark

    /// Creates an error.
    public init(kind: Kind, message: String, mark: Mark) {
        self.kind = kind
        self.message = message
        self.mark = mark
    }

    /// `file:line:col: error: message`, the form compilers use.
    public var description: String { "\(mark): error: \(message)" }

    /// The description followed by the offending source line and a caret.
    public func rendered(in source: SourceText) -> String {
        let excerpt = source.excerpt(line: mark.line, column: mark.column)
        return excerpt.isEmpty ? description : description + "\n" + excerpt
    }
}

// MARK: - Errors shared by several stages

extension YAMLError {
    static func composer(_ message: String, at mark: Mark) -> YAMLError {
        YAMLError(kind: .composer, message: message, mark: mark)
    }

    static func tooLarge(size: Int?, limit: Int, file: String) -> YAMLError {
        let found = size.map { "\($0) bytes" } ?? "more than \(limit) bytes"
        return YAMLError(
            kind: .size,
            message: "file is too large (\(found); the limit is \(limit) bytes)",
            mark: Mark(file: file, line: 1, column: 1))
    }
}
