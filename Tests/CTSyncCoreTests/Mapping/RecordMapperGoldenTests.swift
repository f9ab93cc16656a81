import Foundation
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

/// Whole records, byte for byte: the shapes in clevertap.md, canonical key order, escaping.
@Suite struct RecordMapperGoldenTests {
    typealias F = MappingFixture

    // MARK: The documented examples (clevertap.md "Request body")

    static let documentedProfile = """
        {"type":"profile","identity":"1189549","ts":1468308340,
         "profileData":{"Name":"Jack Montana","Email":"jack@gmail.com","Phone":"+14155551234",
          "Gender":"M","DOB":"$D_1487576752","MSG-sms":false,"Customer Type":"Platinum"}}
        """

    static let documentedEvent = """
        {"type":"event","identity":"jack@gmail.com","ts":1468208340,"evtName":"Charged",
         "evtData":{"Amount":300,"Currency":"USD","Delivery By":"$D_1468322268"}}
        """

    /// The document's line breaks and indentation are layout, not content.
    static func compact(_ text: String) -> String {
        text.split(separator: "\n").map { $0.drop { $0 == " " } }.joined()
    }

    @Test func documentedProfileFromCSV() throws {
        let mapper = RecordMapper(
            spec: F.job(
                .profiles,
                [
                    F.map("customer_id", to: "identity"),
                    F.map("updated_at", to: "ts"),
                    F.map("full_name", to: "Name", [.trim]),
                    F.map("email", to: "Email", [.trim, .lowercase]),
                    F.map("phone", to: "Phone", [F.e164("+1")]),
                    F.map("gender", to: "Gender", [.gender]),
                    F.map("birth_date", to: "DOB", [.date]),
                    F.map("sms_opt_in", to: "MSG-sms", [.bool]),
                    F.map("tier", to: "Customer Type"),
                ]))
        let row: [String: Value] = [
            "customer_id": F.s("1189549"), "updated_at": F.s("1468308340"), "full_name": F.s(" Jack Montana "),
            "email": F.s("Jack@Gmail.com"), "phone": F.s("(415) 555-1234"), "gender": F.s("male"),
            "birth_date": F.s("1487576752"), "sms_opt_in": F.s("no"), "tier": F.s("Platinum"),
        ]
        let record = try #require(F.record(mapper, row))
        let json = String(decoding: record.json, as: UTF8.self)
        // The same record with profileData keys in canonical (byte) order.
        #expect(
            json
                == #"{"type":"profile","identity":"1189549","ts":1468308340,"profileData":{"Customer Type":"Platinum","DOB":"$D_1487576752","Email":"jack@gmail.com","Gender":"M","MSG-sms":false,"Name":"Jack Montana","Phone":"+14155551234"}}"#
        )
        try expectSameJSON(json, Self.documentedProfile)
        #expect(record.identity == "1189549")
        #expect(record.primaryKey == "1189549", "the primary key defaults to the identity column")
        #expect(record.eventName == nil)
        #expect(record.hash == RecordHash(bytes: record.json))
        #expect(record.line == 2)
    }

    @Test func documentedEventFromJSONL() throws {
        let mapper = RecordMapper(
            spec: F.job(
                .events,
                [
                    F.map("email", to: "identity"),
                    F.map("created_at_ms", to: "ts", [.msToS]),
                    F.map(nil, to: "evtName", value: .string("Charged")),
                    F.map("amount", to: "Amount"),
                    F.map("currency", to: "Currency", [.uppercase]),
                    F.map("delivery_by", to: "Delivery By", [.date]),
                ]))
        let row: [String: Value] = [
            "email": F.s("jack@gmail.com"), "created_at_ms": .number("1468208340123"), "amount": .number("300"),
            "currency": F.s("usd"), "delivery_by": F.s("2016-07-12T11:17:48Z"),
        ]
        let record = try #require(F.record(mapper, row))
        #expect(String(decoding: record.json, as: UTF8.self) == Self.compact(Self.documentedEvent))
        #expect(record.identity == "jack@gmail.com")
        #expect(record.eventName == "Charged")
        #expect(record.primaryKey == "", "events have no primary key unless declared")
    }

    private func expectSameJSON(_ actual: String, _ expected: String) throws {
        let a = try JSONSerialization.jsonObject(with: Data(actual.utf8)) as? NSDictionary
        let b = try JSONSerialization.jsonObject(with: Data(expected.utf8)) as? NSDictionary
        #expect(a != nil && a == b)
    }

    // MARK: Shape

    @Test func topLevelKeysInFixedOrderAndTsOptional() {
        let profile = F.profile([F.map("ts", to: "ts"), F.map("n", to: "Name")])
        #expect(
            F.json(profile, ["id": F.s("u1"), "ts": F.s("1700000000"), "n": F.s("A")])
                == #"{"type":"profile","identity":"u1","ts":1700000000,"profileData":{"Name":"A"}}"#)
        #expect(
            F.json(profile, ["id": F.s("u1"), "n": F.s("A")])
                == #"{"type":"profile","identity":"u1","profileData":{"Name":"A"}}"#)
        #expect(
            F.json(profile, ["id": F.s("u1")]) == #"{"type":"profile","identity":"u1","profileData":{}}"#,
            "a row whose properties are all empty still updates nothing but is well-formed")
        let event = F.event([F.map("ts", to: "ts"), F.map("n", to: "Qty", [.number])])
        #expect(
            F.json(event, ["id": F.s("u1"), "ts": .number("1700000000"), "n": F.s("2")])
                == #"{"type":"event","identity":"u1","ts":1700000000,"evtName":"Order Placed","evtData":{"Qty":2}}"#)
        #expect(
            F.json(event, ["id": F.s("u1")])
                == #"{"type":"event","identity":"u1","evtName":"Order Placed","evtData":{}}"#)
    }

    @Test func identityIsAlwaysAString() {
        let mapper = F.profile([])
        #expect(
            F.json(mapper, ["id": .number("1189549")]) == #"{"type":"profile","identity":"1189549","profileData":{}}"#)
        #expect(F.json(mapper, ["id": .bool(true)]) == #"{"type":"profile","identity":"true","profileData":{}}"#)
    }

    @Test func propertyKeysSortedByUTF8Bytes() {
        let keys = ["b", "é", "B", "a", "_x", "Z", "10", "9", "a b", "ab", "M-x", "Über"]
        let mapper = F.profile(keys.enumerated().map { F.map("c\($0.offset)", to: $0.element) })
        var row: [String: Value] = ["id": F.s("u1")]
        for index in keys.indices { row["c\(index)"] = F.s("\(index)") }
        #expect(
            F.json(mapper, row)
                == #"{"type":"profile","identity":"u1","profileData":{"10":"6","9":"7","B":"2","M-x":"10","Z":"5","_x":"4","a":"3","a b":"8","ab":"9","b":"0","Über":"11","é":"1"}}"#
        )
    }

    @Test func mappingOrderDoesNotChangeTheBytes() throws {
        let first = F.profile([F.map("a", to: "Alpha"), F.map("b", to: "Beta"), F.map("g", to: "Gamma")])
        let second = F.profile([F.map("g", to: "Gamma"), F.map("b", to: "Beta"), F.map("a", to: "Alpha")])
        let row: [String: Value] = ["id": F.s("u1"), "a": F.s("1"), "b": F.s("2"), "g": F.s("3")]
        let one = try #require(F.record(first, row))
        let two = try #require(F.record(second, row))
        #expect(one.json == two.json)
        #expect(one.hash == two.hash)
        #expect(first.columns == ["id", "a", "b", "g"])
        #expect(second.columns == ["id", "g", "b", "a"])
    }

    @Test func stringEscapingIsMinimal() {
        let value = "q\"b\\s/n\nt\tr\rb\u{08}f\u{0C}c\u{01}\u{1F}d\u{7F}ü☕😀"
        #expect(
            F.property(F.s(value), [])
                == #""q\"b\\s/n\nt\tr\rb\bf\fc\u0001\u001fd"# + "\u{7F}ü☕😀\"")
        let mapper = F.profile([F.map("v", to: "say \"hi\"\\")])
        #expect(
            F.json(mapper, ["id": F.s("a\"b"), "v": F.s("x")])
                == #"{"type":"profile","identity":"a\"b","profileData":{"say \"hi\"\\":"x"}}"#)
    }

    /// The escaper checks eight bytes at a time: put a character that needs escaping at
    /// every position of strings of every length up to 40 and compare with a byte-wise reference.
    @Test func escapingAtEveryPositionAndLength() {
        func reference(_ text: String) -> String {
            var out = "\""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case let control where control.value < 0x20:
                    out += "\\u00" + String(control.value, radix: 16).leftPadded(2)
                default: out.unicodeScalars.append(scalar)
                }
            }
            return out + "\""
        }
        for length in 1...40 {
            for position in 0..<length {
                for special in ["\"", "\\", "\n", "\u{01}"] {
                    var characters = Array(repeating: "x", count: length)
                    characters[position] = special
                    let text = characters.joined()
                    #expect(F.property(F.s(text), []) == reference(text), "length \(length) position \(position)")
                }
            }
            let plain = String(repeating: "é", count: length)
            #expect(F.property(F.s(plain), []) == "\"\(plain)\"")
        }
    }

    @Test func typedValuesAreNotStringified() {
        let mapper = F.profile([
            F.map("n", to: "Score", [.number]), F.map("b", to: "Active", [.bool]), F.map("d", to: "Joined", [.date]),
            F.map("t", to: "Tags", [F.split(",")]),
        ])
        #expect(
            F.json(
                mapper, ["id": F.s("u1"), "n": F.s("4.20"), "b": F.s("yes"), "d": F.s("2024-03-01"), "t": F.s("x,y")])
                == #"{"type":"profile","identity":"u1","profileData":{"Active":true,"Joined":"$D_1709251200","Score":4.2,"Tags":{"$add":["x","y"]}}}"#
        )
    }

    @Test func constantsAndSharedColumns() {
        let mapper = F.profile([
            F.map(nil, to: "Source", value: .string("warehouse")), F.map(nil, to: "Version", value: .number("2")),
            F.map("id", to: "Customer ID"),
        ])
        #expect(mapper.columns == ["id"])
        #expect(
            F.json(mapper, ["id": F.s("u1")])
                == #"{"type":"profile","identity":"u1","profileData":{"Customer ID":"u1","Source":"warehouse","Version":2}}"#
        )
    }

    @Test func sameTargetTwiceWritesTheFirstWithAValue() {
        let mapper = F.profile([F.map("work", to: "Email"), F.map("home", to: "Email")])
        #expect(
            F.json(mapper, ["id": F.s("u1"), "work": F.s("w@example.com"), "home": F.s("h@example.com")])
                == #"{"type":"profile","identity":"u1","profileData":{"Email":"w@example.com"}}"#)
        #expect(
            F.json(mapper, ["id": F.s("u1"), "home": F.s("h@example.com")])
                == #"{"type":"profile","identity":"u1","profileData":{"Email":"h@example.com"}}"#)
        let identities = RecordMapper(
            spec: F.job(.profiles, [F.map("email", to: "identity"), F.map("phone", to: "identity")], primaryKey: "pk"))
        #expect(
            F.json(identities, ["pk": F.s("7"), "phone": F.s("+14155551234")])
                == #"{"type":"profile","identity":"+14155551234","profileData":{}}"#)
    }

    @Test func columnsDeduplicatedThenPrimaryKey() {
        let mapper = RecordMapper(
            spec: F.job(
                .events,
                [
                    F.map("email", to: "identity"), F.map("kind", to: "evtName"), F.map("email", to: "Email"),
                    F.map("amount", to: "Amount"),
                ], primaryKey: "order_id"))
        #expect(mapper.columns == ["email", "kind", "amount", "order_id"])
        let record = F.record(mapper, ["email": F.s("a@b.co"), "kind": F.s("Order"), "order_id": F.s("o-1")])
        #expect(record?.primaryKey == "o-1")
        #expect(F.rejection(mapper, ["email": F.s("a@b.co"), "kind": F.s("Order")])?.reason == .primaryKeyMissing)
        let short = F.profile([F.map("n", to: "Name")])
        #expect(short.map([F.s("u1")], line: 9).isRecord, "missing trailing values are null")
    }

    @Test func profileIgnoresEventName() {
        let mapper = F.profile([F.map(nil, to: "evtName", value: .string("Ignored")), F.map("n", to: "Name")])
        #expect(
            F.json(mapper, ["id": F.s("u1"), "n": F.s("A")])
                == #"{"type":"profile","identity":"u1","profileData":{"Name":"A"}}"#)
    }

    @Test func reusedMapperGivesIdenticalRecords() throws {
        let mapper = F.profile([
            F.map("e", to: "Email", [.trim, .lowercase]), F.map("p", to: "Phone", [F.e164("+1")]),
        ])
        let row: [String: Value] = ["id": F.s("u1"), "e": F.s(" A@B.CO "), "p": F.s("4155551234")]
        let first = try #require(F.record(mapper, row))
        _ = F.run(mapper, ["id": F.s("u2"), "e": F.s(String(repeating: "LONG", count: 2000) + "@b.co")])
        _ = F.run(mapper, ["id": .null])
        let again = try #require(F.record(mapper, row))
        #expect(first == again)
        let fresh = F.profile([
            F.map("e", to: "Email", [.trim, .lowercase]), F.map("p", to: "Phone", [F.e164("+1")]),
        ])
        #expect(try #require(F.record(fresh, row)).hash == first.hash)
    }

    @Test func largeRowsGrowTheBuffers() throws {
        let names = (0..<200).map { "Field \($0)" }
        let mapper = F.profile(names.map { F.map($0, to: $0) })
        var row: [String: Value] = ["id": F.s("u1")]
        for name in names { row[name] = F.s(String(repeating: "v", count: 500)) }
        let record = try #require(F.record(mapper, row))
        #expect(record.json.count > 200 * 500)
        let object = try JSONSerialization.jsonObject(with: Data(record.json)) as? [String: Any]
        #expect((object?["profileData"] as? [String: Any])?.count == 200)
    }
}

extension MappedRow {
    var isRecord: Bool {
        if case .record = self { return true }
        return false
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
