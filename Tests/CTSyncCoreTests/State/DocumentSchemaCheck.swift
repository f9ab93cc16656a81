import Foundation

/// A JSON value decoded with its exact type (JSONSerialization cannot tell `true` from `1`).
indirect enum JSONDocument: Decodable, Equatable, CustomStringConvertible {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONDocument])
    case object([String: JSONDocument])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int.self) {
            self = .int(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONDocument].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONDocument].self))
        }
    }

    static func parse(_ text: String) throws -> JSONDocument {
        try JSONDecoder().decode(JSONDocument.self, from: Data(text.utf8))
    }

    subscript(_ key: String) -> JSONDocument? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    subscript(_ index: Int) -> JSONDocument? {
        if case .array(let items) = self, items.indices.contains(index) { return items[index] }
        return nil
    }

    var string: String? { if case .string(let s) = self { s } else { nil } }
    var int: Int? { if case .int(let i) = self { i } else { nil } }
    var bool: Bool? { if case .bool(let b) = self { b } else { nil } }
    var array: [JSONDocument] { if case .array(let a) = self { a } else { [] } }
    var isNull: Bool { self == .null }

    var description: String {
        switch self {
        case .null: "null"
        case .bool(let b): "\(b)"
        case .int(let i): "\(i)"
        case .double(let d): "\(d)"
        case .string(let s): "\"\(s)\""
        case .array(let a): "[" + a.map(\.description).joined(separator: ", ") + "]"
        case .object(let o): "{" + o.keys.sorted().map { "\($0): \(o[$0]!)" }.joined(separator: ", ") + "}"
        }
    }
}

/// Checks a document against the subset of JSON Schema ctsync's schemas use: type,
/// enum, const, properties, required, additionalProperties: false, items, oneOf, minimum,
/// and `$ref` to `#/$defs/NAME`.
/// Returns every violation with its path.
enum DocumentSchemaCheck {
    static func violations(
        of value: JSONDocument, against schema: JSONDocument, path: String = "$", root: JSONDocument? = nil
    ) -> [String] {
        let root = root ?? schema
        guard case .object(var rules) = schema else { return [] }
        if let reference = rules["$ref"]?.string {
            guard reference.hasPrefix("#/$defs/"), let target = root["$defs"]?[String(reference.dropFirst("#/$defs/".count))]
            else { return ["\(path): unresolved $ref \(reference)"] }
            guard case .object(let resolved) = target else { return [] }
            rules = resolved
        }
        func violations(of value: JSONDocument, against schema: JSONDocument, path: String) -> [String] {
            DocumentSchemaCheck.violations(of: value, against: schema, path: path, root: root)
        }
        var found: [String] = []
        if let alternatives = rules["oneOf"]?.array, !alternatives.isEmpty {
            let matching = alternatives.filter { violations(of: value, against: $0, path: path).isEmpty }
            if matching.count != 1 { found.append("\(path): matches \(matching.count) of oneOf's \(alternatives.count)") }
        }
        if let type = rules["type"] {
            let allowed = type.string.map { [$0] } ?? type.array.compactMap(\.string)
            if !allowed.contains(where: { matches(value, type: $0) }) {
                found.append("\(path): \(value) is not of type \(allowed)")
                return found
            }
        }
        if let options = rules["enum"]?.array, !options.contains(value) {
            found.append("\(path): \(value) is not one of \(options)")
        }
        if let constant = rules["const"], constant != value { found.append("\(path): \(value) is not \(constant)") }
        if let minimum = rules["minimum"]?.int {
            switch value {
            case .int(let i) where i < minimum: found.append("\(path): \(i) < \(minimum)")
            case .double(let d) where d < Double(minimum): found.append("\(path): \(d) < \(minimum)")
            default: break
            }
        }
        if case .object(let members) = value {
            let properties: [String: JSONDocument]
            if case .object(let p)? = rules["properties"] { properties = p } else { properties = [:] }
            for name in rules["required"]?.array.compactMap(\.string) ?? [] where members[name] == nil {
                found.append("\(path): missing \"\(name)\"")
            }
            for (name, member) in members {
                if let rule = properties[name] {
                    found += violations(of: member, against: rule, path: path + "." + name)
                } else if rules["additionalProperties"] == .bool(false) {
                    found.append("\(path): unexpected \"\(name)\"")
                } else if let rule = rules["additionalProperties"], case .object = rule {
                    found += violations(of: member, against: rule, path: path + "." + name)
                }
            }
        }
        if case .array(let items) = value, let rule = rules["items"] {
            for (index, item) in items.enumerated() { found += violations(of: item, against: rule, path: "\(path)[\(index)]") }
        }
        return found
    }

    static func matches(_ value: JSONDocument, type: String) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("integer", .int), ("number", .int), ("number", .double),
            ("string", .string), ("array", .array), ("object", .object):
            true
        default: false
        }
    }

    /// The committed schema `schemas/<name>.schema.json`.
    static func committed(_ name: String) throws -> JSONDocument {
        try JSONDocument.parse(SchemaDriftTests.committed(name))
    }
}
