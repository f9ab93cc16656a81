/// Reads ISO 8601 dates and date-times into epoch seconds, by hand: `DateFormatter` and
/// `ISO8601DateFormatter` are slow, locale-sensitive and each accept only one shape.
///
/// Accepted, with `T`, `t` or one space between date and time:
/// - `2024-03-01` (midnight UTC)
/// - `2024-03-01T12:30`, `2024-03-01T12:30:45`, with an optional fraction `.123456` (or `,`),
///   which is dropped (seconds are floored)
/// - an optional zone: `Z`, `±hh:mm`, `±hhmm` or `±hh` (PostgreSQL writes `+00`);
///   without one the time is taken as UTC
///
/// Years run 0000–9999; months, days (leap years included), hours 00–23, minutes and
/// seconds 00–59 are range-checked.
enum TimestampParser {
    static func epochSeconds(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        var reader = Reader(bytes: bytes)
        guard let year = reader.digits(4), reader.skip(UInt8(ascii: "-")),
            let month = reader.digits(2), reader.skip(UInt8(ascii: "-")),
            let day = reader.digits(2)
        else { return nil }
        guard (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year) else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        if reader.atEnd { return days * 86_400 }

        guard let separator = reader.next(),
            separator == UInt8(ascii: "T") || separator == UInt8(ascii: "t") || separator == UInt8(ascii: " "),
            let hour = reader.digits(2), reader.skip(UInt8(ascii: ":")), let minute = reader.digits(2)
        else { return nil }
        var second: Int64 = 0
        if reader.skip(UInt8(ascii: ":")) {
            guard let value = reader.digits(2) else { return nil }
            second = value
            if reader.skip(UInt8(ascii: ".")) || reader.skip(UInt8(ascii: ",")) {
                guard reader.skipDigits() > 0 else { return nil }
            }
        }
        guard hour <= 23, minute <= 59, second <= 59 else { return nil }

        var offset: Int64 = 0
        if reader.skip(UInt8(ascii: "Z")) || reader.skip(UInt8(ascii: "z")) {
            offset = 0
        } else if let sign = reader.peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
            reader.index += 1
            guard let hours = reader.digits(2), hours <= 23 else { return nil }
            var minutes: Int64 = 0
            if !reader.atEnd {
                _ = reader.skip(UInt8(ascii: ":"))
                guard let value = reader.digits(2), value <= 59 else { return nil }
                minutes = value
            }
            offset = (hours * 60 + minutes) * 60
            if sign == UInt8(ascii: "-") { offset = -offset }
        }
        guard reader.atEnd else { return nil }
        return days * 86_400 + hour * 3600 + minute * 60 + second - offset
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        var atEnd: Bool { index == bytes.count }

        func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func next() -> UInt8? {
            guard index < bytes.count else { return nil }
            defer { index += 1 }
            return bytes[index]
        }

        mutating func skip(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        /// Exactly `count` decimal digits.
        mutating func digits(_ count: Int) -> Int64? {
            guard index + count <= bytes.count else { return nil }
            var value: Int64 = 0
            for offset in 0..<count {
                let byte = bytes[index + offset]
                guard MappingText.isDigit(byte) else { return nil }
                value = value * 10 + Int64(byte - 0x30)
            }
            index += count
            return value
        }

        mutating func skipDigits() -> Int {
            let start = index
            while index < bytes.count, MappingText.isDigit(bytes[index]) { index += 1 }
            return index - start
        }
    }
}
