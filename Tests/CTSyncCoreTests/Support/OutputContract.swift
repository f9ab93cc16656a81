import Foundation
import Testing

@testable import CTSyncSupport

/// A versioned output document (plan, report, lint) read the way its consumers read
/// it: the text validated against the committed `schemas/<name>.schema.json`, then
/// decoded with the document's `Codable` type.
enum OutputContract {
    /// A document that does not decode as its type.
    struct DecodingFailure: Error, CustomStringConvertible {
        var schema: String
        var error: any Error
        var text: String
        var description: String { "the \(schema) document does not decode: \(error)\n\(text.prefix(2000))" }
    }

    /// Validates `text` against `schemas/<schema>.schema.json`, recording each violation
    /// as a test issue, and decodes it as `T`.
    static func decode<T: Decodable>(
        _ type: T.Type, _ text: String, schema: String, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> T {
        let violations = try SchemaValidator.committed(schema).validate(json: text)
        for violation in violations {
            Issue.record(
                "not a valid \(schema) document: \(violation)\n\(text.prefix(2000))", sourceLocation: sourceLocation)
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(text.utf8))
        } catch {
            throw DecodingFailure(schema: schema, error: error, text: text)
        }
    }

    /// The file at `path`, validated and decoded as ``decode(_:_:schema:sourceLocation:)`` does.
    static func decode<T: Decodable>(
        _ type: T.Type, file path: String, schema: String, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> T {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return try decode(type, text, schema: schema, sourceLocation: sourceLocation)
    }
}
