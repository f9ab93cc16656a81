import Testing

@testable import ClevertapSandbox

@Suite("JSON parser and writer")
struct JSONParserTests {
    @Test func parsesEveryKindOfValue() throws {
        let value = try JSONParser.parse(
            #" { "a": [1, -2, 3.5, 1e3, true, false, null], "b": {"c": "d"}, "e": "" } "#
        )
        #expect(value == ["a": [1, -2, 3.5, 1000.0, true, false, nil], "b": ["c": "d"], "e": ""])
    }

    @Test func keepsIntegersApartFromFractions() throws {
        #expect(try JSONParser.parse("1468308340") == .int(1_468_308_340))
        #expect(try JSONParser.parse("1468308340.0") == .double(1_468_308_340))
        #expect(try JSONParser.parse("-0") == .int(0))
        #expect(try JSONParser.parse("9223372036854775807") == .int(Int.max))
        #expect(try JSONParser.parse("-9223372036854775808") == .int(Int.min))
        #expect(try JSONParser.parse("9223372036854775808") == .double(9_223_372_036_854_775_808))
    }

    @Test func decodesEscapes() throws {
        let value = try JSONParser.parse(#""a\"b\\c\/d\n\t\u00e9\ud83d\ude00""#)
        #expect(value == .string("a\"b\\c/d\n\té😀"))
    }

    @Test func lastDuplicateKeyWins() throws {
        #expect(try JSONParser.parse(#"{"a":1,"a":2}"#) == ["a": 2])
    }

    @Test(arguments: [
        "", " ", "{", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "01", "1.", "1e", "-", "+1", ".5", "tru", "nul",
        "\"abc", "\"a\u{01}b\"", "\"\\x\"", "\"\\u12G4\"", "{} {}", "[1 2]", "{'a':1}", "1e999", "NaN",
    ])
    func rejectsInvalidJSON(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
    }

    @Test func limitsNesting() throws {
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(deep) }
        let fine = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        _ = try JSONParser.parse(fine)
    }

    @Test func writerSortsKeysAndEscapes() throws {
        let value: SandboxValue = ["b": "x\"y\n\u{01}", "a": [1, 2.5, 3.0, nil, true], "c": [:]]
        #expect(value.jsonText == #"{"a":[1,2.5,3.0,null,true],"b":"x\"y\n\u0001","c":{}}"#)
        #expect(try JSONParser.parse(value.jsonText) == value)
    }

    @Test func writerRoundTripsNegativeAndLargeNumbers() throws {
        let value: SandboxValue = [.int(Int.min), .int(Int.max), -42, 0, 1e300, -0.25]
        #expect(try JSONParser.parse(value.jsonText) == value)
    }
}
