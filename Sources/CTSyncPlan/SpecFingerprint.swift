import CTSyncSpec
import CTSyncSupport
import CleverTapContract
import Foundation

/// Everything that decides what a job's records look like in CleverTap — the
/// destination, the object, the key and every mapping — as one canonical JSON
/// document (sorted keys, mappings keyed by target, so their order in the file does
/// not matter), and its fingerprint. When the fingerprint changes, a profiles job
/// resyncs in full. State keeps the document, so a plan can say what changed.
///
/// The document's shape is a contract with state written by earlier runs: a change
/// to it changes every fingerprint and resyncs every profiles job. `ctsync_spec`
/// versions it.
public struct CanonicalSpec: Sendable, Equatable {
    /// The version of the document's shape.
    public static let version = 2

    /// Compact JSON, sorted keys.
    public let json: String
    public let fingerprint: UInt64

    public init(json: String) {
        self.json = json
        fingerprint = RecordHash(bytes: Array(json.utf8)).high
    }

    public static func of(_ spec: JobSpec, destination: CleverTapDestination) -> CanonicalSpec {
        var mappings: [String: JSONValue] = [:]
        for mapping in spec.mappings {
            var entry: [String: JSONValue] = ["transform": .array(mapping.transforms.map { canonical($0.value) })]
            if let column = mapping.column { entry["from"] = .string(column.value) }
            if let constant = mapping.constant { entry["value"] = canonical(constant.value) }
            mappings[mapping.target.value] = .object(entry)
        }
        let document: JSONValue = [
            "ctsync_spec": .int(version),
            "destination": [
                "account": .string(destination.account), "region": .string(destination.region),
                "endpoint": .string(destination.endpoint),
            ],
            "object": .string(spec.object.value.rawValue),
            "primary_key": spec.effectivePrimaryKey.map(JSONValue.string) ?? .null,
            "identity_kind": spec.identityKind.map { .string($0.value.rawValue) } ?? .null,
            "mappings": .object(mappings),
        ]
        return CanonicalSpec(json: document.serialized(pretty: false))
    }

    /// A transform as a job file spells it: `trim`, or `{ e164: "+1" }` with its argument.
    static func canonical(_ transform: Transform) -> JSONValue {
        switch transform {
        case .e164(let code?): ["e164": .string(code.description)]
        case .default(let value): ["default": .string(value)]
        case .split(let separator): ["split": .string(separator.text)]
        default: .string(transform.name)
        }
    }

    /// A constant: a string as itself, other types tagged (a number keeps its literal).
    static func canonical(_ value: Value) -> JSONValue {
        switch value {
        case .null: .null
        case .string(let text): .string(text)
        case .number(let literal): ["number": .string(literal)]
        case .bool(let flag): ["bool": .bool(flag)]
        case .json(let text): ["json": .string(text)]
        }
    }

    // MARK: Changes

    /// What changed from `stored` (the document an earlier run kept) to this one,
    /// field by field (see `SpecChange.field`). Empty when the documents are equal.
    public func changes(from stored: String) -> [SpecChange] {
        guard stored != json else { return [] }
        guard let before = Self.parse(stored), let after = Self.parse(json),
            before["ctsync_spec"] as? Int == Self.version
        else {
            return [SpecChange(field: "spec", before: nil, after: nil, note: "kept by another version of ctsync")]
        }
        var changes: [SpecChange] = []
        func compare(_ field: String, _ old: Any?, _ new: Any?) {
            let (a, b) = (Self.display(old), Self.display(new))
            if a != b { changes.append(SpecChange(field: field, before: a, after: b)) }
        }
        let (oldDestination, newDestination) = (
            before["destination"] as? [String: Any] ?? [:], after["destination"] as? [String: Any] ?? [:]
        )
        for field in ["account", "region", "endpoint"] {
            compare("destination.\(field)", oldDestination[field], newDestination[field])
        }
        for field in ["object", "primary_key", "identity_kind"] { compare(field, before[field], after[field]) }
        let (oldMappings, newMappings) = (
            before["mappings"] as? [String: Any] ?? [:], after["mappings"] as? [String: Any] ?? [:]
        )
        for target in Set(oldMappings.keys).union(newMappings.keys).sorted() {
            let (old, new) = (oldMappings[target] as? [String: Any], newMappings[target] as? [String: Any])
            switch (old, new) {
            case (nil, let new?):
                changes.append(SpecChange(field: "mapping", target: target, before: nil, after: Self.describe(mapping: new)))
            case (let old?, nil):
                changes.append(SpecChange(field: "mapping", target: target, before: Self.describe(mapping: old), after: nil))
            case (let old?, let new?):
                for field in ["from", "value", "transform"] {
                    let (a, b) = (Self.display(old[field]), Self.display(new[field]))
                    if a != b { changes.append(SpecChange(field: "mapping.\(field)", target: target, before: a, after: b)) }
                }
            case (nil, nil):
                break
            }
        }
        if changes.isEmpty {
            changes.append(SpecChange(field: "spec", before: nil, after: nil, note: "written differently"))
        }
        return changes
    }

    static func parse(_ json: String) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any]
    }

    /// A JSON value as people read it: strings quoted, lists in brackets, nil for absent or null.
    static func display(_ value: Any?) -> String? {
        switch value {
        case nil, is NSNull: return nil
        case let text as String: return "\"\(text)\""
        case let list as [Any]: return "[" + list.map { display($0) ?? "null" }.joined(separator: ", ") + "]"
        case let object as [String: Any]:
            return "{ " + object.keys.sorted().map { "\($0): \(display(object[$0]) ?? "null")" }.joined(separator: ", ") + " }"
        case let number as NSNumber: return number.stringValue
        default: return "\(value!)"
        }
    }

    /// A stored canonical spec for people, a line a field and a mapping
    /// (`state show`); nil when it does not parse.
    public static func summary(of json: String) -> [String]? {
        guard let document = parse(json) else { return nil }
        var lines: [String] = []
        for field in ["object", "primary_key", "identity_kind"] {
            if let value = display(document[field]) { lines.append("\(field): \(value)") }
        }
        let mappings = document["mappings"] as? [String: Any] ?? [:]
        for target in mappings.keys.sorted() {
            lines.append("\(target) ← " + describe(mapping: mappings[target] as? [String: Any] ?? [:]))
        }
        return lines
    }

    static func describe(mapping: [String: Any]) -> String {
        var parts: [String] = []
        if let from = display(mapping["from"]) { parts.append("from \(from)") }
        if let value = display(mapping["value"]) { parts.append("value \(value)") }
        if let transforms = mapping["transform"] as? [Any], !transforms.isEmpty {
            parts.append("transform \(display(transforms)!)")
        }
        return parts.joined(separator: ", ")
    }
}

/// One difference between the spec an earlier run kept in state and the job's now.
public struct SpecChange: Sendable, Equatable, CustomStringConvertible {
    /// `destination.account|region|endpoint`, `object`, `primary_key`, `identity_kind`;
    /// `mapping` (a mapping added or removed), `mapping.from|value|transform` (for
    /// `target`); or `spec` when the two cannot be compared field by field (`note` says why).
    public var field: String
    /// The mapping's target, for `mapping…` fields.
    public var target: String?
    /// The value before and after, as people read it; nil when absent.
    public var before: String?
    public var after: String?
    public var note: String?

    public init(field: String, target: String? = nil, before: String?, after: String?, note: String? = nil) {
        self.field = field
        self.target = target
        self.before = before
        self.after = after
        self.note = note
    }

    public var description: String {
        if let note { return "\(field): \(note)" }
        if let target {
            if field == "mapping" {
                if let after, before == nil { return "mapping to \(target) added (\(after))" }
                if let before, after == nil { return "mapping to \(target) removed (was \(before))" }
            }
            let part = field.hasPrefix("mapping.") ? String(field.dropFirst("mapping.".count)) : field
            return "mapping to \(target): \(part) \(before ?? "none") → \(after ?? "none")"
        }
        return "\(field): \(before ?? "none") → \(after ?? "none")"
    }
}

/// The fingerprint ctsync wrote before state schema 2 (`v1`): a hash of a text
/// listing of the same fields, mappings in file order, the endpoint as configured.
/// Kept so that state written then still counts as unchanged: an acknowledgement
/// whose fingerprint equals the job's legacy fingerprint was made with the same spec.
/// Frozen: the transform and constant spellings below are those of ctsync 0.1,
/// written out rather than taken from the types' descriptions, which may change.
public enum LegacySpecFingerprint {
    public static func of(_ spec: JobSpec, endpoint: String) -> UInt64 {
        var text = "v1\n"
        text += "account=\(spec.destination.accountID.value)\nregion=\(spec.destination.region.value.rawValue)\n"
        text += "endpoint=\(endpoint)\nobject=\(spec.object.value.rawValue)\n"
        text += "key=\(spec.effectivePrimaryKey ?? "")\nidentity_kind=\(spec.identityKind?.value.rawValue ?? "")\n"
        for mapping in spec.mappings {
            if let column = mapping.column { text += "from=\(column.value)" }
            if let constant = mapping.constant { text += "value=\(spelling(constant.value))" }
            text += " to=\(mapping.target.value) transforms=\(mapping.transforms.map { spelling($0.value) }.joined(separator: ","))\n"
        }
        return RecordHash(bytes: Array(text.utf8)).high
    }

    /// How ctsync 0.1 printed a transform (Swift's description of its enum case).
    static func spelling(_ transform: Transform) -> String {
        switch transform {
        case .trim: "trim"
        case .lowercase: "lowercase"
        case .uppercase: "uppercase"
        case .msToS: "msToS"
        case .iso8601: "iso8601"
        case .date: "date"
        case .number: "number"
        case .bool: "bool"
        case .string: "string"
        case .e164(let code):
            "e164(defaultCountryCode: \(code.map { "Optional(\(String(reflecting: $0.description)))" } ?? "nil"))"
        case .gender: "gender"
        case .default(let value): "default(\(String(reflecting: value)))"
        case .split(let separator): "split(separator: \(String(reflecting: separator.text)))"
        }
    }

    /// How ctsync 0.1 printed a constant.
    static func spelling(_ value: Value) -> String {
        switch value {
        case .null: "null"
        case .string(let text): "string(\(String(reflecting: text)))"
        case .number(let literal): "number(\(String(reflecting: literal)))"
        case .bool(let flag): "bool(\(flag))"
        case .json(let text): "json(\(String(reflecting: text)))"
        }
    }
}
