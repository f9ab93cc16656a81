/// Checks that the input is UTF-8 text before libyaml sees it.
///
/// libyaml would find most of these problems too, but it decodes ahead of the
/// scanner, so which error wins depends on its buffer size, and it reports
/// them by byte offset only. Checking first gives one deterministic answer
/// with a line and column, and lets binary files be called what they are.
enum TextValidation {
    /// Throws for the first byte that makes the input unacceptable.
    static func check(_ source: SourceText) throws(YAMLError) {
        let bytes = source.bytes
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            throw YAMLError(
                kind: .encoding,
                message: "file is UTF-16 or UTF-32 encoded (it starts with a byte order mark); only UTF-8 is supported",
                mark: source.mark(ofByte: 0))
        }
        // A NUL byte near the start means a binary file (git's test, over the same 8000
        // bytes): say that, rather than name whatever odd byte happens to come first.
        if let nul = bytes.prefix(binaryProbeBytes).firstIndex(of: 0) {
            throw YAMLError(kind: .encoding, message: notText, mark: source.mark(ofByte: nul))
        }
        guard let problem = bytes.withUnsafeBufferPointer(firstProblem(in:)) else { return }
        throw YAMLError(kind: problem.kind, message: problem.message, mark: source.mark(ofByte: problem.offset))
    }

    /// How far from the start a NUL byte makes the whole file binary.
    static let binaryProbeBytes = 8000

    private static let notText = "file is not text (it contains a NUL byte)"

    private struct Problem {
        let offset: Int
        let kind: YAMLError.Kind
        let message: String
    }

    private static func firstProblem(in bytes: UnsafeBufferPointer<UInt8>) -> Problem? {
        var index = 0
        while index < bytes.count {
            let lead = bytes[index]
            if lead < 0x80 {
                if lead >= 0x20 && lead != 0x7F || lead == 0x09 || lead == 0x0A || lead == 0x0D {
                    index += 1
                    continue
                }
                if lead == 0 {
                    return Problem(offset: index, kind: .encoding, message: notText)
                }
                return control(UInt32(lead), at: index)
            }

            guard let (length, value) = decode(bytes, at: index) else {
                let byte = "0x" + DisplayText.hex(UInt32(lead), width: 2)
                return Problem(
                    offset: index, kind: .encoding,
                    message: "invalid UTF-8 (byte \(byte)); the file must be UTF-8 encoded")
            }
            // The characters libyaml's reader refuses beyond ASCII: C1 controls
            // other than NEL, and the noncharacters U+FFFE and U+FFFF.
            if (0x80...0x9F).contains(value) && value != 0x85 || value == 0xFFFE || value == 0xFFFF {
                return control(value, at: index)
            }
            index += length
        }
        return nil
    }

    private static func control(_ value: UInt32, at offset: Int) -> Problem {
        Problem(
            offset: offset, kind: .reader,
            message: "control character U+\(DisplayText.hex(value, width: 4)) is not allowed")
    }

    /// Decodes one multi-byte scalar, refusing overlong forms, surrogates and
    /// values beyond U+10FFFF as the Unicode standard requires.
    private static func decode(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> (length: Int, value: UInt32)? {
        let lead = bytes[index]
        let (length, secondRange): (Int, ClosedRange<UInt8>)
        switch lead {
        case 0xC2...0xDF: (length, secondRange) = (2, 0x80...0xBF)
        case 0xE0: (length, secondRange) = (3, 0xA0...0xBF)
        case 0xE1...0xEC, 0xEE...0xEF: (length, secondRange) = (3, 0x80...0xBF)
        case 0xED: (length, secondRange) = (3, 0x80...0x9F)
        case 0xF0: (length, secondRange) = (4, 0x90...0xBF)
        case 0xF1...0xF3: (length, secondRange) = (4, 0x80...0xBF)
        case 0xF4: (length, secondRange) = (4, 0x80...0x8F)
        default: return nil
        }
        guard index + length <= bytes.count, secondRange.contains(bytes[index + 1]) else { return nil }
        var value = UInt32(lead) & (0xFF >> (length + 1))
        for offset in 1..<length {
            let byte = bytes[index + offset]
            guard byte & 0xC0 == 0x80 else { return nil }
            value = value << 6 | UInt32(byte & 0x3F)
        }
        return (length, value)
    }
}
