/// A loaded file's bytes and the path the user gave for it.
///
/// Kept beside the parsed tree so that any later stage can quote the source
/// line in a diagnostic.
public struct SourceText: Sendable {
    /// The path as the user gave it; used in every mark and message.
    public let path: String
    /// The raw file contents.
    public let bytes: [UInt8]
    /// Byte offset of the start of each line, computed once so that rendering
    /// many diagnostics for one large file stays linear.
    private let lineStarts: [Int]
    /// The lines longer than ``longLineBytes``, by 1-based number, decoded once.
    private let longLines: [Int: LongLine]

    /// Lines longer than this are shown as a window around the caret, so that
    /// a minified one-line file does not flood the terminal.
    static let maxExcerptScalars = 160

    /// Lines longer than this many bytes are decoded once, with an index into their
    /// scalars: thousands of findings on one long line (a minified file, or an anchor
    /// every alias points back to) then cost a window each instead of the whole line each.
    static let longLineBytes = 2 * maxExcerptScalars

    /// Wraps bytes already in memory.
    public init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
        let lineStarts = LineBreaks.lineStarts(in: bytes)
        self.lineStarts = lineStarts
        var longLines: [Int: LongLine] = [:]
        for (index, start) in lineStarts.enumerated() {
            let next = index + 1 < lineStarts.count ? lineStarts[index + 1] : bytes.count
            guard next - start > Self.longLineBytes,
                let range = Self.contentRange(ofLine: index + 1, in: bytes, lineStarts: lineStarts),
                range.count > Self.longLineBytes
            else { continue }
            longLines[index + 1] = LongLine(Self.displayText(bytes[range]))
        }
        self.longLines = longLines
    }

    /// The number of lines; a final line break starts one more, empty, line.
    public var lineCount: Int { lineStarts.count }

    /// The text of a 1-based line, without its line break.
    ///
    /// Invalid UTF-8 is repaired, and control characters other than tab and
    /// bidirectional overrides are shown as U+FFFD, one for one, so columns
    /// still line up and a hostile file cannot send escape sequences to the
    /// terminal or make a line read differently from what it is.
    public func line(_ number: Int) -> String? {
        if let long = longLines[number] { return long.text }
        guard let range = contentRange(ofLine: number) else { return nil }
        return Self.displayText(bytes[range])
    }

    private static func displayText(_ bytes: ArraySlice<UInt8>) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in String(decoding: bytes, as: UTF8.self).unicodeScalars {
            scalars.append(scalar != "\t" && DisplayText.isUnsafeToDisplay(scalar) ? "\u{FFFD}" : scalar)
        }
        return String(scalars)
    }

    /// The source line and a caret under `column`, the way compilers show it:
    ///
    ///       12 |   phone: [e164
    ///          |          ^
    ///
    /// The line number is right-aligned in four columns (wider when needed).
    /// Columns count Unicode scalars, 1-based; tabs before the caret are
    /// repeated in the caret line so it stays aligned in any terminal.
    /// Returns an empty string when the line does not exist.
    public func excerpt(line number: Int, column: Int) -> String {
        let count: Int
        let window: (Range<Int>) -> [Unicode.Scalar]
        if let long = longLines[number] {
            count = long.scalarCount
            window = long.scalars
        } else {
            guard let text = line(number) else { return "" }
            let scalars = Array(text.unicodeScalars)
            count = scalars.count
            window = { Array(scalars[$0]) }
        }
        let caret = max(0, column - 1)

        var start = 0
        var end = count
        if count > Self.maxExcerptScalars {
            let half = Self.maxExcerptScalars / 2
            start = max(0, min(caret - half, count - Self.maxExcerptScalars))
            end = min(count, start + Self.maxExcerptScalars)
        }
        let lead = start > 0 ? "…" : ""
        let trail = end < count ? "…" : ""

        let scalars = window(start..<end)
        var shown = String.UnicodeScalarView()
        shown.append(contentsOf: scalars)
        var padding = lead.isEmpty ? "" : " "
        for index in start..<max(start, caret) {
            padding += index < end && scalars[index - start] == "\t" ? "\t" : " "
        }

        let lineNumber = String(number)
        let gutter = String(repeating: " ", count: max(0, 4 - lineNumber.count)) + lineNumber
        let blank = String(repeating: " ", count: gutter.count)
        return "\(gutter) | \(lead)\(String(shown))\(trail)\n\(blank) | \(padding)^"
    }

    // MARK: - Locations

    /// The mark of a byte offset, for problems found by scanning bytes
    /// (encoding checks, libyaml's reader) rather than reported by libyaml's scanner.
    func mark(ofByte offset: Int) -> Mark {
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if lineStarts[middle] <= offset { low = middle } else { high = middle - 1 }
        }
        var start = lineStarts[low]
        if low == 0 && LineBreaks.hasByteOrderMark(bytes) {
            start = min(LineBreaks.byteOrderMark.count, offset)
        }
        let column = bytes[start..<min(offset, bytes.count)].reduce(1) { count, byte in
            byte & 0xC0 == 0x80 ? count : count + 1
        }
        return Mark(file: path, line: low + 1, column: column)
    }

    /// The Unicode scalar at a 1-based line and column, if there is one.
    func scalar(line number: Int, column: Int) -> Unicode.Scalar? {
        guard column >= 1, let text = line(number) else { return nil }
        return text.unicodeScalars.dropFirst(column - 1).first
    }

    /// The bytes of a line without its break, and without the byte order mark on line 1.
    private func contentRange(ofLine number: Int) -> Range<Int>? {
        Self.contentRange(ofLine: number, in: bytes, lineStarts: lineStarts)
    }

    private static func contentRange(ofLine number: Int, in bytes: [UInt8], lineStarts: [Int]) -> Range<Int>? {
        guard number >= 1, number <= lineStarts.count else { return nil }
        var start = lineStarts[number - 1]
        if number == 1 && LineBreaks.hasByteOrderMark(bytes) {
            start = LineBreaks.byteOrderMark.count
        }
        let limit = number < lineStarts.count ? lineStarts[number] : bytes.count
        return bytes.withUnsafeBufferPointer { buffer in
            var end = start
            while end < limit && LineBreaks.length(in: buffer, at: end) == 0 {
                end += 1
            }
            return start..<end
        }
    }
}

// MARK: - Long lines

extension SourceText {
    /// A long line as ``line(_:)`` shows it, with the index of every `stride`-th scalar,
    /// so that any window of it is found in a bounded number of steps.
    private struct LongLine: Sendable {
        static let stride = 64

        let text: String
        let scalarCount: Int
        private let checkpoints: [String.Index]

        init(_ text: String) {
            self.text = text
            var checkpoints: [String.Index] = []
            var count = 0
            for index in text.unicodeScalars.indices {
                if count % Self.stride == 0 { checkpoints.append(index) }
                count += 1
            }
            self.scalarCount = count
            self.checkpoints = checkpoints
        }

        /// The scalars at `range`, counted from 0.
        func scalars(_ range: Range<Int>) -> [Unicode.Scalar] {
            Array(text.unicodeScalars[index(range.lowerBound)..<index(range.upperBound)])
        }

        private func index(_ offset: Int) -> String.Index {
            guard offset < scalarCount, !checkpoints.isEmpty else { return text.unicodeScalars.endIndex }
            let checkpoint = offset / Self.stride
            return text.unicodeScalars.index(checkpoints[checkpoint], offsetBy: offset - checkpoint * Self.stride)
        }
    }
}
