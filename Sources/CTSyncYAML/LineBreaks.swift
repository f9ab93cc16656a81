/// Line breaks exactly as libyaml 0.2.5 counts them (it reads YAML 1.1, where
/// NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR also end a line), so that the
/// lines we display are the lines its marks refer to.
enum LineBreaks {
    /// The UTF-8 byte order mark, which libyaml skips without counting a column.
    static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// The length in bytes of the line break starting at `index`, or 0 when there is none.
    static func length(in bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Int {
        let count = bytes.count
        switch bytes[index] {
        case 0x0A:
            return 1
        case 0x0D:
            return index + 1 < count && bytes[index + 1] == 0x0A ? 2 : 1
        case 0xC2:
            return index + 1 < count && bytes[index + 1] == 0x85 ? 2 : 0
        case 0xE2:
            let isSeparator =
                index + 2 < count && bytes[index + 1] == 0x80
                && (bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9)
            return isSeparator ? 3 : 0
        default:
            return 0
        }
    }

    /// The byte offset at which each line starts; the first is always 0.
    static func lineStarts(in bytes: [UInt8]) -> [Int] {
        bytes.withUnsafeBufferPointer { buffer in
            var starts = [0]
            var index = 0
            while index < buffer.count {
                let length = length(in: buffer, at: index)
                if length == 0 {
                    index += 1
                } else {
                    index += length
                    starts.append(index)
                }
            }
            return starts
        }
    }

    /// Whether `bytes` starts with a UTF-8 byte order mark.
    static func hasByteOrderMark(_ bytes: [UInt8]) -> Bool {
        bytes.starts(with: byteOrderMark)
    }
}
