import Testing

@testable import CTSyncYAML

@Suite("Valid documents")
struct LoaderValidTests {
    @Test func scalarsKeepTheirStyleTagAndMark() throws {
        let text = """
            plain: hello world
            single: 'it''s'
            double: "tab\\there \\u00e9"
            literal: |
              line 1
              line 2
            folded: >
              folded
              text
            tagged: !!str 42
            local: !secret value
            anchored: &a value

            """
        let root = try #require(try load(text))
        let expected: [(key: String, value: String, style: ScalarStyle, tag: String?, line: Int, column: Int)] = [
            ("plain", "hello world", .plain, nil, 1, 8),
            ("single", "it's", .singleQuoted, nil, 2, 9),
            ("double", "tab\there é", .doubleQuoted, nil, 3, 9),
            ("literal", "line 1\nline 2\n", .literal, nil, 4, 10),
            ("folded", "folded text\n", .folded, nil, 7, 9),
            ("tagged", "42", .plain, "tag:yaml.org,2002:str", 10, 9),
            ("local", "value", .plain, "!secret", 11, 8),
            ("anchored", "value", .plain, nil, 12, 11),
        ]
        #expect(keys(root) == expected.map(\.key))
        for item in expected {
            let scalar = try #require(root[item.key]?.scalar, "\(item.key)")
            #expect(
                scalar
                    == Scalar(value: item.value, style: item.style, tag: item.tag, mark: mark(item.line, item.column)))
        }
        #expect(root["tagged"]?.scalar?.int == nil, "an explicit !!str stays a string")
    }

    @Test func keysCarryTheirMarks() throws {
        let root = try #require(try load("a: 1\n  # comment\nbc: 2\n"))
        let pairs = try #require(root.mapping)
        #expect(pairs.map(\.key.mark) == [mark(1, 1), mark(3, 1)])
        #expect(pairs.map(\.value.mark) == [mark(1, 4), mark(3, 5)])
    }

    @Test func nestedMappingsAndSequences() throws {
        let root = try #require(try YAMLLoader.load(try fixture("job.yaml")))
        let file = "Fixtures/job.yaml"
        #expect(
            keys(root) == [
                "version", "name", "destination", "source", "object", "mode", "primary_key", "mappings", "options",
            ])
        #expect(root.mark == Mark(file: file, line: 2, column: 1))
        #expect(root["version"]?.scalar?.int == 1)
        #expect(root["destination"]?["region"]?.scalar?.value == "in1")
        #expect(root["destination"]?["passcode"]?.scalar?.value == "${CLEVERTAP_PASSCODE}")
        #expect(root["destination"]?.mark == Mark(file: file, line: 5, column: 3))

        let mappings = try #require(root["mappings"]?.sequence)
        #expect(mappings.count == 7)
        #expect(root["mappings"]?.mark == Mark(file: file, line: 14, column: 3))
        #expect(mappings[0].mark == Mark(file: file, line: 14, column: 5))
        #expect(mappings[0]["transform"]?.sequence?.map { $0.scalar?.value } == ["trim", "lowercase"])
        #expect(mappings[6]["to"]?.scalar?.value == "Last Seen")
        #expect(mappings[6]["to"]?.mark == Mark(file: file, line: 20, column: 32))
        #expect(root["options"]?["max_rejected"]?.scalar?.value == "0%")
        #expect(root["options"]?["max_rejected"]?.scalar?.double == nil)
        #expect(root["missing"] == nil)
        #expect(root["version"]?["anything"] == nil, "subscripting a scalar finds nothing")
    }

    @Test func kindNamesAndAccessors() throws {
        let root = try #require(try load("s: x\nq: [1]\nm: {a: 1}\n"))
        #expect(root.kindName == "mapping")
        #expect(root["s"]?.kindName == "scalar")
        #expect(root["q"]?.kindName == "sequence")
        #expect(root["m"]?.kindName == "mapping")
        #expect(root["s"]?.sequence == nil)
        #expect(root["q"]?.mapping == nil)
        #expect(root["m"]?.scalar == nil)
    }

    @Test func aliasIsTheAnchoredNode() throws {
        let root = try #require(try load("base: &b {x: 1}\nuse: *b\nname: &n crm\nagain: *n\n"))
        #expect(root["use"] == root["base"])
        #expect(root["use"]?.mark == mark(1, 7), "an alias keeps the anchored node's mark")
        #expect(root["again"]?.scalar?.value == "crm")
    }

    @Test func redefinedAnchorRefersToTheLatest() throws {
        let root = try #require(try load("a: &x 1\nb: &x 2\nc: *x\n"))
        #expect(root["c"]?.scalar?.value == "2")
    }

    @Test func mergeKeysPlaceMergedPairsAtTheMergeKey() throws {
        let root = try #require(try YAMLLoader.load(try fixture("merge-keys.yaml")))
        let job = try #require(root["job"])
        // Explicit keys win wherever they are; earlier merged mappings win over later ones.
        #expect(keys(job) == ["name", "batch_size", "max_attempts", "backoff", "concurrency"])
        #expect(job["concurrency"]?.scalar?.int == 10)
        #expect(job["max_attempts"]?.scalar?.int == 3)
        #expect(job["backoff"]?.scalar?.value == "2s")
        #expect(
            job["batch_size"]?.mark == Mark(file: "Fixtures/merge-keys.yaml", line: 2, column: 15),
            "merged values keep the mark where they are written")
    }

    @Test func mergeOfASingleMappingAndNesting() throws {
        let root = try #require(try load("a: &a {x: 1, y: 2}\nb:\n  <<: *a\n  y: 3\nc: {<<: {z: 0}, w: 1}\n"))
        #expect(keys(root["b"]) == ["x", "y"])
        #expect(root["b"]?["y"]?.scalar?.int == 3)
        #expect(keys(root["c"]) == ["z", "w"])
    }

    @Test func quotedMergeKeyIsAnOrdinaryKey() throws {
        let root = try #require(try load("\"<<\": 1\n"))
        #expect(keys(root) == ["<<"])
    }

    @Test(arguments: ["", "\n", "# only a comment\n", "---\n", "--- \n...\n", "\u{FEFF}"])
    func emptyDocumentIsNil(_ text: String) throws {
        #expect(try load(text) == nil)
    }

    @Test func explicitNullDocumentIsANode() throws {
        let root = try #require(try load("~\n"))
        #expect(root.scalar?.isNull == true)
    }

    @Test func yaml11ValuesStayText() throws {
        let root = try #require(try load("a: yes\nb: no\nc: on\nd: 0123\ne: off\n"))
        for key in ["a", "b", "c", "d", "e"] {
            let scalar = try #require(root[key]?.scalar)
            #expect(scalar.bool == nil)
            #expect(scalar.int == nil)
            #expect(scalar.isNull == false)
        }
        #expect(root["a"]?.scalar?.value == "yes")
        #expect(root["d"]?.scalar?.value == "0123")
        #expect(root["d"]?.scalar?.double == nil)
    }

    @Test func byteOrderMarkIsNotAColumn() throws {
        let root = try #require(try load("\u{FEFF}key: value\n"))
        #expect(root["key"]?.mark == mark(1, 6))
        #expect(root.mark == mark(1, 1))
    }

    @Test func crlfAndMultibyteColumns() throws {
        let root = try #require(try load("a: 1\r\nü: ñ\r\n"))
        #expect(root["ü"]?.mark == mark(2, 4))
    }

    @Test func nulEscapeInsideAQuotedScalarIsKept() throws {
        let root = try #require(try load("a: \"x\\0y\"\n"))
        #expect(root["a"]?.scalar?.value == "x\u{0}y")
    }
}
