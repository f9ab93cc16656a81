import CleverTapContract

/// CleverTap's rules for `evtName` (clevertap.md).
enum EventRules {
    /// System events CleverTap refuses from the Upload API (``CleverTapRules/restrictedEventNames``).
    static let restrictedNames: [String] = CleverTapRules.restrictedEventNames

    private static let restrictedLowercased: [[UInt8]] = restrictedNames.map { Array($0.lowercased().utf8) }

    /// Checks the event name of a row (empty when missing); throws the first problem.
    static func check(eventName: UnsafeBufferPointer<UInt8>) throws(RowProblem) {
        guard !eventName.isEmpty else {
            throw RowProblem(field: "evtName", reason: .eventNameMissing, message: "evtName is missing or empty")
        }
        guard eventName.count <= RecordMapper.maxValueBytes else {
            throw RowProblem(
                field: "evtName", reason: .valueTooLong,
                message:
                    "evtName is \(eventName.count) bytes long; CleverTap allows at most \(RecordMapper.maxValueBytes)")
        }
        for byte in eventName {
            switch byte {
            case UInt8(ascii: "."), UInt8(ascii: ":"), UInt8(ascii: "$"), UInt8(ascii: "'"), UInt8(ascii: "\""),
                UInt8(ascii: "\\"):
                throw RowProblem(
                    field: "evtName", reason: .invalidEventName,
                    message:
                        "evtName contains \"\(Character(Unicode.Scalar(byte)))\", which CleverTap does not allow in event names (. : $ ' \" \\)"
                )
            default:
                continue
            }
        }
        if let index = restrictedIndex(eventName) {
            throw RowProblem(
                field: "evtName", reason: .restrictedEvent,
                message: "evtName \"\(restrictedNames[index])\" is a CleverTap system event, which cannot be uploaded")
        }
    }

    private static func restrictedIndex(_ name: UnsafeBufferPointer<UInt8>) -> Int? {
        nextName: for (index, restricted) in restrictedLowercased.enumerated() where restricted.count == name.count {
            for position in 0..<name.count {
                var byte = name[position]
                if byte >= 0x41 && byte <= 0x5a { byte |= 0x20 }
                guard byte == restricted[position] else { continue nextName }
            }
            return index
        }
        return nil
    }
}
