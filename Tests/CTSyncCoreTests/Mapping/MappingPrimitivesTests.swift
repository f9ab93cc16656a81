import Testing

@testable import CTSyncSupport
@testable import CleverTapContract
@testable import CTSyncSpec
@testable import CTSyncSource
@testable import CTSyncMapping
@testable import CTSyncPlan
@testable import CTSyncState
@testable import CTSyncReport
@testable import CTSyncUpload
@testable import CTSyncSession

/// The byte-level building blocks of the mapper, at their edges.
@Suite struct MappingPrimitivesTests {
    static func decimal(_ value: Int64) -> String {
        var buffer = RawBuffer<UInt8>(capacity: 1)
        defer { buffer.free() }
        buffer.append("x")
        buffer.appendDecimal(value)
        return String(decoding: buffer.array, as: UTF8.self)
    }

    @Test(
        arguments: [
            0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, 12345, 1_468_308_340, -1, -10, -99, -100,
            100_000_000_000, Int64.max, Int64.min, Int64.min + 1,
        ] as [Int64])
    func appendDecimal(_ value: Int64) {
        #expect(Self.decimal(value) == "x\(value)")
    }

    @Test func bufferGrowsAndCopies() {
        var buffer = RawBuffer<UInt8>(capacity: 1)
        defer { buffer.free() }
        for index in 0..<1000 { buffer.append(UInt8(truncatingIfNeeded: index)) }
        buffer.appendCopy(of: 10..<20)
        #expect(buffer.count == 1010)
        #expect(Array(buffer[1000..<1010]) == Array(10..<20))
    }

    static func floor(_ text: String) -> Int64? {
        Array(text.utf8).withUnsafeBufferPointer { bytes in NumberLiteral(bytes)?.floorInteger(bytes) }
    }

    @Test func floorInteger() {
        #expect(Self.floor("0") == 0)
        #expect(Self.floor("-0.0") == 0)
        #expect(Self.floor("0.5") == 0)
        #expect(Self.floor("-0.5") == -1)
        #expect(Self.floor("-1.5") == -2)
        #expect(Self.floor("-2") == -2)
        #expect(Self.floor("12.99") == 12)
        #expect(Self.floor("1.5e1") == 15)
        #expect(Self.floor("15e-1") == 1)
        #expect(Self.floor("9223372036854775807") == Int64.max)
        #expect(Self.floor("9223372036854775808") == nil)
        #expect(Self.floor("-9223372036854775807") == -Int64.max)
        #expect(Self.floor("1e19") == nil)
        #expect(Self.floor("1e18") == 1_000_000_000_000_000_000)
        #expect(Self.floor("1e-1000000000") == 0, "the exponent saturates")
    }

    @Test func daysFromCivil() {
        #expect(TimestampParser.daysFromCivil(year: 1970, month: 1, day: 1) == 0)
        #expect(TimestampParser.daysFromCivil(year: 2000, month: 3, day: 1) == 11_017)
        #expect(TimestampParser.daysFromCivil(year: 1969, month: 12, day: 31) == -1)
        #expect(TimestampParser.daysFromCivil(year: 1600, month: 2, day: 29) == -135_081)
    }

    static func trimmed(_ text: String) -> String {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { buffer in
            let range = MappingText.trimmed(0..<buffer.count, in: buffer)
            return String(decoding: buffer[range], as: UTF8.self)
        }
    }

    @Test func trimmedKeepsInnerSpaceAndNonSpaceUnicode() {
        #expect(Self.trimmed("\u{3000} a\u{00A0}b \u{2028}") == "a\u{00A0}b")
        #expect(Self.trimmed("ü") == "ü")
        #expect(Self.trimmed("\u{FEFF}x") == "\u{FEFF}x", "a byte order mark is not white space")
        #expect(Self.trimmed(" \t ") == "")
        #expect(Self.trimmed("☕ ") == "☕")
    }
}
