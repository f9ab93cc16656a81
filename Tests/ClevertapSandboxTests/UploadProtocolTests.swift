import Testing

@testable import ClevertapSandbox

@Suite("Upload API request handling")
struct UploadProtocolTests {
    /// The two records documented in clevertap.md.
    static let documentedProfile = #"""
        {"type":"profile","identity":"1189549","ts":1468308340,
         "profileData":{"Name":"Jack Montana","Email":"jack@gmail.com","Phone":"+14155551234",
          "Gender":"M","DOB":"$D_1487576752","MSG-sms":false,"Customer Type":"Platinum"}}
        """#
    static let documentedEvent = #"""
        {"type":"event","identity":"jack@gmail.com","ts":1468208340,"evtName":"Charged",
         "evtData":{"Amount":300,"Currency":"USD","Delivery By":"$D_1468322268"}}
        """#

    @Test func documentedExampleSucceeds() async throws {
        try await SandboxHarness.with { sandbox in
            let answer = try await sandbox.upload(Records.batch([Self.documentedProfile, Self.documentedEvent]))
            #expect(answer.status == 200)
            #expect(answer.headers["Content-Type"].first == "application/json; charset=utf-8")
            #expect(answer.body == #"{"status":"success","processed":2,"unprocessed":[]}"#)

            let profile = try #require(sandbox.server.profile(identity: "1189549"))
            #expect(profile["Email"] == "jack@gmail.com")
            #expect(profile["MSG-sms"] == false)
            #expect(sandbox.server.storedProfile(identity: "1189549")?.lastUpdated == 1_468_308_340)
            let events = sandbox.server.events(identity: "jack@gmail.com")
            #expect(events.count == 1)
            #expect(events.first?.name == "Charged")
            #expect(events.first?.timestamp == 1_468_208_340)
            #expect(events.first?.properties["Amount"] == 300)
        }
    }

    @Test func documentedPartialAnswer() async throws {
        try await SandboxHarness.with { sandbox in
            let bad = Records.profile("jack-2", #"{"Name":"Jack","Email":"jack@@gmail"}"#)
            let answer = try await sandbox.upload(Records.batch([Self.documentedProfile, bad]))
            #expect(answer.status == 200)
            #expect(
                answer.body
                    == #"{"status":"partial","processed":1,"unprocessed":[{"status":"fail","code":515,"error":"Profile data is incorrect. Email is not valid.Skipped record number : 2","record":{"identity":"jack-2","profileData":{"Email":"jack@@gmail","Name":"Jack"},"type":"profile"}}]}"#
            )
            #expect(sandbox.server.profile(identity: "jack-2") == nil)
        }
    }

    @Test func documentedFailAnswerEchoesPhoneAsNumber() async throws {
        try await SandboxHarness.with { sandbox in
            let record = Records.profile("p1", #"{"Phone":"+1415","Email":"a@b.co"}"#)
            let answer = try await sandbox.upload(Records.batch([record]))
            let json = try answer.json
            #expect(json["status"] == "fail")
            #expect(json["processed"] == 0)
            let item = try #require(json["unprocessed"]?.arrayValue?.first)
            #expect(item["code"] == 516)
            #expect(item["error"] == "Profile data is incorrect. Phone number is not valid.Skipped record number : 1")

            // A valid Phone in a refused record comes back as a number, as CleverTap does.
            let other = Records.profile("p2", #"{"Phone":"+14155551234","Gender":"X"}"#)
            let second = try await sandbox.upload(Records.batch([other])).json
            #expect(second["unprocessed"]?.arrayValue?.first?["record"]?["profileData"]?["Phone"] == 14_155_551_234)
        }
    }

    @Test func bareUploadPathAcceptsAnyRegionsAccount() async throws {
        try await SandboxHarness.with { sandbox in
            let answer = try await sandbox.upload(Records.batch([Records.profile("x")]), region: nil)
            #expect(answer.status == 200)
            #expect(try answer.json["status"] == "success")
        }
    }

    @Test func emptyBatchSucceeds() async throws {
        try await SandboxHarness.with { sandbox in
            let answer = try await sandbox.upload(#"{"d":[]}"#)
            #expect(answer.body == #"{"status":"success","processed":0,"unprocessed":[]}"#)
        }
    }

    // MARK: - Request-level failures

    struct CredentialCase: Sendable, CustomTestStringConvertible {
        let name: String
        let region: String?
        let account: String?
        let passcode: String?
        let error: String
        var testDescription: String { name }
    }

    @Test(arguments: [
        CredentialCase(
            name: "wrong region",
            region: "us1",
            account: "123",
            passcode: "secret",
            error: "Account ID is not valid"
        ),
        CredentialCase(
            name: "eu1 for an in1 account",
            region: "eu1",
            account: "123",
            passcode: "secret",
            error: "Account ID is not valid"
        ),
        CredentialCase(
            name: "unknown account",
            region: "in1",
            account: "999",
            passcode: "secret",
            error: "Account ID is not valid"
        ),
        CredentialCase(
            name: "wrong passcode",
            region: "in1",
            account: "123",
            passcode: "nope",
            error: "Invalid Passcode"
        ),
        CredentialCase(
            name: "wrong passcode, bare path",
            region: nil,
            account: "123",
            passcode: "nope",
            error: "Invalid Passcode"
        ),
        CredentialCase(
            name: "no account header",
            region: "in1",
            account: nil,
            passcode: "secret",
            error: "Account ID is not valid"
        ),
        CredentialCase(
            name: "no passcode header",
            region: "in1",
            account: "123",
            passcode: nil,
            error: "Invalid Passcode"
        ),
        CredentialCase(
            name: "no headers",
            region: "in1",
            account: nil,
            passcode: nil,
            error: "Account ID is not valid"
        ),
    ])
    func refusesCredentials(_ credentials: CredentialCase) async throws {
        try await SandboxHarness.with { sandbox in
            let answer = try await sandbox.upload(
                Records.batch([Records.profile("x")]),
                region: credentials.region,
                account: credentials.account,
                passcode: credentials.passcode
            )
            #expect(answer.status == 401)
            #expect(answer.body == #"{"status":"fail","error":"\#(credentials.error)","code":401}"#)
            #expect(sandbox.server.stats().unauthorized == 1)
            #expect(sandbox.server.stats().profiles == 0)
        }
    }

    @Test(arguments: [
        "not json", "", #"{"d":{}}"#, #"{"data":[]}"#, #"[{"type":"profile"}]"#, #"{"d":[1,]}"#, #"{"d":"x"}"#,
    ])
    func refusesMalformedBodies(_ body: String) async throws {
        try await SandboxHarness.with { sandbox in
            let answer = try await sandbox.upload(body)
            #expect(answer.status == 400)
            #expect(answer.body == #"{"status":"fail","error":"Malformed request","code":400}"#)
            #expect(sandbox.server.stats().malformed == 1)
        }
    }

    @Test func refusesMoreThan1000Records() async throws {
        try await SandboxHarness.with { sandbox in
            let records = (0..<1001).map { Records.profile("u\($0)") }
            let answer = try await sandbox.upload(Records.batch(records))
            #expect(answer.status == 400)
            let json = try answer.json
            #expect(json["code"] == 400)
            #expect(json["status"] == "fail")
            #expect(json["error"]?.stringValue?.hasPrefix("Malformed request") == true)
            #expect(sandbox.server.stats().profiles == 0)

            let exactly1000 = try await sandbox.upload(Records.batch(Array(records.prefix(1000))))
            #expect(try exactly1000.json["processed"] == 1000)
        }
    }

    @Test func refusesBodiesOverTheSizeLimit() async throws {
        var configuration = SandboxConfiguration(accounts: [SandboxHarness.account])
        configuration.limits.maxBodyBytes = 1000
        try await SandboxHarness.with(configuration) { sandbox in
            let records = (0..<20).map { Records.profile("user-\($0)") }
            let answer = try await sandbox.upload(Records.batch(records))
            #expect(answer.status == 400)
            #expect(try answer.json["error"]?.stringValue?.hasPrefix("Malformed request") == true)
            #expect(try await sandbox.upload(Records.batch([Records.profile("small")])).status == 200)
        }
    }

    @Test func otherMethodsAndPaths() async throws {
        try await SandboxHarness.with { sandbox in
            let get = try await sandbox.get("/in1/1/upload")
            #expect(get.status == 405)
            #expect(get.headers["Allow"].first == "POST")
            #expect(get.body == #"{"status":"fail","error":"Method Not Allowed","code":405}"#)
            #expect(try await sandbox.send(.PUT, "/1/upload", body: "{}").status == 405)
            #expect(try await sandbox.get("/").status == 404)
            #expect(try await sandbox.post("/1/profiles.json", "{}").status == 404)
            #expect(try await sandbox.upload(#"{"d":[]}"#, region: "xx9").status == 404)
            #expect(try await sandbox.get("/sandbox/nothing").status == 404)
        }
    }

    @Test func dryRunValidatesWithoutStoring() async throws {
        try await SandboxHarness.with { sandbox in
            let body = Records.batch([Records.profile("dry"), Records.profile("bad", #"{"Gender":"Male"}"#)])
            let answer = try await sandbox.upload(body, query: "?dryRun=1")
            let json = try answer.json
            #expect(json["status"] == "partial")
            #expect(json["unprocessed"]?.arrayValue?.first?["code"] == 514)
            #expect(sandbox.server.profile(identity: "dry") == nil)
        }
    }
}
