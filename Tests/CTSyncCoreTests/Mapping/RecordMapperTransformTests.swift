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

/// Each transform on good and bad values, seen through the JSON it makes the mapper write
/// for a plain profile property (`"Value":…`), or the rejection it causes.
@Suite struct RecordMapperTransformTests {
    typealias F = MappingFixture

    static func value(_ cell: Value, _ transforms: [Transform]) -> String? {
        F.property(cell, transforms)
    }

    static func failed(_ cell: Value, _ transforms: [Transform]) -> RowRejection? {
        F.rejection(F.profile([F.map("v", to: "Value", transforms)]), ["id": F.s("u1"), "v": cell])
    }

    // MARK: No transform

    @Test func valuesKeepTheirSourceTypes() {
        #expect(Self.value(F.s("Platinum"), []) == "\"Platinum\"")
        #expect(Self.value(F.s("300"), []) == "\"300\"", "CSV text stays text without `number`")
        #expect(Self.value(.number("300"), []) == "300")
        #expect(Self.value(.number("1.50"), []) == "1.5")
        #expect(Self.value(.bool(true), []) == "true")
        #expect(Self.value(.json("{\"a\":[1,2]}"), []) == "\"{\\\"a\\\":[1,2]}\"", "nested JSON is sent as its text")
        #expect(Self.value(.null, []) == nil)
        #expect(Self.value(F.s(""), []) == nil)
    }

    @Test func nonFiniteJSONNumberIsRejected() {
        let rejection = Self.failed(.number("1e999"), [])
        #expect(rejection?.reason == .invalidNumber)
        #expect(rejection?.field == "Value")
    }

    // MARK: Text

    @Test func trim() {
        #expect(Self.value(F.s("  a b \t\n"), [.trim]) == "\"a b\"")
        #expect(Self.value(F.s("\u{00A0}x\u{2003}"), [.trim]) == "\"x\"", "Unicode white space goes too")
        #expect(Self.value(F.s("é "), [.trim]) == "\"é\"")
        #expect(Self.value(F.s("   "), [.trim]) == nil, "white space only omits the property")
        #expect(Self.value(.number("5"), [.trim]) == "5")
    }

    @Test func lowercaseAndUppercase() {
        #expect(Self.value(F.s("Jack@Example.COM"), [.lowercase]) == "\"jack@example.com\"")
        #expect(Self.value(F.s("already lower"), [.lowercase]) == "\"already lower\"")
        #expect(Self.value(F.s("ÄBC Déf"), [.lowercase]) == "\"äbc déf\"")
        #expect(Self.value(F.s("gold tier"), [.uppercase]) == "\"GOLD TIER\"")
        #expect(Self.value(F.s("straße"), [.uppercase]) == "\"STRASSE\"")
        #expect(Self.value(.bool(true), [.uppercase]) == "true")
        #expect(Self.value(F.s(" Mixed "), [.trim, .uppercase]) == "\"MIXED\"")
    }

    @Test func string() {
        #expect(Self.value(.number("1.50"), [.string]) == "\"1.50\"", "number literal text is kept")
        #expect(Self.value(.bool(false), [.string]) == "\"false\"")
        #expect(Self.value(F.s("x"), [.string]) == "\"x\"")
        #expect(Self.value(F.s("1700000000123"), [.msToS, .string]) == "\"1700000000\"")
        #expect(Self.value(.null, [.string]) == nil)
    }

    // MARK: Numbers and time

    @Test func msToS() {
        #expect(Self.value(F.s("1700000000123"), [.msToS]) == "1700000000")
        #expect(Self.value(.number("1700000000999"), [.msToS]) == "1700000000")
        #expect(Self.value(F.s("1700000000123.0"), [.msToS]) == "1700000000")
        #expect(Self.value(.number("1.700000000123e12"), [.msToS]) == "1700000000")
        #expect(Self.value(F.s(" 1000 "), [.msToS]) == "1")
        #expect(Self.value(F.s("-1500"), [.msToS]) == "-2", "floors")
        #expect(Self.value(F.s("999"), [.msToS]) == "0")
        #expect(Self.value(.null, [.msToS]) == nil)
        for bad: Value in [F.s("abc"), F.s("1.5"), F.s("12:00"), .bool(true), F.s("99999999999999999999999")] {
            let rejection = Self.failed(bad, [.msToS])
            #expect(rejection?.reason == .transformFailed, "\(bad)")
            #expect(rejection?.message.hasPrefix("transform ms_to_s on Value failed: ") == true)
        }
    }

    @Test(arguments: [
        ("2024-03-01", 1_709_251_200),
        ("2024-03-01T12:30:45Z", 1_709_296_245),
        ("2024-03-01t12:30:45z", 1_709_296_245),
        ("2024-03-01T12:30:45.123456Z", 1_709_296_245),
        ("2024-03-01T12:30:45,9Z", 1_709_296_245),
        ("2024-03-01T12:30:45+05:30", 1_709_276_445),
        ("2024-03-01T12:30:45+0530", 1_709_276_445),
        ("2024-03-01T12:30:45-08:00", 1_709_325_045),
        ("2024-03-01 12:30:45", 1_709_296_245),
        ("2024-03-01 12:30:45+00", 1_709_296_245),
        ("2024-03-01 12:30:45.5+00", 1_709_296_245),
        ("2024-03-01T12:30", 1_709_296_200),
        ("2024-03-01T12:30Z", 1_709_296_200),
        (" 2024-03-01T12:30:45Z ", 1_709_296_245),
        ("2024-02-29T23:59:59Z", 1_709_251_199),
        ("1969-12-31T23:59:59Z", -1),
        ("1900-01-01", -2_208_988_800),
        ("9999-12-31T23:59:59Z", 253_402_300_799),
    ])
    func iso8601(_ text: String, seconds: Int) {
        #expect(Self.value(F.s(text), [.iso8601]) == String(seconds))
    }

    @Test(arguments: [
        "2023-02-29", "2024-13-01", "2024-00-10", "2024-04-31", "2024-03-01T24:00:00Z", "2024-03-01T12:60:00Z",
        "2024-03-01T12:30:60Z", "2024-03-01T12:30:45+24:00", "2024-03-01T12:30:45.Z", "12/03/2024", "2024-3-1",
        "20240301", "2024-03-01T", "2024-03-01T12", "2024-03-01X12:30:45", "2024-03-01T12:30:45 Z", "yesterday",
    ])
    func iso8601Rejects(_ text: String) {
        let rejection = Self.failed(F.s(text), [.iso8601])
        #expect(rejection?.reason == .transformFailed)
        #expect(rejection?.message.hasPrefix("transform iso8601 on Value failed: expected an ISO 8601") == true)
    }

    @Test func iso8601NeedsText() {
        #expect(Self.failed(.number("1709251200"), [.iso8601])?.reason == .transformFailed)
        #expect(Self.value(.null, [.iso8601]) == nil)
    }

    @Test func date() {
        #expect(Self.value(F.s("1487576752"), [.date]) == "\"$D_1487576752\"")
        #expect(Self.value(.number("1487576752"), [.date]) == "\"$D_1487576752\"")
        #expect(Self.value(.number("1487576752.9"), [.date]) == "\"$D_1487576752\"", "floors")
        #expect(Self.value(F.s("-315619200"), [.date]) == "\"$D_-315619200\"", "before 1970")
        #expect(Self.value(F.s("1987-03-10"), [.date]) == "\"$D_542332800\"")
        #expect(Self.value(F.s("2024-03-01T12:30:45+05:30"), [.date]) == "\"$D_1709276445\"")
        #expect(Self.value(F.s("$D_1487576752"), [.date]) == "\"$D_1487576752\"", "kept")
        #expect(Self.value(F.s("1700000000123"), [.msToS, .date]) == "\"$D_1700000000\"")
        #expect(Self.value(F.s("2024-03-01"), [.iso8601, .date]) == "\"$D_1709251200\"")
        #expect(Self.value(F.s(""), [.date]) == nil)
    }

    @Test func dateRejects() {
        let milliseconds = Self.failed(F.s("1700000000123"), [.date])
        #expect(milliseconds?.reason == .transformFailed)
        #expect(
            milliseconds?.message
                == "transform date on Value failed: the value looks like epoch milliseconds; add ms_to_s before date")
        for bad: Value in [F.s("soon"), F.s("$D_x"), F.s("10/03/1987"), .bool(true)] {
            #expect(Self.failed(bad, [.date])?.reason == .transformFailed, "\(bad)")
        }
    }

    @Test func number() {
        #expect(Self.value(F.s("12"), [.number]) == "12")
        #expect(Self.value(F.s("-3.5"), [.number]) == "-3.5")
        #expect(Self.value(F.s("1e3"), [.number]) == "1000")
        #expect(Self.value(F.s("2.5E-3"), [.number]) == "0.0025")
        #expect(Self.value(F.s("007"), [.number]) == "7")
        #expect(Self.value(F.s("1.50"), [.number]) == "1.5")
        #expect(Self.value(F.s("-0"), [.number]) == "0")
        #expect(Self.value(F.s("0.000"), [.number]) == "0")
        #expect(Self.value(F.s(".5"), [.number]) == "0.5")
        #expect(Self.value(F.s("5."), [.number]) == "5")
        #expect(Self.value(F.s("+5"), [.number]) == "5")
        #expect(Self.value(F.s(" 42 "), [.number]) == "42")
        #expect(Self.value(F.s("0.0000001"), [.number]) == "1e-7")
        #expect(Self.value(F.s("0.000001"), [.number]) == "0.000001")
        #expect(Self.value(F.s("123456789012345678901"), [.number]) == "123456789012345678901")
        #expect(Self.value(F.s("1234567890123456789012"), [.number]) == "1.234567890123456789012e21")
        #expect(Self.value(F.s("12345678901234567890.123"), [.number]) == "12345678901234567890.123")
        #expect(Self.value(F.s("1e308"), [.number]) == "1e308")
        #expect(Self.value(F.s("1.7976931348623157e308"), [.number]) == "1.7976931348623157e308", "the largest double")
        #expect(Self.value(F.s("-1.7976931348623157e308"), [.number]) == "-1.7976931348623157e308")
        #expect(Self.value(.number("42"), [.number]) == "42")
        #expect(Self.value(F.s(""), [.number]) == nil)
        for bad in ["abc", "1,000", "1e", "--1", "1.2.3", "NaN", "Infinity", "0x10", "."] {
            let rejection = Self.failed(F.s(bad), [.number])
            #expect(rejection?.reason == .transformFailed, "\(bad)")
            #expect(rejection?.message == "transform number on Value failed: expected a number such as 12, -3.5 or 1e3")
        }
        for huge in ["1e999", "1.7976931348623158e308", "1.8e308", "1e309", "-2e308"] {
            #expect(Self.failed(F.s(huge), [.number])?.message.contains("too large") == true, "\(huge)")
        }
        #expect(Self.failed(.bool(true), [.number])?.reason == .transformFailed)
    }

    @Test func bool() {
        for yes in ["true", "TRUE", "Yes", "y", "Y", "1", "t", "T", " true "] {
            #expect(Self.value(F.s(yes), [.bool]) == "true", "\(yes)")
        }
        for no in ["false", "False", "NO", "n", "0", "f", "F"] {
            #expect(Self.value(F.s(no), [.bool]) == "false", "\(no)")
        }
        #expect(Self.value(.number("1"), [.bool]) == "true")
        #expect(Self.value(.bool(false), [.bool]) == "false")
        #expect(Self.value(.null, [.bool]) == nil)
        for bad: Value in [F.s("maybe"), F.s("2"), F.s("on"), .number("2")] {
            #expect(Self.failed(bad, [.bool])?.reason == .transformFailed, "\(bad)")
        }
    }

    // MARK: Standard fields

    @Test func e164() {
        let plain = Transform.e164(defaultCountryCode: nil)
        #expect(Self.value(F.s("+1 (415) 555-1234"), [plain]) == "\"+14155551234\"")
        #expect(Self.value(F.s("+44 20.7946.0958"), [plain]) == "\"+442079460958\"")
        #expect(Self.value(F.s("0044 20 7946 0958"), [plain]) == "\"+442079460958\"")
        #expect(Self.value(F.s("+91\t98765 43210"), [plain]) == "\"+919876543210\"")
        let us = F.e164("+1")
        #expect(Self.value(F.s("415.555.1234"), [us]) == "\"+14155551234\"")
        #expect(Self.value(F.s("1 415 555 1234"), [us]) == "\"+14155551234\"", "NANP trunk 1 dropped")
        #expect(Self.value(.number("4155551234"), [us]) == "\"+14155551234\"")
        #expect(Self.value(F.s("+44 20 7946 0958"), [us]) == "\"+442079460958\"", "an own country code wins")
        #expect(Self.value(F.s("07911 123456"), [F.e164("+44")]) == "\"+447911123456\"")
        #expect(Self.value(F.s("050 123 4567"), [F.e164("+971")]) == "\"+971501234567\"", "a three-digit code")
        #expect(Self.value(F.s("06 1234 5678"), [F.e164("+39")]) == "\"+390612345678\"")
        #expect(Self.value(F.s(""), [plain]) == nil)
    }

    @Test func e164Rejects() {
        let plain = Transform.e164(defaultCountryCode: nil)
        let cases: [(String, Transform, String)] = [
            ("4155551234", plain, "has no country code"),
            ("+1 415 555 1234 ext 5", plain, "contains characters other than digits"),
            ("+1-800-FLOWERS", plain, "contains characters other than digits"),
            ("++14155551234", plain, "contains characters other than digits"),
            ("+0 123 456 789", plain, "expected + and 8 to 15 digits"),
            ("+1234567", plain, "expected + and 8 to 15 digits"),
            ("+1234567890123456", plain, "expected + and 8 to 15 digits"),
            ("12345", F.e164("+1"), "expected + and 8 to 15 digits"),
        ]
        for (text, transform, problem) in cases {
            let rejection = Self.failed(F.s(text), [transform])
            #expect(rejection?.reason == .invalidPhone, "\(text)")
            #expect(rejection?.message.hasPrefix("transform e164 on Value failed: \(problem)") == true, "\(text)")
        }
        #expect(Self.failed(.bool(true), [plain])?.reason == .invalidPhone)
    }

    @Test func gender() {
        for male in ["m", "M", "male", "Male", "MAN", " m "] {
            #expect(Self.value(F.s(male), [.gender]) == "\"M\"", "\(male)")
        }
        for female in ["f", "F", "female", "FEMALE", "Woman", "\tf"] {
            #expect(Self.value(F.s(female), [.gender]) == "\"F\"", "\(female)")
        }
        #expect(Self.value(F.s(""), [.gender]) == nil)
        #expect(Self.value(F.s("  "), [.gender]) == nil)
        for bad: Value in [F.s("x"), F.s("other"), F.s("mal"), .number("1"), .bool(true)] {
            let rejection = Self.failed(bad, [.gender])
            #expect(rejection?.reason == .invalidGender, "\(bad)")
        }
    }

    // MARK: default and split

    @Test func defaultFillsNullAndEmptyOnly() {
        #expect(Self.value(.null, [.default("unknown")]) == "\"unknown\"")
        #expect(Self.value(F.s(""), [.default("unknown")]) == "\"unknown\"")
        #expect(Self.value(F.s("  "), [.trim, .default("unknown")]) == "\"unknown\"")
        #expect(Self.value(F.s("given"), [.default("unknown")]) == "\"given\"")
        #expect(Self.value(.bool(false), [.default("true")]) == "false")
        #expect(Self.value(.null, [.default("0"), .number]) == "0")
        #expect(Self.value(.null, [.number, .default("0")]) == "\"0\"")
    }

    @Test func split() {
        #expect(Self.value(F.s("a, b,,c "), [F.split(",")]) == "{\"$add\":[\"a\",\"b\",\"c\"]}")
        #expect(Self.value(F.s("Tennis|Golf"), [F.split("|")]) == "{\"$add\":[\"Tennis\",\"Golf\"]}")
        #expect(Self.value(F.s("a::b:c"), [F.split("::")]) == "{\"$add\":[\"a\",\"b:c\"]}")
        #expect(Self.value(F.s("x,y"), [.split(separator: .comma)]) == "{\"$add\":[\"x\",\"y\"]}", "default separator")
        #expect(Self.value(F.s("Solo"), [F.split(",")]) == "{\"$add\":[\"Solo\"]}")
        #expect(Self.value(F.s("A,B"), [F.split(","), .lowercase]) == "{\"$add\":[\"a\",\"b\"]}")
        #expect(Self.value(F.s("café ☕,\"q\""), [F.split(",")]) == "{\"$add\":[\"café ☕\",\"\\\"q\\\"\"]}")
        #expect(Self.value(F.s(" , ,"), [F.split(",")]) == nil)
        #expect(Self.value(.null, [F.split(",")]) == nil)
    }

    @Test func splitLimits() {
        let hundred = (1...100).map(String.init).joined(separator: ",")
        #expect(Self.value(F.s(hundred), [F.split(",")])?.hasPrefix("{\"$add\":[\"1\",") == true)
        let tooMany = Self.failed(F.s(hundred + ",101"), [F.split(",")])
        #expect(tooMany?.reason == .tooManyValues)
        #expect(tooMany?.message == "Value has 101 values; a multi-value property holds at most 100")
        let long = Self.failed(F.s("ok," + String(repeating: "x", count: 513)), [F.split(",")])
        #expect(long?.reason == .valueTooLong)
        #expect(Self.value(F.s("ok," + String(repeating: "x", count: 512)), [F.split(",")]) != nil)
        let twice = Self.failed(F.s("a,b"), [F.split(","), F.split(",")])
        #expect(twice?.reason == .transformFailed)
    }

    @Test func splitInEventsIsRejected() {
        let mapper = F.event([F.map("tags", to: "Tags", [F.split(",")])])
        let rejection = F.rejection(mapper, ["id": F.s("u1"), "tags": F.s("a,b")])
        #expect(rejection?.reason == .transformFailed)
        #expect(rejection?.field == "Tags")
    }

    @Test func transformsApplyInOrder() {
        #expect(Self.value(F.s(" YES "), [.trim, .lowercase, .bool]) == "true")
        #expect(Self.value(F.s("1987-03-10"), [.iso8601, .string]) == "\"542332800\"")
        #expect(Self.failed(F.s("1987-03-10"), [.date, .iso8601])?.reason == .transformFailed)
    }

    @Test func failureNamesFieldTransformAndProblem() {
        let rejection = Self.failed(F.s("maybe"), [.trim, .bool])
        #expect(rejection?.field == "Value")
        #expect(rejection?.message == "transform bool on Value failed: expected true/false, yes/no, y/n, t/f or 1/0")
        #expect(rejection?.line == 2)
        #expect(rejection?.primaryKey == "u1")
    }
}
