import Testing

@testable import ClevertapSandbox

@Suite("Get User Profile API (GET /1/profile.json)", .timeLimit(.minutes(2)))
struct ProfileReadTests {
    static let documentedRecord =
        #"{"status":"success","record":{"email":"jack@gmail.com","identity":"1189549","profileData":{"Customer Type":"Platinum","DOB":"$D_1487576752","Email":"jack@gmail.com","Gender":"M","MSG-sms":false,"Name":"Jack Montana","Phone":"+14155551234"}}}"#
    static let notFound = #"{"status":"fail","error":"Profile not found","code":404}"#

    private static func withDocumentedProfile(_ body: (SandboxHarness) async throws -> Void) async throws {
        try await SandboxHarness.with { sandbox in
            let upload = try await sandbox.upload(Records.batch([UploadProtocolTests.documentedProfile]))
            #expect(upload.status == 200)
            try await body(sandbox)
        }
    }

    @Test func findsAStoredProfileByIdentity() async throws {
        try await Self.withDocumentedProfile { sandbox in
            let answer = try await sandbox.readProfile("identity=1189549")
            #expect(answer.status == 200)
            #expect(answer.headers["Content-Type"].first == "application/json; charset=utf-8")
            #expect(answer.body == Self.documentedRecord)
        }
    }

    @Test func findsAStoredProfileByEmailOnTheBarePath() async throws {
        try await Self.withDocumentedProfile { sandbox in
            let answer = try await sandbox.readProfile("email=jack%40gmail.com", region: nil)
            #expect(answer.status == 200)
            #expect(answer.body == Self.documentedRecord)
        }
    }

    @Test func showsMergedPropertiesAsStored() async throws {
        try await SandboxHarness.with { sandbox in
            _ = try await sandbox.upload(
                Records.batch([Records.profile("u1", #"{"Name":"Ann","Tags":{"$add":["a"]}}"#)]))
            _ = try await sandbox.upload(
                Records.batch([Records.profile("u1", #"{"Visits":{"$incr":2},"Tags":{"$add":["b"]}}"#)]))
            let record = try await sandbox.readProfile("identity=u1").json["record"]
            #expect(record == ["identity": "u1", "profileData": ["Name": "Ann", "Tags": ["a", "b"], "Visits": 2]])
        }
    }

    @Test func answersAnUnknownIdentityOrEmailWithProfileNotFound() async throws {
        try await Self.withDocumentedProfile { sandbox in
            for query in ["identity=nobody", "email=nobody%40example.com", "identity=jack%40gmail.com"] {
                let answer = try await sandbox.readProfile(query)
                #expect(answer.status == 200)
                #expect(answer.body == Self.notFound)
            }
        }
    }

    @Test func refusesAWrongPasscodeWith401() async throws {
        try await Self.withDocumentedProfile { sandbox in
            let answer = try await sandbox.readProfile("identity=1189549", passcode: "wrong")
            #expect(answer.status == 401)
            #expect(answer.body == #"{"status":"fail","error":"Invalid Passcode","code":401}"#)
            let none = try await sandbox.readProfile("identity=1189549", passcode: nil)
            #expect(none.status == 401)
        }
    }

    @Test func refusesTheWrongRegionOrAnUnknownAccountWith401() async throws {
        try await Self.withDocumentedProfile { sandbox in
            let expected = #"{"status":"fail","error":"Account ID is not valid","code":401}"#
            let wrongRegion = try await sandbox.readProfile("identity=1189549", region: "us1")
            #expect(wrongRegion.status == 401)
            #expect(wrongRegion.body == expected)
            let unknown = try await sandbox.readProfile("identity=1189549", account: "999")
            #expect(unknown.status == 401)
            #expect(unknown.body == expected)
        }
    }

    @Test func readsOnlyTheAuthenticatedAccount() async throws {
        let other = SandboxAccount(id: "456", passcode: "p", region: .us1)
        let configuration = SandboxConfiguration(accounts: [SandboxHarness.account, other])
        try await SandboxHarness.with(configuration) { sandbox in
            _ = try await sandbox.upload(Records.batch([UploadProtocolTests.documentedProfile]))
            let answer = try await sandbox.readProfile("identity=1189549", region: "us1", account: "456", passcode: "p")
            #expect(answer.body == Self.notFound)
        }
    }

    @Test(arguments: ["", "identity=", "identity=a&email=b%40c.io", "identity=a&identity=b", "objectId=123"])
    func refusesAQueryWithoutExactlyOneLookupKey(_ query: String) async throws {
        try await SandboxHarness.with { sandbox in
            let answer = try await sandbox.readProfile(query)
            #expect(answer.status == 400)
            #expect(
                answer.body
                    == #"{"status":"fail","error":"Malformed request. Pass exactly one of identity or email","code":400}"#
            )
        }
    }

    @Test func allowsOnlyGET() async throws {
        try await SandboxHarness.with { sandbox in
            let answer = try await sandbox.send(.POST, "/in1/1/profile.json?identity=x", body: "{}")
            #expect(answer.status == 405)
            #expect(answer.headers["Allow"].first == "GET")
            #expect(try await sandbox.get("/mars/1/profile.json?identity=x").status == 404)
        }
    }

    @Test func isReadOnlyAndCountedApartFromUploads() async throws {
        try await Self.withDocumentedProfile { sandbox in
            let snapshot = sandbox.server.snapshotJSON()
            let stored = sandbox.server.storedProfile(identity: "1189549")
            let before = sandbox.server.stats()

            _ = try await sandbox.readProfile("identity=1189549")
            _ = try await sandbox.readProfile("email=jack%40gmail.com", region: nil)
            _ = try await sandbox.readProfile("identity=new-person")
            _ = try await sandbox.readProfile("email=new%40example.com")
            _ = try await sandbox.readProfile("identity=1189549", passcode: "wrong")
            _ = try await sandbox.readProfile("identity=1189549", region: "us1")
            _ = try await sandbox.readProfile("")

            #expect(sandbox.server.snapshotJSON() == snapshot)
            #expect(sandbox.server.storedProfile(identity: "1189549") == stored)
            #expect(sandbox.server.identities() == ["1189549"])
            var expected = before
            expected.profileReads = 7
            #expect(sandbox.server.stats() == expected)
            let json = try await sandbox.get("/sandbox/stats").json
            #expect(json["profile_reads"] == 7)
            #expect(json["requests"] == 1)
            #expect(json["unauthorized"] == 0)
        }
    }
}
