import Foundation
import Testing

@testable import CTSyncSupport

/// The test suite's JSON Schema validator: for each keyword, one instance that
/// passes and one that fails, so the contract tests that rely on it mean something.
@Suite("schema validator")
struct SchemaValidatorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var keyword: String
        var schema: String
        var valid: [String]
        var invalid: [String]
        var testDescription: String { keyword }
    }

    static let cases: [Case] = [
        Case(keyword: "type string", schema: #"{"type": "string"}"#, valid: [#""a""#], invalid: ["1", "null"]),
        Case(keyword: "type integer", schema: #"{"type": "integer"}"#, valid: ["3", "3.0", "-7"], invalid: ["3.5", #""3""#]),
        Case(keyword: "type number", schema: #"{"type": "number"}"#, valid: ["3", "3.5"], invalid: ["true", #""3""#]),
        Case(keyword: "type boolean", schema: #"{"type": "boolean"}"#, valid: ["false"], invalid: ["0", "null"]),
        Case(keyword: "type null", schema: #"{"type": "null"}"#, valid: ["null"], invalid: ["false", #""""#]),
        Case(keyword: "type object", schema: #"{"type": "object"}"#, valid: ["{}"], invalid: ["[]"]),
        Case(keyword: "type array", schema: #"{"type": "array"}"#, valid: ["[]"], invalid: ["{}"]),
        Case(
            keyword: "type list", schema: #"{"type": ["string", "null"]}"#, valid: [#""a""#, "null"],
            invalid: ["1", "[]"]),
        Case(keyword: "enum", schema: #"{"enum": ["a", 1]}"#, valid: [#""a""#, "1", "1.0"], invalid: [#""b""#, "2"]),
        Case(keyword: "const", schema: #"{"const": 1}"#, valid: ["1", "1.0"], invalid: ["2", #""1""#, "true"]),
        Case(
            keyword: "const object", schema: #"{"const": {"a": [1, "x"]}}"#, valid: [#"{"a": [1, "x"]}"#],
            invalid: [#"{"a": [1]}"#, #"{"a": [1, "x"], "b": 0}"#]),
        Case(
            keyword: "properties", schema: #"{"properties": {"n": {"type": "integer"}}}"#,
            valid: [#"{"n": 1}"#, "{}", #"{"other": "x"}"#], invalid: [#"{"n": "1"}"#]),
        Case(
            keyword: "required", schema: #"{"required": ["a", "b"]}"#, valid: [#"{"a": 1, "b": null}"#, "3"],
            invalid: [#"{"a": 1}"#]),
        Case(
            keyword: "additionalProperties false",
            schema: #"{"properties": {"a": {}}, "additionalProperties": false}"#, valid: [#"{"a": 1}"#],
            invalid: [#"{"a": 1, "b": 2}"#]),
        Case(
            keyword: "additionalProperties schema",
            schema: #"{"properties": {"a": {}}, "additionalProperties": {"type": "integer"}}"#,
            valid: [#"{"a": "x", "b": 2}"#], invalid: [#"{"b": "2"}"#]),
        Case(keyword: "minProperties", schema: #"{"minProperties": 1}"#, valid: [#"{"a": 1}"#], invalid: ["{}"]),
        Case(keyword: "maxProperties", schema: #"{"maxProperties": 1}"#, valid: [#"{"a": 1}"#], invalid: [#"{"a": 1, "b": 2}"#]),
        Case(keyword: "items", schema: #"{"items": {"type": "string"}}"#, valid: [#"["a", "b"]"#, "[]"], invalid: [#"["a", 1]"#]),
        Case(keyword: "minItems", schema: #"{"minItems": 1}"#, valid: ["[1]"], invalid: ["[]"]),
        Case(keyword: "maxItems", schema: #"{"maxItems": 2}"#, valid: ["[1, 2]"], invalid: ["[1, 2, 3]"]),
        Case(keyword: "minimum", schema: #"{"minimum": 0}"#, valid: ["0", "0.5", #""-1""#], invalid: ["-1", "-0.5"]),
        Case(keyword: "maximum", schema: #"{"maximum": 15}"#, valid: ["15"], invalid: ["16", "15.5"]),
        Case(keyword: "exclusiveMinimum", schema: #"{"exclusiveMinimum": 0}"#, valid: ["0.1"], invalid: ["0", "-1"]),
        Case(keyword: "exclusiveMaximum", schema: #"{"exclusiveMaximum": 10}"#, valid: ["9.9"], invalid: ["10"]),
        Case(keyword: "minLength", schema: #"{"minLength": 2}"#, valid: [#""ab""#, #""é!""#], invalid: [#""a""#, #""""#]),
        // Length counts Unicode scalars: "é" is one, though two UTF-8 bytes.
        Case(keyword: "maxLength", schema: #"{"maxLength": 2}"#, valid: [#""éé""#], invalid: [#""abc""#]),
        Case(
            keyword: "pattern", schema: #"{"pattern": "^\\+[0-9]+$"}"#, valid: [#""+44""#, "44"],
            invalid: [#""44""#, #""+4a""#]),
        // Unanchored, as ECMA-262 searches.
        Case(keyword: "pattern unanchored", schema: #"{"pattern": "[0-9]"}"#, valid: [#""ab1""#], invalid: [#""ab""#]),
        Case(
            keyword: "anyOf", schema: #"{"anyOf": [{"type": "integer"}, {"minLength": 2}]}"#,
            valid: ["1", #""ab""#], invalid: [#""a""#]),
        Case(
            keyword: "oneOf", schema: #"{"oneOf": [{"type": "integer"}, {"minimum": 2}]}"#,
            valid: ["1", "2.5"], invalid: ["3", "0.5"]),
        Case(
            keyword: "allOf", schema: #"{"allOf": [{"type": "integer"}, {"minimum": 2}]}"#, valid: ["2"],
            invalid: ["1", "2.5"]),
        Case(keyword: "not", schema: #"{"not": {"type": "null"}}"#, valid: ["1"], invalid: ["null"]),
        Case(
            keyword: "format date-time", schema: #"{"format": "date-time"}"#,
            valid: [#""2024-05-01T12:00:00.123Z""#, #""2024-05-01T12:00:00+05:30""#, "7"],
            invalid: [#""2024-05-01 12:00:00Z""#, #""2024-13-01T12:00:00Z""#, #""yesterday""#]),
        Case(keyword: "boolean schema true", schema: "true", valid: ["1", "null"], invalid: []),
        Case(keyword: "boolean schema false", schema: "false", valid: [], invalid: ["1", "null"]),
        Case(
            keyword: "$ref and $defs",
            schema: ##"{"$defs": {"count": {"type": "integer", "minimum": 0}}, "properties": {"n": {"$ref": "#/$defs/count"}}}"##,
            valid: [#"{"n": 3}"#], invalid: [#"{"n": -1}"#, #"{"n": "3"}"#]),
        Case(
            keyword: "annotations", schema: #"{"$schema": "x", "$id": "y", "title": "t", "description": "d", "$comment": "c", "examples": [1]}"#,
            valid: ["1"], invalid: []),
    ]

    static func value(_ text: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    @Test(arguments: cases)
    func validAndInvalidInstances(_ test: Case) throws {
        let validator = try SchemaValidator(try Self.value(test.schema))
        for text in test.valid {
            let violations = validator.validate(try Self.value(text))
            #expect(violations.isEmpty, "\(text) against \(test.schema): \(violations)")
        }
        for text in test.invalid {
            let violations = validator.validate(try Self.value(text))
            #expect(!violations.isEmpty, "\(text) passed \(test.schema)")
        }
    }

    /// A keyword the validator does not implement is refused when the schema is loaded,
    /// even deep in a branch no instance reaches.
    @Test(arguments: [
        #"{"patternProperties": {"^a": {}}}"#,
        #"{"properties": {"a": {"oneOf": [{"if": {"type": "string"}}]}}}"#,
        #"{"format": "email"}"#,
        #"{"items": [{"type": "string"}]}"#,
        #"{"exclusiveMinimum": true}"#,
        #"{"type": "float"}"#,
        ##"{"$ref": "#/$defs/missing"}"##,
        #"{"$ref": "other.json"}"#,
        #"{"pattern": "("}"#,
        #"{"uniqueItems": true}"#,
    ])
    func unsupportedKeywordsFailLoudly(_ schema: String) throws {
        #expect(throws: SchemaValidator.SchemaError.self) { try SchemaValidator(try Self.value(schema)) }
    }

    @Test func violationsNameTheInstanceAndTheSchemaKeyword() throws {
        let validator = try SchemaValidator(
            try Self.value(
                #"""
                {"type": "object", "required": ["counts"], "additionalProperties": false,
                 "properties": {"counts": {"type": "object", "properties": {"a/b": {"type": "integer", "minimum": 0}}},
                                "items": {"type": "array", "items": {"type": "string"}}}}
                """#))
        let violations = validator.validate(try Self.value(#"{"counts": {"a/b": -1}, "items": ["x", 2], "extra": 1}"#))
        #expect(
            violations.map(\.description).sorted() == [
                "/counts/a~1b: -1 is less than 0 (schema /properties/counts/properties/a~1b/minimum)",
                "/extra: property \"extra\" is not allowed (schema /additionalProperties)",
                "/items/1: 2 is not of type string (schema /properties/items/items/type)",
            ])
        #expect(validator.validate(json: "{").first?.message.hasPrefix("not JSON") == true)
    }

    /// Every committed schema uses only keywords the validator implements.
    @Test(arguments: ["job", "plan", "report", "lint"])
    func committedSchemasLoad(_ name: String) throws {
        _ = try SchemaValidator.committed(name)
    }
}
