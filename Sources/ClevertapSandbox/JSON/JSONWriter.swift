/// Writes compact JSON into a byte array, by hand.
///
/// Objects are written with sorted keys so output is stable across processes
/// (Swift dictionaries iterate in a per-process random order). Callers that build
/// a response write their fixed keys in the order they choose with the
/// `key`/`raw` primitives.
struct JSONWriter {
    private(set) var bytes: [UInt8] = []

    init(reservingCapacity capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    /// The output as a `String`.
    var text: String { String(decoding: bytes, as: UTF8.self) }

    // MARK: - Values

    mutating func write(_ value: SandboxValue) {
        switch value {
        case .null: raw("null")
        case .bool(let bool): raw(bool ? "true" : "false")
        case .int(let int): write(int)
        case .double(let double): write(double)
        case .string(let string): write(string)
        case .array(let elements):
            bytes.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                write(element)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let members):
            write(members)
        }
    }

    /// An object with sorted keys.
    mutating func write(_ members: [String: SandboxValue]) {
        bytes.append(UInt8(ascii: "{"))
        for (index, key) in members.keys.sorted().enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            self.key(key)
            write(members[key]!)
        }
        bytes.append(UInt8(ascii: "}"))
    }

    mutating func write(_ int: Int) {
        if int == 0 {
            bytes.append(UInt8(ascii: "0"))
            return
        }
        var magnitude = int.magnitude
        if int < 0 { bytes.append(UInt8(ascii: "-")) }
        var digits:
            (
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8
            ) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { buffer in
            var index = buffer.count
            while magnitude > 0 {
                index -= 1
                buffer[index] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            }
            bytes.append(contentsOf: buffer[index...])
        }
    }

    mutating func write(_ double: Double) {
        if double.isFinite, double == double.rounded(.towardZero), abs(double) < 1e15 {
            // Whole doubles keep a fraction so they read back as doubles.
            raw(String(Int(double)))
            raw(".0")
        } else if double.isFinite {
            raw(String(double))
        } else {
            raw("null")
        }
    }

    mutating func write(_ string: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): raw("\\\"")
            case UInt8(ascii: "\\"): raw("\\\\")
            case 0x0A: raw("\\n")
            case 0x0D: raw("\\r")
            case 0x09: raw("\\t")
            case 0..<0x20:
                raw("\\u00")
                bytes.append(Self.hexDigits[Int(byte >> 4)])
                bytes.append(Self.hexDigits[Int(byte & 0x0F)])
            default:
                bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    // MARK: - Structure

    /// Writes `"name":`.
    mutating func key(_ name: String) {
        write(name)
        bytes.append(UInt8(ascii: ":"))
    }

    /// Appends text verbatim: punctuation or an already-encoded fragment.
    mutating func raw(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    mutating func raw(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}
