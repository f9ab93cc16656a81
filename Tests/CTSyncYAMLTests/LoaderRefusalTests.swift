import Foundation
import Testing

@testable import CTSyncYAML

/// One input the loader must refuse, and exactly how.
struct Refusal: Sendable, CustomTestStringConvertible {
    let name: String
    let bytes: [UInt8]
    let kind: YAMLError.Kind
    let message: String
    let line: Int
    let column: Int
    var limits: YAMLLimits = .default

    init(
        _ name: String, _ text: String, _ kind: YAMLError.Kind, _ message: String, at line: Int, _ column: Int,
        limits: YAMLLimits = .default
    ) {
        self.init(name, bytes: Array(text.utf8), kind, message, at: line, column, limits: limits)
    }

    init(
        _ name: String, bytes: [UInt8], _ kind: YAMLError.Kind, _ message: String, at line: Int, _ column: Int,
        limits: YAMLLimits = .default
    ) {
        self.name = name
        self.bytes = bytes
        self.kind = kind
        self.message = message
        self.line = line
        self.column = column
        self.limits = limits
    }

    var testDescription: String { name }
}

/// `levels` nested block mappings, each on its own line two spaces deeper.
private func nestedBlock(levels: Int) -> String {
    (0..<levels).map { String(repeating: "  ", count: $0) + "a:" }.joined(separator: "\n") + " x\n"
}

private let deepFlow65 = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)

private let refusals: [Refusal] = [
    // Composer: duplicates, documents, keys, aliases, merges.
    Refusal(
        "duplicate key", "name: a\nversion: 1\nname: b\n",
        .composer, "duplicate key \"name\" (first defined at line 1, column 1)", at: 3, 1),
    Refusal(
        "nested duplicate key", "job:\n  a: 1\n  b: 2\n  a: 3\n",
        .composer, "duplicate key \"a\" (first defined at line 2, column 3)", at: 4, 3),
    Refusal(
        "duplicate key in flow mapping", "{x: 1, y: 2, x: 3}",
        .composer, "duplicate key \"x\" (first defined at line 1, column 2)", at: 1, 14),
    Refusal(
        "duplicate key quoted differently", "a: 1\n'a': 2\n",
        .composer, "duplicate key \"a\" (first defined at line 1, column 1)", at: 2, 1),
    Refusal(
        "duplicate key with control characters is escaped", "\"a\\nb\": 1\n\"a\\nb\": 2\n",
        .composer, "duplicate key \"a\\nb\" (first defined at line 1, column 1)", at: 2, 1),
    Refusal(
        "second document after ---", "a: 1\n---\nb: 2\n",
        .composer, "multiple documents are not supported", at: 2, 1),
    Refusal(
        "second document after ...", "a: 1\n...\n---\nb: 2\n",
        .composer, "multiple documents are not supported", at: 3, 1),
    Refusal(
        "second document after an empty one", "---\n---\na: 1\n",
        .composer, "multiple documents are not supported", at: 2, 1),
    Refusal(
        "mapping as a key", "? {a: 1}\n: x\n",
        .composer, "a mapping cannot be used as a mapping key", at: 1, 3),
    Refusal(
        "sequence as a flow key", "{[1]: x}",
        .composer, "a sequence cannot be used as a mapping key", at: 1, 2),
    Refusal(
        "alias to a sequence as a key", "a: &s [1]\n*s : x\n",
        .composer, "a sequence cannot be used as a mapping key", at: 2, 1),
    Refusal(
        "unknown alias", "a: 1\nb: *nope\n",
        .composer, "unknown alias \"*nope\" (no anchor \"&nope\" is defined before it)", at: 2, 4),
    Refusal(
        "alias before its anchor", "a: *x\nb: &x 1\n",
        .composer, "unknown alias \"*x\" (no anchor \"&x\" is defined before it)", at: 1, 4),
    Refusal(
        "recursive alias", "a: &x [1, *x]\n",
        .composer, "alias \"*x\" refers to a node that contains it (recursive structures are not supported)", at: 1, 11),
    Refusal(
        "merge of a scalar", "a:\n  <<: 1\n",
        .composer, "merge key \"<<\" needs a mapping or a sequence of mappings, found a scalar", at: 2, 7),
    Refusal(
        "merge of a null", "a:\n  <<:\n  b: 1\n",
        .composer, "merge key \"<<\" needs a mapping or a sequence of mappings, found a scalar", at: 2, 6),
    Refusal(
        "merge of a sequence holding a scalar", "base: &b {x: 1}\nc:\n  <<: [*b, 2]\n",
        .composer, "merge key \"<<\" needs a sequence of mappings, but item 2 is a scalar", at: 3, 12),
    Refusal(
        "merge of a sequence holding an alias to a sequence", "s: &s [1]\nb: &b {x: 1}\nc:\n  <<: [*b, *s]\n",
        .composer, "merge key \"<<\" needs a sequence of mappings, but item 2 is a sequence", at: 4, 12),
    Refusal(
        "two merge keys", "b: &b {x: 1}\nc:\n  <<: *b\n  <<: *b\n",
        .composer, "duplicate key \"<<\" (first defined at line 3, column 3)", at: 4, 3),

    // Limits.
    Refusal(
        "flow nesting 65 levels", deepFlow65,
        .composer, "nesting deeper than 64 levels", at: 1, 65),
    Refusal(
        "block nesting 65 levels", nestedBlock(levels: 65),
        .composer, "nesting deeper than 64 levels", at: 65, 129),
    Refusal(
        "nesting through an alias", "a: &a [[1]]\nb: [[*a]]\n",
        .composer, "nesting deeper than 4 levels (through alias \"*a\")", at: 2, 6,
        limits: YAMLLimits(maxBytes: 1 << 20, maxDepth: 4, maxNodes: 100)),
    Refusal(
        "too many nodes", "[1, 2, 3, 4, 5]",
        .composer, "document has more than 5 nodes (counting each alias as a copy of its anchor)", at: 1, 14,
        limits: YAMLLimits(maxBytes: 1 << 20, maxDepth: 64, maxNodes: 5)),
    Refusal(
        "alias over the node budget", "a: &a [1, 2, 3]\nb: *a\n",
        .composer, "alias expansion exceeds the limit of 8 nodes (possible billion laughs attack)", at: 2, 4,
        limits: YAMLLimits(maxBytes: 1 << 20, maxDepth: 64, maxNodes: 8)),
    Refusal(
        "oversize input", "name: crm\n",
        .size, "file is too large (10 bytes; the limit is 9 bytes)", at: 1, 1,
        limits: YAMLLimits(maxBytes: 9, maxDepth: 64, maxNodes: 100)),

    // libyaml's scanner and parser.
    Refusal(
        "tab indentation", "job:\n\tname: crm\n",
        .scanner,
        "found character that cannot start any token while scanning for the next token (tabs are not allowed for indentation)",
        at: 2, 1),
    Refusal(
        "tab after a sequence indicator", "- a\n-\tb\n",
        .scanner,
        "found character that cannot start any token while scanning for the next token (tabs are not allowed for indentation)",
        at: 2, 2),
    Refusal(
        "tab in the indentation of a continued scalar", "a: 1\n\tb: 2\n",
        .scanner,
        "found a tab character that violates indentation while scanning a plain scalar (started at line 1, column 4)",
        at: 2, 1),
    Refusal(
        "unterminated single quote", "name: 'crm\nmode: upsert\n",
        .scanner,
        "found unexpected end of stream while scanning a quoted scalar (started at line 1, column 7)",
        at: 3, 1),
    Refusal(
        "unterminated flow sequence", "a: [1, 2\nb: 3\n",
        .parser,
        "did not find expected ',' or ']' while parsing a flow sequence (started at line 1, column 4)",
        at: 2, 2),
    Refusal(
        "bad indentation", "a:\n  b: 1\n c: 2\n",
        .parser,
        "did not find expected key while parsing a block mapping (started at line 1, column 1); \"c\" starts in column 2, but the keys under \"a\" (line 1) start in column 3: indent it to column 3 to keep it under \"a\", or to column 1 to end \"a\"",
        at: 3, 2),
    Refusal(
        "character that cannot start a token", "a: @b\n",
        .scanner,
        "found character that cannot start any token while scanning for the next token",
        at: 1, 4),

    // Encoding, checked before libyaml runs.
    Refusal(
        "invalid UTF-8", bytes: Array("a: 1\nname: ü caf".utf8) + [0xE9] + Array(" x\n".utf8),
        .encoding, "invalid UTF-8 (byte 0xE9); the file must be UTF-8 encoded", at: 2, 12),
    Refusal(
        "truncated UTF-8 at the end", bytes: Array("a: ".utf8) + [0xE2, 0x82],
        .encoding, "invalid UTF-8 (byte 0xE2); the file must be UTF-8 encoded", at: 1, 4),
    Refusal(
        "overlong UTF-8", bytes: Array("a: ".utf8) + [0xC0, 0xAF],
        .encoding, "invalid UTF-8 (byte 0xC0); the file must be UTF-8 encoded", at: 1, 4),
    Refusal(
        "UTF-8 encoded surrogate", bytes: Array("a: ".utf8) + [0xED, 0xA0, 0x80],
        .encoding, "invalid UTF-8 (byte 0xED); the file must be UTF-8 encoded", at: 1, 4),
    Refusal(
        "invalid UTF-8 after a byte order mark", bytes: [0xEF, 0xBB, 0xBF] + Array("a: ".utf8) + [0xFF],
        .encoding, "invalid UTF-8 (byte 0xFF); the file must be UTF-8 encoded", at: 1, 4),
    Refusal(
        "NUL byte", bytes: Array("a: 1\nb: x".utf8) + [0] + Array("y\n".utf8),
        .encoding, "file is not text (it contains a NUL byte)", at: 2, 5),
    Refusal(
        "UTF-16 byte order mark", bytes: [0xFF, 0xFE, 0x61, 0x00],
        .encoding,
        "file is UTF-16 or UTF-32 encoded (it starts with a byte order mark); only UTF-8 is supported",
        at: 1, 1),
    Refusal(
        "control character", "a: 1\r\nb: \u{1B}[31m\n",
        .reader, "control character U+001B is not allowed", at: 2, 4),
    Refusal(
        "C1 control character", "a: x\u{9B}\n",
        .reader, "control character U+009B is not allowed", at: 1, 5),
]

@Suite("Refusals: each with its exact message and location")
struct LoaderRefusalTests {
    @Test(arguments: refusals)
    func refuses(_ refusal: Refusal) throws {
        let error = try #require(loadError(refusal.bytes, limits: refusal.limits))
        #expect(error.kind == refusal.kind)
        #expect(error.message == refusal.message)
        #expect(error.mark == mark(refusal.line, refusal.column))
    }

    @Test func depthOf64IsAccepted() throws {
        let flow = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        var node = try #require(try load(flow))
        var depth = 0
        while let first = node.sequence {
            depth += 1
            guard let next = first.first else { break }
            node = next
        }
        #expect(depth == 64)

        #expect(try load(nestedBlock(levels: 64)) != nil)
    }

    @Test func aliasWithinTheDepthLimitIsAccepted() throws {
        let limits = YAMLLimits(maxBytes: 1 << 20, maxDepth: 4, maxNodes: 100)
        let root = try #require(try load("a: &a [[1]]\nb: [*a]\n", limits: limits))
        #expect(root["b"]?.sequence?.first == root["a"])
    }

    @Test func billionLaughsFailsFast() throws {
        let source = try fixture("billion-laughs.yaml")
        let clock = ContinuousClock()
        var thrown: YAMLError?
        let elapsed = clock.measure { thrown = loadError(source) }
        let error = try #require(thrown)
        #expect(error.kind == .composer)
        #expect(error.message == "alias expansion exceeds the limit of 100000 nodes (possible billion laughs attack)")
        // a..e hold 74,402 nodes; the first *e in f (66,430 more) crosses 100,000.
        #expect(error.mark == Mark(file: "Fixtures/billion-laughs.yaml", line: 8, column: 8))
        // A guard against expanding anything (that would take hours), not a benchmark:
        // timings on a shared machine are for scripts/bench.
        #expect(elapsed < .seconds(10))
    }

    @Test func deepNestingAttackFailsFast() throws {
        let text = String(repeating: "[", count: 1_000_000)
        let clock = ContinuousClock()
        var thrown: YAMLError?
        let elapsed = clock.measure { thrown = loadError(text) }
        #expect(thrown?.message == "nesting deeper than 64 levels")
        // A guard against a parser that recurses or backtracks, not a benchmark.
        #expect(elapsed < .seconds(10))
    }

    @Test func tabIndentedFixtureRendersWithCaretUnderTheTab() throws {
        let source = try fixture("tab-indent.yaml")
        let error = try #require(loadError(source))
        #expect(
            error.rendered(in: source) == """
                Fixtures/tab-indent.yaml:3:1: error: found a tab character that violates indentation \
                while scanning a plain scalar (started at line 2, column 9)
                   3 | \tmode: upsert
                     | ^
                """)
    }

    @Test func errorDescriptionIsCompilerStyle() {
        let error = YAMLError(kind: .composer, message: "multiple documents are not supported", mark: mark(2, 1))
        #expect(error.description == "test.yaml:2:1: error: multiple documents are not supported")
    }
}
