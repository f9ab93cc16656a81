import Testing

@testable import CTSyncYAML

/// A plain scalar's text and the value each typed view should give.
struct Resolution: Sendable, CustomTestStringConvertible {
    let text: String
    var isNull = false
    var bool: Bool?
    var int: Int?
    var double: Double?
    var testDescription: String { "\"\(text)\"" }
}

private let resolutions: [Resolution] = [
    Resolution(text: "", isNull: true),
    Resolution(text: "~", isNull: true),
    Resolution(text: "null", isNull: true),
    Resolution(text: "Null", isNull: true),
    Resolution(text: "NULL", isNull: true),
    Resolution(text: "nULL"),
    Resolution(text: "true", bool: true),
    Resolution(text: "True", bool: true),
    Resolution(text: "TRUE", bool: true),
    Resolution(text: "false", bool: false),
    Resolution(text: "False", bool: false),
    Resolution(text: "FALSE", bool: false),
    Resolution(text: "tRUE"),
    Resolution(text: "yes"),
    Resolution(text: "no"),
    Resolution(text: "on"),
    Resolution(text: "off"),
    Resolution(text: "y"),
    Resolution(text: "0", int: 0, double: 0),
    Resolution(text: "-0", int: 0, double: 0),
    Resolution(text: "42", int: 42, double: 42),
    Resolution(text: "+42", int: 42, double: 42),
    Resolution(text: "-17", int: -17, double: -17),
    Resolution(text: "0123"),
    Resolution(text: "-012"),
    Resolution(text: "00"),
    Resolution(text: "0x1F", int: 31, double: 31),
    Resolution(text: "0xff", int: 255, double: 255),
    Resolution(text: "0x"),
    Resolution(text: "-0x1F"),
    Resolution(text: "0o17"),
    Resolution(text: "1_000"),
    Resolution(text: "9223372036854775807", int: .max, double: Double(Int.max)),
    Resolution(text: "-9223372036854775808", int: .min, double: Double(Int.min)),
    Resolution(text: "9223372036854775808", double: 9_223_372_036_854_775_808),
    Resolution(text: "1.5", double: 1.5),
    Resolution(text: "-2e3", double: -2000),
    Resolution(text: "6.02E+23", double: 6.02e23),
    Resolution(text: ".5", double: 0.5),
    Resolution(text: "5.", double: 5),
    Resolution(text: "0.25", double: 0.25),
    Resolution(text: ".inf", double: .infinity),
    Resolution(text: "-.Inf", double: -.infinity),
    Resolution(text: "+.INF", double: .infinity),
    Resolution(text: "012e3"),
    Resolution(text: "."),
    Resolution(text: "1e"),
    Resolution(text: "inf"),
    Resolution(text: "nan"),
    Resolution(text: "0x1p3"),
    Resolution(text: "1.0.0"),
    Resolution(text: "12 "),
    Resolution(text: "0%"),
]

@Suite("Scalar resolution")
struct ScalarTests {
    @Test(arguments: resolutions)
    func plainScalarResolves(_ expected: Resolution) {
        let scalar = Scalar(value: expected.text, style: .plain, tag: nil, mark: mark(1, 1))
        #expect(scalar.isNull == expected.isNull)
        #expect(scalar.bool == expected.bool)
        #expect(scalar.int == expected.int)
        #expect(scalar.double == expected.double)
    }

    @Test func notANumberResolves() throws {
        for text in [".nan", ".NaN", ".NAN"] {
            let scalar = Scalar(value: text, style: .plain, tag: nil, mark: mark(1, 1))
            #expect(try #require(scalar.double).isNaN)
        }
    }

    @Test(arguments: [ScalarStyle.singleQuoted, .doubleQuoted, .literal, .folded])
    func nonPlainScalarsAreAlwaysText(_ style: ScalarStyle) {
        for text in ["true", "12", "1.5", "null", ""] {
            let scalar = Scalar(value: text, style: style, tag: nil, mark: mark(1, 1))
            #expect(scalar.bool == nil && scalar.int == nil && scalar.double == nil && !scalar.isNull)
        }
    }

    @Test func tagsDecideResolution() throws {
        let root = try #require(
            try load(
                "a: !!str true\nb: !!null x\nc: !!int \"12\"\nd: ! 12\ne: !!bool 'false'\nf: !!float 3\ng: !custom 1\n")
        )
        #expect(root["a"]?.scalar?.bool == nil)
        #expect(root["b"]?.scalar?.isNull == true)
        #expect(root["c"]?.scalar?.int == 12)
        #expect(root["c"]?.scalar?.double == 12)
        #expect(root["d"]?.scalar?.tag == "!")
        #expect(root["d"]?.scalar?.int == nil, "the non-specific tag makes a string")
        #expect(root["e"]?.scalar?.bool == false)
        #expect(root["f"]?.scalar?.double == 3)
        #expect(root["f"]?.scalar?.int == nil)
        #expect(root["g"]?.scalar?.tag == "!custom")
        #expect(root["g"]?.scalar?.int == nil)
    }
}
