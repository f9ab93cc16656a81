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

/// CleverTap's per-record rules (design.md "Validation", clevertap.md), each good and bad,
/// and the promise that messages never repeat the offending value.
@Suite struct RecordMapperValidationTests {
    typealias F = MappingFixture

    static func reason(_ mapper: RecordMapper, _ row: [String: Value]) -> RejectReason? {
        F.rejection(mapper, row)?.reason
    }

    // MARK: identity

    @Test func identityMustBePresent() {
        let mapper = RecordMapper(spec: F.job(.profiles, [F.map("email", to: "identity", [.trim])]))
        for missing: Value in [.null, F.s(""), F.s("   ")] {
            let rejection = F.rejection(mapper, ["email": missing])
            #expect(rejection?.reason == .identityMissing)
            #expect(rejection?.field == "identity")
            #expect(rejection?.message == "identity is missing or empty")
            #expect(rejection?.primaryKey == (missing == .null ? nil : missing == F.s("") ? nil : "   "))
        }
        #expect(F.record(mapper, ["email": F.s(" a ")])?.identity == "a")
    }

    @Test func identityAtMost512Bytes() {
        let mapper = F.profile([])
        #expect(F.record(mapper, ["id": F.s(String(repeating: "é", count: 256))]) != nil)
        let rejection = F.rejection(mapper, ["id": F.s(String(repeating: "é", count: 256) + "x")])
        #expect(rejection?.reason == .valueTooLong)
        #expect(rejection?.message == "identity is 513 bytes long; CleverTap allows at most 512")
    }

    @Test func identityCannotBeAList() {
        let mapper = RecordMapper(spec: F.job(.profiles, [F.map("id", to: "identity", [F.split(",")])]))
        #expect(Self.reason(mapper, ["id": F.s("a,b")]) == .transformFailed)
    }

    @Test func identityKindEmail() {
        let mapper = F.profile([], identityKind: .email)
        #expect(F.record(mapper, ["id": F.s("jack@gmail.com")]) != nil)
        let rejection = F.rejection(mapper, ["id": F.s("jack at gmail")])
        #expect(rejection?.reason == .identityKindMismatch)
        #expect(rejection?.message == "identity is not a valid email address, but the job's identity_kind is email")
    }

    @Test func identityKindPhone() {
        let mapper = F.profile([], identityKind: .phone)
        #expect(F.record(mapper, ["id": F.s("+14155551234")]) != nil)
        #expect(Self.reason(mapper, ["id": F.s("4155551234")]) == .identityKindMismatch)
        #expect(Self.reason(mapper, ["id": F.s("jack@gmail.com")]) == .identityKindMismatch)
        let custom = F.profile([], identityKind: .custom)
        #expect(F.record(custom, ["id": F.s("anything at all")]) != nil)
    }

    @Test func declaredPrimaryKeyMustBePresent() {
        let mapper = RecordMapper(
            spec: F.job(.profiles, [F.map("email", to: "identity"), F.map("n", to: "Name")], primaryKey: "contact_id"))
        #expect(mapper.columns == ["email", "n", "contact_id"])
        let rejection = F.rejection(mapper, ["email": F.s("a@b.co"), "contact_id": F.s("")])
        #expect(rejection?.reason == .primaryKeyMissing)
        #expect(rejection?.field == "contact_id")
        #expect(rejection?.primaryKey == nil)
        #expect(rejection?.message == "the primary key column contact_id is empty")
        #expect(F.record(mapper, ["email": F.s("a@b.co"), "contact_id": .number("42")])?.primaryKey == "42")
    }

    // MARK: evtName

    @Test func eventNameMustBePresent() {
        let mapper = RecordMapper(
            spec: F.job(.events, [F.map("id", to: "identity"), F.map("name", to: "evtName", [.trim])]))
        for missing: Value in [.null, F.s(""), F.s("  ")] {
            let rejection = F.rejection(mapper, ["id": F.s("u1"), "name": missing])
            #expect(rejection?.reason == .eventNameMissing)
            #expect(rejection?.field == "evtName")
        }
        let unmapped = RecordMapper(spec: F.job(.events, [F.map("id", to: "identity")]))
        #expect(Self.reason(unmapped, ["id": F.s("u1")]) == .eventNameMissing)
    }

    @Test(arguments: EventRules.restrictedNames)
    func restrictedEventNames(_ name: String) {
        let mapper = RecordMapper(spec: F.job(.events, [F.map("id", to: "identity"), F.map("name", to: "evtName")]))
        for spelling in [name, name.lowercased(), name.uppercased()] {
            let rejection = F.rejection(mapper, ["id": F.s("u1"), "name": F.s(spelling)])
            #expect(rejection?.reason == .restrictedEvent, "\(spelling)")
            #expect(rejection?.message == "evtName \"\(name)\" is a CleverTap system event, which cannot be uploaded")
        }
    }

    @Test func allowedEventNames() {
        let mapper = RecordMapper(spec: F.job(.events, [F.map("id", to: "identity"), F.map("name", to: "evtName")]))
        for name in ["Charged", "charged", "App Launched Twice", "Stayed Home", "SC", "SCOutgoingCall", "Order Placed"]
        {
            #expect(F.record(mapper, ["id": F.s("u1"), "name": F.s(name)])?.eventName == name, "\(name)")
        }
    }

    @Test(arguments: [".", ":", "$", "'", "\"", "\\"])
    func forbiddenEventNameCharacters(_ character: String) {
        let mapper = RecordMapper(spec: F.job(.events, [F.map("id", to: "identity"), F.map("name", to: "evtName")]))
        let rejection = F.rejection(mapper, ["id": F.s("u1"), "name": F.s("Order\(character)Placed")])
        #expect(rejection?.reason == .invalidEventName)
        #expect(
            rejection?.message.hasPrefix("evtName contains \"\(character)\", which CleverTap does not allow") == true)
    }

    @Test func eventNameAtMost512Bytes() {
        let mapper = RecordMapper(spec: F.job(.events, [F.map("id", to: "identity"), F.map("name", to: "evtName")]))
        #expect(F.record(mapper, ["id": F.s("u1"), "name": F.s(String(repeating: "e", count: 512))]) != nil)
        #expect(
            Self.reason(mapper, ["id": F.s("u1"), "name": F.s(String(repeating: "e", count: 513))]) == .valueTooLong)
    }

    // MARK: ts

    @Test func timestampAccepted() {
        let mapper = F.profile([F.map("ts", to: "ts")])
        for (cell, written) in [
            (F.s("1468308340"), "1468308340"), (.number("1468308340"), "1468308340"),
            (F.s(" 1468308340 "), "1468308340"),
            (F.s("1468308340.0"), "1468308340"), (.number("1.46830834e9"), "1468308340"), (F.s("1"), "1"),
            (F.s("100000000000"), "100000000000"),
        ] as [(Value, String)] {
            #expect(
                F.json(mapper, ["id": F.s("u1"), "ts": cell])
                    == "{\"type\":\"profile\",\"identity\":\"u1\",\"ts\":\(written),\"profileData\":{}}", "\(cell)")
        }
        let converted = F.profile([F.map("ts", to: "ts", [.msToS])])
        #expect(F.record(converted, ["id": F.s("u1"), "ts": F.s("1700000000123")]) != nil)
        let iso = F.profile([F.map("ts", to: "ts", [.iso8601])])
        #expect(F.json(iso, ["id": F.s("u1"), "ts": F.s("2024-03-01")]).contains("\"ts\":1709251200,"))
    }

    @Test func timestampRejected() {
        let mapper = F.profile([F.map("ts", to: "ts")])
        let cases: [(Value, RejectReason, String)] = [
            (F.s("0"), .invalidTimestamp, "ts 0 is not a positive number of epoch seconds"),
            (F.s("-5"), .invalidTimestamp, "ts -5 is not a positive number of epoch seconds"),
            (F.s("1468308340.5"), .invalidTimestamp, "ts is not an integer number of epoch seconds"),
            (F.s("yesterday"), .invalidTimestamp, "ts is not an integer number of epoch seconds"),
            (F.s("2024-03-01"), .invalidTimestamp, "ts is not an integer number of epoch seconds"),
            (.bool(true), .invalidTimestamp, "ts must be an integer number of epoch seconds, not a boolean"),
            (
                F.s("1700000000123"), .timestampInMilliseconds,
                "ts 1700000000123 looks like milliseconds; add the ms_to_s transform"
            ),
            (
                F.s("100000000001"), .timestampInMilliseconds,
                "ts 100000000001 looks like milliseconds; add the ms_to_s transform"
            ),
            (F.s("99999999999999999999999"), .timestampInMilliseconds, "ts is far outside the range of epoch seconds"),
        ]
        for (cell, reason, message) in cases {
            let rejection = F.rejection(mapper, ["id": F.s("u1"), "ts": cell])
            #expect(rejection?.reason == reason, "\(cell)")
            #expect(rejection?.message == message, "\(cell)")
            #expect(rejection?.field == "ts")
        }
        let dated = F.profile([F.map("ts", to: "ts", [.date])])
        #expect(Self.reason(dated, ["id": F.s("u1"), "ts": F.s("1468308340")]) == .invalidTimestamp)
    }

    @Test func missingTimestampIsOmitted() {
        let mapper = F.event([F.map("ts", to: "ts")])
        #expect(F.json(mapper, ["id": F.s("u1"), "ts": .null]).contains("\"ts\"") == false)
        #expect(F.json(mapper, ["id": F.s("u1"), "ts": F.s("")]).contains("\"ts\"") == false)
    }

    // MARK: Limits

    @Test func keyAtMost120Bytes() {
        let ok = F.profile([F.map("v", to: String(repeating: "k", count: 120))])
        #expect(F.record(ok, ["id": F.s("u1"), "v": F.s("x")]) != nil)
        let long = String(repeating: "k", count: 121)
        let mapper = F.profile([F.map("v", to: long)])
        let rejection = F.rejection(mapper, ["id": F.s("u1"), "v": F.s("x")])
        #expect(rejection?.reason == .keyTooLong)
        #expect(rejection?.field == long)
        #expect(rejection?.message == "the property name is 121 bytes long; CleverTap allows at most 120")
        #expect(F.record(mapper, ["id": F.s("u1")]) != nil, "only checked when the property is written")
    }

    @Test func valueAtMost512Bytes() {
        #expect(F.property(F.s(String(repeating: "€", count: 170) + "xy"), []) != nil, "512 bytes")
        let rejection = F.rejection(
            F.profile([F.map("v", to: "Bio")]), ["id": F.s("u1"), "v": F.s(String(repeating: "€", count: 171))])
        #expect(rejection?.reason == .valueTooLong)
        #expect(rejection?.message == "Bio is 513 bytes long; CleverTap allows at most 512")
        let event = F.event([F.map("v", to: "Note")])
        #expect(Self.reason(event, ["id": F.s("u1"), "v": F.s(String(repeating: "x", count: 513))]) == .valueTooLong)
    }

    static func wide(_ object: ObjectType, custom: Int, standard: [String] = []) -> (RecordMapper, [String: Value]) {
        let names = (0..<custom).map { "Custom \($0)" } + standard
        var mappings = [F.map("id", to: "identity")]
        if object == .events { mappings.append(F.map(nil, to: "evtName", value: .string("Wide"))) }
        mappings += names.map { F.map($0, to: $0) }
        var row: [String: Value] = ["id": F.s("u1")]
        for name in names { row[name] = F.s(name == "Email" ? "a@b.co" : name == "Gender" ? "F" : "v") }
        return (RecordMapper(spec: F.job(object, mappings)), row)
    }

    @Test func atMost256CustomProperties() {
        let (ok, okRow) = Self.wide(.profiles, custom: 256, standard: ["Name", "Email", "Gender", "MSG-push"])
        #expect(F.record(ok, okRow.merging(["MSG-push": F.s("true")]) { $1 }) != nil, "standard fields do not count")
        let (mapper, row) = Self.wide(.profiles, custom: 257)
        let rejection = F.rejection(mapper, row)
        #expect(rejection?.reason == .tooManyProperties)
        #expect(rejection?.field == nil)
        #expect(rejection?.message == "the record has 257 custom profile properties; CleverTap keeps at most 256")
        #expect(F.record(mapper, row.merging(["Custom 3": .null]) { $1 }) != nil, "empty properties are not sent")
        let (event, eventRow) = Self.wide(.events, custom: 257)
        #expect(Self.reason(event, eventRow) == .tooManyProperties)
        let (smallEvent, smallRow) = Self.wide(.events, custom: 256)
        #expect(F.record(smallEvent, smallRow) != nil)
    }

    // MARK: Standard profile fields

    static func standard(_ target: String, _ cell: Value, _ transforms: [Transform] = []) -> String? {
        F.property(cell, transforms, target: target)
    }

    @Test func phone() {
        for good in ["+14155551234", "+919876543210", "+12345678", "+123456789012345"] {
            #expect(Self.standard("Phone", F.s(good)) == "\"\(good)\"", "\(good)")
        }
        for bad: Value in [
            F.s("4155551234"), F.s("+1 415 555 1234"), F.s("+01234567890"), F.s("+1234567"), F.s("+1234567890123456"),
            F.s("+1415555123x"), .number("14155551234"), .bool(true),
        ] {
            #expect(
                Self.standard("Phone", bad)?.hasPrefix("rejected invalid_phone: Phone must be E.164") == true, "\(bad)")
        }
        #expect(Self.standard("Phone", F.s("+1 415 555 1234"), [.e164(defaultCountryCode: nil)]) == "\"+14155551234\"")
    }

    @Test func email() {
        for good in [
            "jack@gmail.com", "first.last+tag@sub.example.co.uk", "o'brien@example.ie", "x_y-z@a-b.io",
            "δοκιμή@παράδειγμα.δοκιμή",
            "a@b.co", "user@123.example.com",
        ] {
            #expect(
                Self.standard("Email", F.s(good)) != nil
                    && Self.standard("Email", F.s(good))?.hasPrefix("rejected") == false, "\(good)")
        }
        for bad in [
            "jack", "jack@", "@gmail.com", "jack@gmail", "jack@@gmail.com", "ja ck@gmail.com", "jack@gmail..com",
            ".jack@gmail.com", "jack.@gmail.com", "ja..ck@gmail.com", "jack@-gmail.com", "jack@gmail-.com",
            "jack@gmail.c",
            "jack@gmail.123", "jack@gm_ail.com", "\"jack\"@gmail.com", "jack@[127.0.0.1]", "jack@gmail.com ",
            String(repeating: "l", count: 65) + "@example.com", "jack@" + String(repeating: "d", count: 64) + ".com",
        ] {
            #expect(
                Self.standard("Email", F.s(bad)) == "rejected invalid_email: Email is not a valid address", "\(bad)")
        }
        #expect(Self.standard("Email", F.s(" Jack@Gmail.COM "), [.trim, .lowercase]) == "\"jack@gmail.com\"")
    }

    @Test func gender() {
        #expect(Self.standard("Gender", F.s("M")) == "\"M\"")
        #expect(Self.standard("Gender", F.s("F")) == "\"F\"")
        for bad in ["m", "Male", "X", "MF"] {
            #expect(
                Self.standard("Gender", F.s(bad))
                    == "rejected invalid_gender: Gender must be M or F; add the gender transform")
        }
        #expect(Self.standard("Gender", F.s("Male"), [.gender]) == "\"M\"")
    }

    @Test func employedAndMarried() {
        for field in ["Employed", "Married"] {
            #expect(Self.standard(field, F.s("Y")) == "\"Y\"")
            #expect(Self.standard(field, F.s("N")) == "\"N\"")
            let reason = field == "Employed" ? "invalid_employed" : "invalid_married"
            for bad: Value in [F.s("y"), F.s("Yes"), F.s("true"), .bool(true)] {
                #expect(Self.standard(field, bad) == "rejected \(reason): \(field) must be Y or N", "\(bad)")
            }
            #expect(Self.standard(field, F.s("y"), [.uppercase]) == "\"Y\"")
        }
    }

    @Test func education() {
        for good in ["School", "College", "Graduate"] {
            #expect(Self.standard("Education", F.s(good)) == "\"\(good)\"")
        }
        for bad in ["school", "PhD", "Graduate "] {
            #expect(
                Self.standard("Education", F.s(bad))
                    == "rejected invalid_education: Education must be School, College or Graduate")
        }
    }

    @Test func age() {
        #expect(Self.standard("Age", F.s("30")) == "30", "numeric text is written as a number")
        #expect(Self.standard("Age", F.s(" 42 ")) == "42")
        #expect(Self.standard("Age", F.s("0")) == "0")
        #expect(Self.standard("Age", F.s("150")) == "150")
        #expect(Self.standard("Age", F.s("30.5")) == "30.5")
        #expect(Self.standard("Age", .number("042")) == "42")
        for bad: Value in [F.s("-1"), F.s("150.5"), F.s("151"), F.s("abc"), F.s("1e999"), .bool(true), F.s("thirty")] {
            #expect(
                Self.standard("Age", bad) == "rejected invalid_age: Age must be a number from 0 to 150", "\(bad)")
        }
    }

    @Test func messagingFlagsAreBooleans() {
        for field in ["MSG-email", "MSG-push", "MSG-sms", "MSG-whatsapp", "MSG-dndPhone", "MSG-custom"] {
            #expect(Self.standard(field, .bool(true)) == "true")
            #expect(Self.standard(field, F.s("false")) == "false")
            #expect(Self.standard(field, F.s("TRUE")) == "true")
            for bad: Value in [F.s("yes"), F.s("1"), .number("1"), F.s(" true")] {
                #expect(
                    Self.standard(field, bad)
                        == "rejected invalid_boolean: \(field) must be a boolean (true or false); add the bool transform",
                    "\(bad)")
            }
            #expect(Self.standard(field, F.s("yes"), [.bool]) == "true")
        }
    }

    @Test func dateOfBirthIsADate() {
        #expect(Self.standard("DOB", F.s("1987-03-10"), [.date]) == "\"$D_542332800\"")
        #expect(Self.standard("DOB", F.s("$D_542332800")) == "\"$D_542332800\"")
        #expect(Self.standard("DOB", F.s("$D_-315619200")) == "\"$D_-315619200\"")
        for bad: Value in [F.s("1987-03-10"), F.s("542332800"), .number("542332800"), F.s("$D_"), F.s("$D_12x")] {
            #expect(
                Self.standard("DOB", bad)
                    == "rejected invalid_date: DOB must be a date ($D_<epoch seconds>); add the date transform",
                "\(bad)")
        }
    }

    @Test func standardFieldRulesApplyToProfilesOnly() {
        let mapper = F.event([
            F.map("p", to: "Phone"), F.map("g", to: "Gender"), F.map("m", to: "MSG-email"), F.map("d", to: "DOB"),
        ])
        #expect(
            F.json(mapper, ["id": F.s("u1"), "p": F.s("call me"), "g": F.s("other"), "m": F.s("yes"), "d": F.s("x")])
                == #"{"type":"event","identity":"u1","evtName":"Order Placed","evtData":{"DOB":"x","Gender":"other","MSG-email":"yes","Phone":"call me"}}"#
        )
    }

    // MARK: Order, reasons, privacy

    @Test func firstFailureWins() {
        let mapper = F.profile([
            F.map("p", to: "Phone"), F.map("g", to: "Gender"), F.map("ts", to: "ts"),
        ])
        #expect(Self.reason(mapper, ["p": F.s("bad"), "g": F.s("bad"), "ts": F.s("0")]) == .identityMissing)
        #expect(
            Self.reason(mapper, ["id": F.s("u1"), "p": F.s("bad"), "g": F.s("bad"), "ts": F.s("0")])
                == .invalidTimestamp)
        #expect(Self.reason(mapper, ["id": F.s("u1"), "p": F.s("bad"), "g": F.s("bad")]) == .invalidPhone)
        #expect(Self.reason(mapper, ["id": F.s("u1"), "g": F.s("bad")]) == .invalidGender)
        let rejection = F.rejection(mapper, ["id": F.s("u1"), "g": F.s("bad")])
        #expect(rejection?.line == 2)
        #expect(rejection?.primaryKey == "u1")
    }

    @Test func rejectionCarriesLineAndKey() {
        let mapper = F.profile([F.map("g", to: "Gender")])
        guard case .rejected(let rejection) = mapper.map([F.s("key-7"), F.s("x")], line: 41) else {
            Issue.record("expected a rejection")
            return
        }
        #expect(
            rejection
                == RowRejection(
                    line: 41, primaryKey: "key-7", field: "Gender", reason: .invalidGender,
                    message: "Gender must be M or F; add the gender transform"))
    }

    /// Personal values never reach a message: every kind of rejection, with a distinctive value.
    @Test func messagesNeverEchoTheValue() {
        let secret = "Zq7SecretValue"
        let phoneSecret = "+9" + "17364528193"
        let cases: [(RecordMapper, [String: Value], RejectReason)] = [
            (F.profile([], identityKind: .email), ["id": F.s(secret)], .identityKindMismatch),
            (F.profile([], identityKind: .phone), ["id": F.s(secret)], .identityKindMismatch),
            (F.profile([]), ["id": F.s(String(repeating: secret, count: 40))], .valueTooLong),
            (F.profile([F.map("v", to: "Email")]), ["id": F.s("u1"), "v": F.s(secret)], .invalidEmail),
            (F.profile([F.map("v", to: "Phone")]), ["id": F.s("u1"), "v": F.s(secret)], .invalidPhone),
            (
                F.profile([F.map("v", to: "Phone")]), ["id": F.s("u1"), "v": F.s(String(phoneSecret.dropFirst()))],
                .invalidPhone
            ),
            (F.profile([F.map("v", to: "Gender")]), ["id": F.s("u1"), "v": F.s(secret)], .invalidGender),
            (F.profile([F.map("v", to: "Employed")]), ["id": F.s("u1"), "v": F.s(secret)], .invalidEmployed),
            (F.profile([F.map("v", to: "Married")]), ["id": F.s("u1"), "v": F.s(secret)], .invalidMarried),
            (F.profile([F.map("v", to: "Education")]), ["id": F.s("u1"), "v": F.s(secret)], .invalidEducation),
            (F.profile([F.map("v", to: "Age")]), ["id": F.s("u1"), "v": F.s(secret)], .invalidAge),
            (F.profile([F.map("v", to: "MSG-sms")]), ["id": F.s("u1"), "v": F.s(secret)], .invalidBoolean),
            (F.profile([F.map("v", to: "DOB")]), ["id": F.s("u1"), "v": F.s(secret)], .invalidDate),
            (
                F.profile([F.map("v", to: "Bio")]), ["id": F.s("u1"), "v": F.s(String(repeating: secret, count: 40))],
                .valueTooLong
            ),
            (F.profile([F.map("v", to: "ts")]), ["id": F.s("u1"), "v": F.s(secret)], .invalidTimestamp),
            (
                F.profile([F.map("v", to: "Tags", [F.split(",")])]),
                ["id": F.s("u1"), "v": F.s(Array(repeating: secret, count: 101).joined(separator: ","))], .tooManyValues
            ),
            (
                F.event([F.map("v", to: "Note")]), ["id": F.s("u1"), "v": F.s(String(repeating: secret, count: 40))],
                .valueTooLong
            ),
            (
                RecordMapper(spec: F.job(.events, [F.map("id", to: "identity"), F.map("v", to: "evtName")])),
                ["id": F.s("u1"), "v": F.s(secret + ".")], .invalidEventName
            ),
            (
                RecordMapper(spec: F.job(.events, [F.map("id", to: "identity"), F.map("v", to: "evtName")])),
                ["id": F.s("u1"), "v": F.s(String(repeating: secret, count: 40))], .valueTooLong
            ),
        ]
        let transforms: [Transform] = [
            .msToS, .iso8601, .date, .number, .bool, .e164(defaultCountryCode: nil), F.e164("+1"),
            .gender,
        ]
        let secretDigits = "1987031012345"
        let numericCases: [(RecordMapper, [String: Value], RejectReason)] = [
            (F.profile([F.map("v", to: "DOB", [.date])]), ["id": F.s("u1"), "v": F.s(secretDigits)], .transformFailed),
            (F.profile([F.map("v", to: "Phone")]), ["id": F.s("u1"), "v": F.s(secretDigits)], .invalidPhone),
            (F.profile([F.map("v", to: "Age")]), ["id": F.s("u1"), "v": F.s(secretDigits)], .invalidAge),
        ]
        for (mapper, row, reason) in numericCases {
            let rejection = F.rejection(mapper, row)
            #expect(rejection?.reason == reason)
            #expect(rejection?.message.contains(secretDigits) == false, "\(rejection?.message ?? "")")
        }
        let transformCases = transforms.map { transform in
            // e164 and gender failures carry the field's own reason; the others are transform failures.
            let reason: RejectReason =
                switch transform {
                case .e164: .invalidPhone
                case .gender: .invalidGender
                default: .transformFailed
                }
            return (F.profile([F.map("v", to: "Value", [transform])]), ["id": F.s("u1"), "v": F.s(secret)], reason)
        }
        for (mapper, row, reason) in cases + transformCases {
            let rejection = F.rejection(mapper, row)
            #expect(rejection?.reason == reason, "\(row)")
            let message = rejection?.message ?? ""
            #expect(!message.isEmpty)
            #expect(!message.contains(secret), "\(message)")
            #expect(!message.contains("17364528193"), "\(message)")
        }
    }

    @Test func reasonCodesAreStable() {
        #expect(RejectReason.named.count == 33)
        for reason in RejectReason.named {
            #expect(reason.rawValue.allSatisfy { $0.isLowercase || $0 == "_" }, "\(reason)")
        }
        #expect(RejectReason.identityMissing.clevertapCode?.rawValue == 523)
        #expect(RejectReason.eventNameMissing.clevertapCode?.rawValue == 509)
        #expect(RejectReason.restrictedEvent.clevertapCode?.rawValue == 513)
        #expect(RejectReason.invalidGender.clevertapCode?.rawValue == 514)
        #expect(RejectReason.invalidEmail.clevertapCode?.rawValue == 515)
        #expect(RejectReason.invalidPhone.clevertapCode?.rawValue == 516)
        #expect(RejectReason.invalidEmployed.clevertapCode?.rawValue == 517)
        #expect(RejectReason.invalidEducation.clevertapCode?.rawValue == 518)
        #expect(RejectReason.invalidMarried.clevertapCode?.rawValue == 519)
        #expect(RejectReason.invalidAge.clevertapCode?.rawValue == 520)
        #expect(RejectReason.tooManyProperties.clevertapCode?.rawValue == 522)
        #expect(RejectReason.invalidTimestamp.clevertapCode?.rawValue == 525)
        #expect(RejectReason.timestampInMilliseconds.clevertapCode == nil)
        #expect(RejectReason.transformFailed.clevertapCode == nil)
        #expect(RejectReason(rawValue: "timestamp_in_milliseconds") == .timestampInMilliseconds)
    }
}
