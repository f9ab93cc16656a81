import CTSyncSpec

/// A value on its way from a source cell to a record property: what transforms read and
/// produce, and what validation checks before it is written.
///
/// Plain data, so the per-row path does no reference counting: text lives in the row's
/// ``RowArena`` and is referred to by byte range.
enum MappedValue {
    case null
    /// UTF-8 text: a range of ``RowArena/bytes``.
    case text(Range<Int>)
    /// A JSON number literal as written (a range of ``RowArena/bytes``); normalised when written.
    case number(Range<Int>)
    /// An integer produced by a transform (`ms_to_s`, `iso8601`).
    case integer(Int64)
    case bool(Bool)
    /// Epoch seconds, written as CleverTap's `"$D_<seconds>"`.
    case date(Int64)
    /// Multi-value items from `split`: a range of ``RowArena/items``, written as `{"$add":[…]}`.
    case list(Range<Int>)

    /// Whether the value omits its property: null, empty text or an empty list.
    var isAbsent: Bool {
        switch self {
        case .null: true
        case .text(let range), .list(let range): range.isEmpty
        case .number, .integer, .bool, .date: false
        }
    }

    /// What kind of value this is, for messages ("got a boolean").
    var kindDescription: String {
        switch self {
        case .null: "nothing"
        case .text: "text"
        case .number, .integer: "a number"
        case .bool: "a boolean"
        case .date: "a date"
        case .list: "a multi-value list"
        }
    }
}

/// The storage of one row's values: the bytes of its cells and of transform results, and
/// the items of multi-value lists. The job's constants sit at the start of ``bytes`` and
/// survive ``reset()``, so constant values and arguments are ranges like any other.
struct RowArena {
    var bytes: RawBuffer<UInt8>
    var items: RawBuffer<Range<Int>>
    /// Bytes before this offset are the job's constants.
    var constantCount = 0

    init() {
        bytes = RawBuffer(capacity: 4096)
        items = RawBuffer(capacity: 128)
    }

    func free() {
        bytes.free()
        items.free()
    }

    /// Forgets the previous row's values, keeping the constants.
    @inline(__always)
    mutating func reset() {
        bytes.count = constantCount
        items.count = 0
    }

    @inline(__always)
    subscript(range: Range<Int>) -> UnsafeBufferPointer<UInt8> {
        bytes[range]
    }

    /// Copies a source cell into the arena.
    mutating func load(_ value: Value) -> MappedValue {
        switch value {
        case .null: .null
        case .string(let text): .text(bytes.append(text))
        case .number(let literal): .number(bytes.append(literal))
        case .bool(let flag): .bool(flag)
        // CleverTap does not reliably accept nested objects: send the JSON text as a string.
        case .json(let text): .text(bytes.append(text))
        }
    }

    /// The value as text, for targets that hold strings (`identity`, `evtName`) and the
    /// `string` and `split` transforms; nil for a list. Number literals keep their text.
    mutating func textForm(_ value: MappedValue) -> Range<Int>? {
        switch value {
        case .null:
            return bytes.count..<bytes.count
        case .text(let range), .number(let range):
            return range
        case .integer(let integer):
            let start = bytes.count
            bytes.appendDecimal(integer)
            return start..<bytes.count
        case .bool(let flag):
            let start = bytes.count
            let literal: StaticString = flag ? "true" : "false"
            bytes.append(literal)
            return start..<bytes.count
        case .date(let seconds):
            let start = bytes.count
            bytes.append("$D_")
            bytes.appendDecimal(seconds)
            return start..<bytes.count
        case .list:
            return nil
        }
    }

    /// The text at `range` as a `String`.
    func string(_ range: Range<Int>) -> String {
        String(decoding: bytes[range], as: UTF8.self)
    }
}
