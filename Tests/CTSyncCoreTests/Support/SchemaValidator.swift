import Foundation

@testable import CTSyncSupport

/// A JSON Schema (draft 2020-12) validator for the keywords ctsync's own schemas use,
/// so tests can check real emitted documents against `schemas/*.json`.
///
/// Every keyword of the schema is checked when the validator is made: a keyword it does
/// not implement (`patternProperties`, `if`, a `format` other than `date-time`, …) is an
/// error then, never silently ignored, so a schema that grows one fails the tests until
/// the validator learns it.
///
/// Supported: `type` (a name or a list; `integer` is a number without a fraction),
/// `enum`, `const`, `properties`, `required`, `additionalProperties` (boolean or schema),
/// `minProperties`, `maxProperties`, `items` (one schema), `minItems`, `maxItems`,
/// `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`, `minLength`,
/// `maxLength` (in Unicode scalars), `pattern` (unanchored, as ECMA-262 searches),
/// `anyOf`, `oneOf`, `allOf`, `not`, `format: date-time` (asserted, RFC 3339), local
/// `$ref` (`#` or `#/$defs/…` JSON pointers) with `$defs`, boolean schemas, and the
/// annotations `$schema`, `$id`, `$comment`, `title`, `description`, `default`, `examples`.
struct SchemaValidator {
    /// One way an instance breaks the schema: where (a JSON pointer into the instance)
    /// and which keyword of the schema (a JSON pointer into the schema).
    struct Violation: Equatable, CustomStringConvertible {
        var instancePath: String
        var schemaPath: String
        var message: String

        var description: String {
            "\(instancePath.isEmpty ? "/" : instancePath): \(message) (schema \(schemaPath.isEmpty ? "/" : schemaPath))"
        }
    }

    /// A schema this validator cannot apply faithfully.
    struct SchemaError: Error, CustomStringConvertible {
        var schemaPath: String
        var message: String
        var description: String { "\(schemaPath.isEmpty ? "/" : schemaPath): \(message)" }
    }

    let root: JSONValue

    static let annotations: Set<String> = ["$schema", "$id", "$comment", "title", "description", "default", "examples"]
    static let assertions: Set<String> = [
        "type", "enum", "const", "properties", "required", "additionalProperties", "minProperties", "maxProperties",
        "items", "minItems", "maxItems", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength",
        "maxLength", "pattern", "anyOf", "oneOf", "allOf", "not", "format", "$ref", "$defs",
    ]
    static let typeNames: Set<String> = ["null", "boolean", "object", "array", "number", "string", "integer"]
    static let formats: Set<String> = ["date-time"]

    /// Checks every keyword of `schema` up front; throws on one it does not implement.
    init(_ schema: JSONValue) throws {
        root = schema
        try Self.check(schema, at: "", root: schema)
    }

    /// The committed `schemas/<name>.schema.json` of the repository.
    static func committed(_ name: String) throws -> SchemaValidator {
        let path = Products.root + "/schemas/\(name).schema.json"
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try SchemaValidator(try JSONDecoder().decode(JSONValue.self, from: data))
    }

    /// Every violation of the schema by `instance`; empty when it is valid.
    func validate(_ instance: JSONValue) -> [Violation] {
        var violations: [Violation] = []
        validate(instance, against: root, instancePath: "", schemaPath: "", into: &violations)
        return violations
    }

    /// `text` parsed as JSON, then validated; a parse failure is one violation.
    func validate(json text: String) -> [Violation] {
        do {
            return validate(try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)))
        } catch {
            return [Violation(instancePath: "", schemaPath: "", message: "not JSON: \(error)")]
        }
    }

    // MARK: - Checking the schema

    private static func check(_ schema: JSONValue, at path: String, root: JSONValue) throws {
        if case .bool = schema { return }
        guard case .object(let keywords) = schema else {
            throw SchemaError(schemaPath: path, message: "a schema is an object or a boolean, not \(schema)")
        }
        for (keyword, value) in keywords.sorted(by: { $0.key < $1.key }) {
            let here = path + "/" + pointerEscape(keyword)
            guard annotations.contains(keyword) || assertions.contains(keyword) else {
                throw SchemaError(schemaPath: here, message: "unsupported keyword \"\(keyword)\": teach SchemaValidator it")
            }
            switch keyword {
            case "type":
                let names: [JSONValue]
                if case .array(let list) = value { names = list } else { names = [value] }
                guard !names.isEmpty else { throw SchemaError(schemaPath: here, message: "an empty type list") }
                for name in names {
                    guard case .string(let text) = name, typeNames.contains(text) else {
                        throw SchemaError(schemaPath: here, message: "unknown type \(name)")
                    }
                }
            case "enum":
                guard case .array(let list) = value, !list.isEmpty else {
                    throw SchemaError(schemaPath: here, message: "enum is a non-empty array")
                }
            case "properties", "$defs":
                guard case .object(let members) = value else {
                    throw SchemaError(schemaPath: here, message: "\(keyword) is an object of schemas")
                }
                for (name, member) in members { try check(member, at: here + "/" + pointerEscape(name), root: root) }
            case "required":
                guard case .array(let list) = value, list.allSatisfy({ if case .string = $0 { true } else { false } })
                else { throw SchemaError(schemaPath: here, message: "required is an array of strings") }
            case "additionalProperties", "items", "not":
                if keyword == "items", case .array = value {
                    throw SchemaError(schemaPath: here, message: "items as an array is draft 2019-09: use prefixItems")
                }
                try check(value, at: here, root: root)
            case "anyOf", "oneOf", "allOf":
                guard case .array(let list) = value, !list.isEmpty else {
                    throw SchemaError(schemaPath: here, message: "\(keyword) is a non-empty array of schemas")
                }
                for (index, member) in list.enumerated() { try check(member, at: here + "/\(index)", root: root) }
            case "minProperties", "maxProperties", "minItems", "maxItems", "minLength", "maxLength":
                guard let count = number(value), count >= 0, count == count.rounded() else {
                    throw SchemaError(schemaPath: here, message: "\(keyword) is a non-negative integer")
                }
            case "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum":
                guard number(value) != nil else {
                    throw SchemaError(schemaPath: here, message: "\(keyword) is a number (a boolean is draft 4)")
                }
            case "pattern":
                guard case .string(let pattern) = value else {
                    throw SchemaError(schemaPath: here, message: "pattern is a string")
                }
                do {
                    _ = try NSRegularExpression(pattern: pattern)
                } catch {
                    throw SchemaError(schemaPath: here, message: "pattern \(pattern) does not compile: \(error)")
                }
            case "format":
                guard case .string(let format) = value, formats.contains(format) else {
                    throw SchemaError(schemaPath: here, message: "unsupported format \(value): teach SchemaValidator it")
                }
            case "$ref":
                guard case .string(let reference) = value else {
                    throw SchemaError(schemaPath: here, message: "$ref is a string")
                }
                guard resolve(reference, in: root) != nil else {
                    throw SchemaError(schemaPath: here, message: "$ref \(reference) names nothing in this schema")
                }
            default:
                break
            }
        }
    }

    /// A local reference (`#`, `#/$defs/name`, any JSON pointer after `#`).
    private static func resolve(_ reference: String, in root: JSONValue) -> JSONValue? {
        guard reference.hasPrefix("#") else { return nil }
        let pointer = reference.dropFirst()
        if pointer.isEmpty { return root }
        guard pointer.hasPrefix("/") else { return nil }
        var node = root
        for token in pointer.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            let name = token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            switch node {
            case .object(let members):
                guard let next = members[name] else { return nil }
                node = next
            case .array(let items):
                guard let index = Int(name), items.indices.contains(index) else { return nil }
                node = items[index]
            default:
                return nil
            }
        }
        return node
    }

    // MARK: - Validating an instance

    private func validate(
        _ instance: JSONValue, against schema: JSONValue, instancePath: String, schemaPath: String,
        into violations: inout [Violation]
    ) {
        func fail(_ keyword: String, _ message: String) {
            violations.append(
                Violation(instancePath: instancePath, schemaPath: schemaPath + "/" + keyword, message: message))
        }
        if case .bool(let allowed) = schema {
            if !allowed {
                violations.append(
                    Violation(instancePath: instancePath, schemaPath: schemaPath, message: "no value is allowed here"))
            }
            return
        }
        guard case .object(let keywords) = schema else { return }

        if case .string(let reference)? = keywords["$ref"], let target = Self.resolve(reference, in: root) {
            validate(instance, against: target, instancePath: instancePath, schemaPath: reference, into: &violations)
        }
        if let type = keywords["type"] {
            let names: [String]
            switch type {
            case .array(let list): names = list.compactMap { if case .string(let s) = $0 { s } else { nil } }
            case .string(let name): names = [name]
            default: names = []
            }
            if !names.contains(where: { Self.instance(instance, isOfType: $0) }) {
                fail("type", "\(Self.show(instance)) is not of type \(names.joined(separator: " or "))")
            }
        }
        if case .array(let allowed)? = keywords["enum"], !allowed.contains(where: { Self.equal($0, instance) }) {
            fail("enum", "\(Self.show(instance)) is not one of \(allowed.map(Self.show).joined(separator: ", "))")
        }
        if let constant = keywords["const"], !Self.equal(constant, instance) {
            fail("const", "\(Self.show(instance)) is not \(Self.show(constant))")
        }

        switch instance {
        case .object(let members):
            validateObject(members, keywords, instancePath: instancePath, schemaPath: schemaPath, into: &violations)
        case .array(let items):
            if let minimum = keywords["minItems"].flatMap(Self.number), Double(items.count) < minimum {
                fail("minItems", "\(items.count) items, fewer than \(Self.show(keywords["minItems"]!))")
            }
            if let maximum = keywords["maxItems"].flatMap(Self.number), Double(items.count) > maximum {
                fail("maxItems", "\(items.count) items, more than \(Self.show(keywords["maxItems"]!))")
            }
            if let itemSchema = keywords["items"] {
                for (index, item) in items.enumerated() {
                    validate(
                        item, against: itemSchema, instancePath: instancePath + "/\(index)",
                        schemaPath: schemaPath + "/items", into: &violations)
                }
            }
        case .string(let text):
            let length = text.unicodeScalars.count
            if let minimum = keywords["minLength"].flatMap(Self.number), Double(length) < minimum {
                fail("minLength", "\(Self.show(instance)) is shorter than \(Self.show(keywords["minLength"]!))")
            }
            if let maximum = keywords["maxLength"].flatMap(Self.number), Double(length) > maximum {
                fail("maxLength", "\(Self.show(instance)) is longer than \(Self.show(keywords["maxLength"]!))")
            }
            if case .string(let pattern)? = keywords["pattern"], !Self.matches(text, pattern) {
                fail("pattern", "\(Self.show(instance)) does not match \(pattern)")
            }
            if case .string("date-time")? = keywords["format"], !Self.isDateTime(text) {
                fail("format", "\(Self.show(instance)) is not an RFC 3339 date-time")
            }
        case .int, .double:
            let value = Self.number(instance)!
            if let bound = keywords["minimum"].flatMap(Self.number), value < bound {
                fail("minimum", "\(Self.show(instance)) is less than \(Self.show(keywords["minimum"]!))")
            }
            if let bound = keywords["maximum"].flatMap(Self.number), value > bound {
                fail("maximum", "\(Self.show(instance)) is more than \(Self.show(keywords["maximum"]!))")
            }
            if let bound = keywords["exclusiveMinimum"].flatMap(Self.number), value <= bound {
                fail("exclusiveMinimum", "\(Self.show(instance)) is not more than \(Self.show(keywords["exclusiveMinimum"]!))")
            }
            if let bound = keywords["exclusiveMaximum"].flatMap(Self.number), value >= bound {
                fail("exclusiveMaximum", "\(Self.show(instance)) is not less than \(Self.show(keywords["exclusiveMaximum"]!))")
            }
        case .null, .bool:
            break
        }

        if case .array(let branches)? = keywords["allOf"] {
            for (index, branch) in branches.enumerated() {
                validate(
                    instance, against: branch, instancePath: instancePath, schemaPath: schemaPath + "/allOf/\(index)",
                    into: &violations)
            }
        }
        for keyword in ["anyOf", "oneOf"] {
            guard case .array(let branches)? = keywords[keyword] else { continue }
            var passed: [Int] = []
            var reasons: [String] = []
            for (index, branch) in branches.enumerated() {
                var branchViolations: [Violation] = []
                validate(
                    instance, against: branch, instancePath: instancePath,
                    schemaPath: schemaPath + "/\(keyword)/\(index)", into: &branchViolations)
                if branchViolations.isEmpty {
                    passed.append(index)
                } else {
                    reasons.append("[\(index)] " + branchViolations.map(\.message).joined(separator: "; "))
                }
            }
            if passed.isEmpty {
                fail(keyword, "matches none of the \(branches.count) schemas: \(reasons.joined(separator: " | "))")
            } else if keyword == "oneOf" && passed.count > 1 {
                fail(keyword, "matches \(passed.count) schemas (\(passed.map(String.init).joined(separator: ", "))), not exactly one")
            }
        }
        if let negated = keywords["not"] {
            var inner: [Violation] = []
            validate(instance, against: negated, instancePath: instancePath, schemaPath: schemaPath + "/not", into: &inner)
            if inner.isEmpty { fail("not", "\(Self.show(instance)) matches a schema it must not") }
        }
    }

    private func validateObject(
        _ members: [String: JSONValue], _ keywords: [String: JSONValue], instancePath: String, schemaPath: String,
        into violations: inout [Violation]
    ) {
        func fail(_ keyword: String, _ path: String, _ message: String) {
            violations.append(Violation(instancePath: path, schemaPath: schemaPath + "/" + keyword, message: message))
        }
        if case .array(let required)? = keywords["required"] {
            for case .string(let name) in required where members[name] == nil {
                fail("required", instancePath, "required property \"\(name)\" is missing")
            }
        }
        if let minimum = keywords["minProperties"].flatMap(Self.number), Double(members.count) < minimum {
            fail("minProperties", instancePath, "\(members.count) properties, fewer than \(Self.show(keywords["minProperties"]!))")
        }
        if let maximum = keywords["maxProperties"].flatMap(Self.number), Double(members.count) > maximum {
            fail("maxProperties", instancePath, "\(members.count) properties, more than \(Self.show(keywords["maxProperties"]!))")
        }
        var declared: [String: JSONValue] = [:]
        if case .object(let properties)? = keywords["properties"] { declared = properties }
        for (name, value) in members.sorted(by: { $0.key < $1.key }) {
            let path = instancePath + "/" + Self.pointerEscape(name)
            if let propertySchema = declared[name] {
                validate(
                    value, against: propertySchema, instancePath: path,
                    schemaPath: schemaPath + "/properties/" + Self.pointerEscape(name), into: &violations)
            } else if let additional = keywords["additionalProperties"] {
                if case .bool(false) = additional {
                    fail("additionalProperties", path, "property \"\(name)\" is not allowed")
                } else {
                    validate(
                        value, against: additional, instancePath: path, schemaPath: schemaPath + "/additionalProperties",
                        into: &violations)
                }
            }
        }
    }

    // MARK: - JSON values

    static func instance(_ value: JSONValue, isOfType type: String) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("object", .object), ("array", .array), ("string", .string): true
        case ("number", .int), ("number", .double), ("integer", .int): true
        case ("integer", .double(let d)): d.isFinite && d == d.rounded()
        default: false
        }
    }

    static func number(_ value: JSONValue) -> Double? {
        switch value {
        case .int(let i): Double(i)
        case .double(let d): d
        default: nil
        }
    }

    /// JSON equality: numbers by value (1 equals 1.0), objects regardless of key order.
    static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.int(let x), .int(let y)): x == y
        case (.int, .double), (.double, .int), (.double, .double): number(a) == number(b)
        case (.array(let x), .array(let y)): x.count == y.count && zip(x, y).allSatisfy { equal($0, $1) }
        case (.object(let x), .object(let y)):
            x.count == y.count && x.allSatisfy { key, value in y[key].map { equal(value, $0) } ?? false }
        default: a == b
        }
    }

    static func show(_ value: JSONValue) -> String {
        let text = value.serialized(pretty: false)
        return text.count > 80 ? String(text.prefix(77)) + "..." : text
    }

    static func matches(_ text: String, _ pattern: String) -> Bool {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return false }
        return regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    /// RFC 3339 `date-time`: full date, `T`, full time with optional fraction, and `Z` or an offset.
    static func isDateTime(_ text: String) -> Bool {
        let shape = #"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})$"#
        guard matches(text, shape) else { return false }
        let digits = text.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        let (month, day, hour, minute, second) = (digits[1], digits[2], digits[3], digits[4], digits[5])
        return (1...12).contains(month) && (1...31).contains(day) && hour < 24 && minute < 60 && second <= 60
    }

    static func pointerEscape(_ name: String) -> String {
        name.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }
}
