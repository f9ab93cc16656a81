/// A transform's name as job files spell it: one case a transform. The decoder, the
/// job schema, lint's compatibility table and the mapper all name transforms by it.
public enum TransformKind: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case trim
    case lowercase
    case uppercase
    case msToS = "ms_to_s"
    case iso8601
    case date
    case number
    case bool
    case string
    case e164
    case gender
    case `default`
    case split

    /// Whether a transform takes an argument, written as a one-key map (`{ split: "|" }`).
    public enum ArgumentUse: Sendable {
        case none
        case optional
        case required
    }

    /// The spelling in job files.
    public var name: String { rawValue }

    public var description: String { rawValue }

    public var argument: ArgumentUse {
        switch self {
        case .default: .required
        case .e164, .split: .optional
        case .trim, .lowercase, .uppercase, .msToS, .iso8601, .date, .number, .bool, .string, .gender: .none
        }
    }

    /// The transform with its argument as written (after `${VAR}` interpolation), or nil
    /// when written without one. This is the only place arguments are checked: the mapper
    /// receives them parsed, so an argument `lint` accepts cannot fail rows in `plan`.
    public func transform(argument: String?) throws(TransformArgumentError) -> Transform {
        switch (self.argument, argument) {
        case (.none, .some): throw .unexpected(self)
        case (.required, nil): throw .missing(self)
        default: break
        }
        switch self {
        case .trim: return .trim
        case .lowercase: return .lowercase
        case .uppercase: return .uppercase
        case .msToS: return .msToS
        case .iso8601: return .iso8601
        case .date: return .date
        case .number: return .number
        case .bool: return .bool
        case .string: return .string
        case .gender: return .gender
        case .e164:
            guard let argument else { return .e164(defaultCountryCode: nil) }
            return .e164(defaultCountryCode: try CountryCode(argument))
        case .default:
            return .default(argument ?? "")
        case .split:
            guard let argument else { return .split(separator: .comma) }
            return .split(separator: try SplitSeparator(argument))
        }
    }
}

/// A value transform with its parsed argument, applied in order.
public enum Transform: Sendable, Hashable {
    case trim
    case lowercase
    case uppercase
    /// Epoch milliseconds to epoch seconds (integer division).
    case msToS
    /// ISO 8601 date-time to epoch seconds.
    case iso8601
    /// Epoch seconds or an ISO 8601 date/date-time to CleverTap's `$D_<seconds>`.
    case date
    case number
    case bool
    case string
    /// A phone number normalised to E.164, with a default country code for numbers without one.
    case e164(defaultCountryCode: CountryCode?)
    /// Common spellings (male, f, Female…) to CleverTap's `M`/`F`.
    case gender
    /// The replacement for an empty or null value.
    case `default`(String)
    /// Splits a string on the separator into a multi-value `$add`.
    case split(separator: SplitSeparator)

    public var kind: TransformKind {
        switch self {
        case .trim: .trim
        case .lowercase: .lowercase
        case .uppercase: .uppercase
        case .msToS: .msToS
        case .iso8601: .iso8601
        case .date: .date
        case .number: .number
        case .bool: .bool
        case .string: .string
        case .e164: .e164
        case .gender: .gender
        case .default: .default
        case .split: .split
        }
    }

    /// The spelling in job files.
    public var name: String { kind.rawValue }

    /// Every transform name a job file may use.
    public static var names: [String] { TransformKind.allCases.map(\.rawValue) }
}

/// The default country code of `e164`: `+` and 1 to 3 digits, the first not 0 (`+1`, `+44`, `+971`).
public struct CountryCode: Sendable, Hashable, CustomStringConvertible {
    /// The digits without the `+`: `44`.
    public let digits: String

    /// The same rule as a regular expression, for the job schema.
    public static let pattern = "^\\+[1-9][0-9]{0,2}$"

    public init(_ text: String) throws(TransformArgumentError) {
        let scalars = text.unicodeScalars
        let digits = scalars.dropFirst()
        guard scalars.first == "+", (1...3).contains(digits.count),
            digits.allSatisfy({ ("0"..."9").contains($0) }), digits.first != "0"
        else { throw .invalidCountryCode(text) }
        self.digits = String(String.UnicodeScalarView(digits))
    }

    public var description: String { "+" + digits }
}

/// The separator of `split`: any non-empty text.
public struct SplitSeparator: Sendable, Hashable, CustomStringConvertible {
    public let text: String

    /// What `split` splits on when written without an argument.
    public static let comma = SplitSeparator(checked: ",")

    public init(_ text: String) throws(TransformArgumentError) {
        guard !text.isEmpty else { throw .emptySeparator }
        self.text = text
    }

    private init(checked text: String) {
        self.text = text
    }

    public var description: String { text }
}

/// Why a transform's argument is refused.
public enum TransformArgumentError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An argument given to a transform that takes none.
    case unexpected(TransformKind)
    /// A required argument left out.
    case missing(TransformKind)
    /// An `e164` default country code that is not `+` and 1 to 3 digits.
    case invalidCountryCode(String)
    case emptySeparator

    /// Whether the problem is in the argument's value (the finding points at the value)
    /// rather than in how the transform is written.
    public var concernsValue: Bool {
        switch self {
        case .unexpected, .missing: false
        case .invalidCountryCode, .emptySeparator: true
        }
    }

    public var description: String {
        switch self {
        case .unexpected(let kind):
            "transform \"\(kind)\" takes no argument"
        case .missing(let kind):
            "transform \"\(kind)\" needs an argument, e.g. { \(kind): unknown }"
        case .invalidCountryCode(let text):
            "the e164 default country code \(Self.quoted(text)) is not + and 1 to 3 digits, the first not 0 (e.g. \"+1\" or \"+91\")"
        case .emptySeparator:
            "the split separator must not be empty"
        }
    }

    /// The text quoted, whole up to 32 scalars: a hostile argument costs a short line.
    static func quoted(_ text: String) -> String {
        let limit = 32
        guard text.unicodeScalars.count > limit else { return "\"\(text)\"" }
        return "\"\(String(String.UnicodeScalarView(text.unicodeScalars.prefix(limit))))…\" (\(text.utf8.count) bytes)"
    }
}
