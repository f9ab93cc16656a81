/// A JSON value as the sandbox parses, stores and echoes it.
///
/// Integers and fractional numbers are kept apart (`int` vs `double`) because the
/// Upload API treats them differently: `ts` must be an integer, `1468308340.5` is a
/// different, invalid value. Objects are unordered; the sandbox writes them with
/// sorted keys, which is also how CleverTap echoes a refused record.
public enum SandboxValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// A number written without fraction or exponent that fits in `Int`.
    case int(Int)
    /// Any other JSON number.
    case double(Double)
    case string(String)
    case array([SandboxValue])
    case object([String: SandboxValue])
}

// MARK: - Accessors

extension SandboxValue {
    /// The member named `key` when this is an object, otherwise `nil`.
    public subscript(key: String) -> SandboxValue? {
        guard case .object(let members) = self else { return nil }
        return members[key]
    }

    /// The string payload, or `nil` for any other kind of value.
    public var stringValue: String? {
        guard case .string(let string) = self else { return nil }
        return string
    }

    /// The integer payload, or `nil` for any other kind of value (a `double` included).
    public var intValue: Int? {
        guard case .int(let int) = self else { return nil }
        return int
    }

    /// The number as a `Double` for `int` and `double`, otherwise `nil`.
    public var doubleValue: Double? {
        switch self {
        case .int(let int): Double(int)
        case .double(let double): double
        default: nil
        }
    }

    /// The boolean payload, or `nil` for any other kind of value.
    public var boolValue: Bool? {
        guard case .bool(let bool) = self else { return nil }
        return bool
    }

    /// The elements when this is an array, otherwise `nil`.
    public var arrayValue: [SandboxValue]? {
        guard case .array(let elements) = self else { return nil }
        return elements
    }

    /// The members when this is an object, otherwise `nil`.
    public var objectValue: [String: SandboxValue]? {
        guard case .object(let members) = self else { return nil }
        return members
    }

    /// Whether the value is a JSON number.
    public var isNumber: Bool {
        switch self {
        case .int, .double: true
        default: false
        }
    }

    /// Compact JSON text with sorted object keys.
    public var jsonText: String {
        var writer = JSONWriter()
        writer.write(self)
        return writer.text
    }
}

// MARK: - Literals

extension SandboxValue: ExpressibleByNilLiteral {
    public init(nilLiteral: ()) { self = .null }
}

extension SandboxValue: ExpressibleByBooleanLiteral {
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension SandboxValue: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int) { self = .int(value) }
}

extension SandboxValue: ExpressibleByFloatLiteral {
    public init(floatLiteral value: Double) { self = .double(value) }
}

extension SandboxValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
}

extension SandboxValue: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: SandboxValue...) { self = .array(elements) }
}

extension SandboxValue: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, SandboxValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}

extension SandboxValue: CustomStringConvertible {
    public var description: String { jsonText }
}
