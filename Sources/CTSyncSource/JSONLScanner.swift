import CTSyncSpec

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Splits an ``InputBuffer`` into lines and turns each into a ``RowEvent`` with a
/// ``JSONCursor``: every line is validated in full, but only the projected top-level keys
/// become ``Value``s. A non-copyable value, like ``CSVScanner``, so the per-line work
/// touches plain memory.
struct JSONLScanner: ~Copyable {
    var buffer: InputBuffer
    private let options: JSONLOptions
    /// The distinct projected keys, as UTF-8.
    private var keys: [[UInt8]] = []
    /// For each projected column, its index in `keys`.
    private var keyOfColumn: [Int] = []
    /// The current line's value for each key in `keys`.
    private var slots: [Value] = []
    /// The physical line most recently read.
    private var line = 0

    init(buffer: consuming InputBuffer, options: JSONLOptions) {
        self.buffer = buffer
        self.options = options
    }

    /// Selects the keys each row carries, in this order.
    mutating func project(_ wanted: [String]) {
        keys = []
        keyOfColumn = []
        var indexOfKey: [String: Int] = [:]
        for name in wanted {
            if let index = indexOfKey[name] {
                keyOfColumn.append(index)
            } else {
                indexOfKey[name] = keys.count
                keyOfColumn.append(keys.count)
                keys.append(Array(name.utf8))
            }
        }
        slots = Array(repeating: .null, count: keys.count)
    }

    /// The next non-blank line's event, or nil at the end of the input.
    mutating func nextEvent() throws(SourceError) -> RowEvent? {
        while let (start, end, isTooLong) = try nextLine() {
            line += 1
            if isTooLong {
                return .invalid(
                    line: line, message: "line is longer than the \(SourceWording.bytes(options.maxLineBytes)) limit")
            }
            if isBlank(start..<end) { continue }
            return event(for: start..<end)
        }
        return nil
    }

    // MARK: Sampling

    /// One line read whole, for sampling a source (`ctsync init`, `ctsync check`).
    enum SampledLine {
        /// Every top-level member of the line's object, in the order written.
        case members(line: Int, [(key: String, value: Value)])
        case invalid(line: Int, message: String)
    }

    /// The next non-blank line with every top-level member built (not only the
    /// projected ones), or nil at the end of the input. Slower than `nextEvent`: for
    /// the first lines of a source only.
    mutating func nextMembers() throws(SourceError) -> SampledLine? {
        while let (start, end, isTooLong) = try nextLine() {
            line += 1
            if isTooLong {
                return .invalid(
                    line: line, message: "line is longer than the \(SourceWording.bytes(options.maxLineBytes)) limit")
            }
            if isBlank(start..<end) { continue }
            var cursor = JSONCursor(base: buffer.base + start, count: end - start, maxDepth: options.maxDepth)
            var key: JSONCursor.StringToken?
            do throws(JSONCursor.Failure) {
                cursor.skipWhitespace()
                guard cursor.current == UInt8(ascii: "{") else {
                    return .invalid(line: line, message: "line is not a JSON object")
                }
                cursor.index += 1
                cursor.skipWhitespace()
                var members: [(key: String, value: Value)] = []
                if cursor.current == UInt8(ascii: "}") {
                    cursor.index += 1
                } else {
                    members: while true {
                        guard cursor.current == UInt8(ascii: "\"") else {
                            throw cursor.unexpectedCharacter("expected a string key")
                        }
                        let token = try cursor.scanString()
                        key = token
                        cursor.skipWhitespace()
                        try cursor.expect(UInt8(ascii: ":"), "expected ':' after a key")
                        cursor.skipWhitespace()
                        let value = try cursor.scanValue(depth: 1, build: true)
                        members.append((cursor.text(of: token), value))
                        key = nil
                        cursor.skipWhitespace()
                        switch cursor.current {
                        case UInt8(ascii: ","):
                            cursor.index += 1
                            cursor.skipWhitespace()
                        case UInt8(ascii: "}"):
                            cursor.index += 1
                            break members
                        default:
                            throw cursor.unexpectedCharacter("expected ',' or '}' after a member")
                        }
                    }
                }
                cursor.skipWhitespace()
                guard cursor.isAtEnd else { throw cursor.failure("unexpected text after the object") }
                return .members(line: line, members)
            } catch {
                return .invalid(line: line, message: Self.message(for: error, cursor: &cursor, key: key))
            }
        }
        return nil
    }

    // MARK: Lines

    /// The next line's bounds in `buffer` (without its LF), or nil at the end. A line over
    /// the limit is skipped without being kept in memory, and its bounds mean nothing.
    private mutating func nextLine() throws(SourceError) -> (start: Int, end: Int, isTooLong: Bool)? {
        var start = buffer.position
        var searchFrom = start
        var isTooLong = false
        while true {
            let end = buffer.end
            if searchFrom < end, let hit = memchr(buffer.base + searchFrom, 0x0A, end - searchFrom) {
                let lineFeed = UnsafeRawPointer(buffer.base).distance(to: UnsafeRawPointer(hit))
                buffer.position = lineFeed + 1
                return (start, lineFeed, isTooLong || lineFeed - start > options.maxLineBytes)
            }
            if !isTooLong && end - start > options.maxLineBytes { isTooLong = true }
            let moved = try buffer.refill(keeping: isTooLong ? end : start)
            start -= moved
            searchFrom = end - moved
            if buffer.end == searchFrom {
                buffer.position = buffer.end
                if !isTooLong && searchFrom == start { return nil }
                return (start, searchFrom, isTooLong)
            }
        }
    }

    private func isBlank(_ range: Range<Int>) -> Bool {
        for index in range {
            switch buffer.base[index] {
            case 0x20, 0x09, 0x0D: continue
            default: return false
            }
        }
        return true
    }

    // MARK: Objects

    private mutating func event(for range: Range<Int>) -> RowEvent {
        var cursor = JSONCursor(base: buffer.base + range.lowerBound, count: range.count, maxDepth: options.maxDepth)
        var key: JSONCursor.StringToken?
        do throws(JSONCursor.Failure) {
            for slot in slots.indices { slots[slot] = .null }
            cursor.skipWhitespace()
            guard cursor.current == UInt8(ascii: "{") else {
                // Say what the line is only when it is one whole JSON value: from its
                // first byte alone, "not json" would read as "it is null".
                guard let kind = Self.kindOfValue(startingWith: cursor.current) else {
                    throw cursor.unexpectedCharacter("expected a value")
                }
                _ = try cursor.scanValue(depth: 0, build: false)
                cursor.skipWhitespace()
                guard cursor.isAtEnd else { throw cursor.failure("unexpected text after the value") }
                return .invalid(line: line, message: "line is not a JSON object (it is \(kind))")
            }
            cursor.index += 1
            cursor.skipWhitespace()
            if cursor.current == UInt8(ascii: "}") {
                cursor.index += 1
            } else {
                try readMembers(&cursor, key: &key)
            }
            cursor.skipWhitespace()
            guard cursor.isAtEnd else {
                throw cursor.failure("unexpected text after the object")
            }
        } catch {
            return .invalid(line: line, message: Self.message(for: error, cursor: &cursor, key: key))
        }
        var values: [Value] = []
        values.reserveCapacity(keyOfColumn.count)
        for slot in keyOfColumn { values.append(slots[slot]) }
        return .row(line: line, values: values)
    }

    /// Reads the top-level members, building the projected ones; `key` is the member
    /// being read, for error messages.
    private mutating func readMembers(
        _ cursor: inout JSONCursor, key: inout JSONCursor.StringToken?
    ) throws(JSONCursor.Failure) {
        while true {
            guard cursor.current == UInt8(ascii: "\"") else {
                throw cursor.unexpectedCharacter("expected a string key")
            }
            let token = try cursor.scanString()
            cursor.skipWhitespace()
            try cursor.expect(UInt8(ascii: ":"), "expected ':' after a key")
            cursor.skipWhitespace()
            key = token
            let slot = slotOfKey(token, in: &cursor)
            let value = try cursor.scanValue(depth: 1, build: slot != nil)
            if let slot { slots[slot] = value }
            key = nil
            cursor.skipWhitespace()
            switch cursor.current {
            case UInt8(ascii: ","):
                cursor.index += 1
                cursor.skipWhitespace()
            case UInt8(ascii: "}"):
                cursor.index += 1
                return
            default:
                throw cursor.unexpectedCharacter("expected ',' or '}' after a member")
            }
        }
    }

    /// The slot of a projected key, or nil for a key nobody asked for.
    private func slotOfKey(_ token: JSONCursor.StringToken, in cursor: inout JSONCursor) -> Int? {
        guard !keys.isEmpty else { return nil }
        if token.isEscaped {
            let name = Array(cursor.text(of: token).utf8)
            return keys.firstIndex(of: name)
        }
        let length = token.end - token.start
        let bytes = cursor.base + token.start
        for (slot, key) in keys.enumerated() where key.count == length {
            if key.withUnsafeBufferPointer({ memcmp($0.baseAddress!, bytes, length) == 0 }) { return slot }
        }
        return nil
    }

    // MARK: Messages

    private static func kindOfValue(startingWith byte: UInt8) -> String? {
        switch byte {
        case UInt8(ascii: "["): "an array"
        case UInt8(ascii: "\""): "a string"
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): "a number"
        case UInt8(ascii: "t"), UInt8(ascii: "f"): "a boolean"
        case UInt8(ascii: "n"): "null"
        default: nil
        }
    }

    /// `invalid JSON at column 12 (in "email"): unterminated string`; columns count
    /// characters from 1.
    private static func message(
        for failure: JSONCursor.Failure, cursor: inout JSONCursor, key: JSONCursor.StringToken?
    ) -> String {
        var column = 1
        for offset in 0..<min(failure.offset, cursor.count) where cursor.base[offset] & 0xC0 != 0x80 {
            column += 1
        }
        let place = key.map { " (in \(SourceWording.quoted(cursor.text(of: $0))))" } ?? ""
        switch failure.kind {
        case .invalidUTF8:
            return "invalid UTF-8 at column \(column)\(place)"
        case .syntax(let reason):
            return "invalid JSON at column \(column)\(place): \(reason)"
        }
    }
}
