import Foundation
import Testing

@testable import ClevertapSandbox

@Suite("Store, inspection endpoints, reset and stats")
struct StoreTests {
    @Test func upsertsMergeProperties() async throws {
        try await SandboxHarness.with { sandbox in
            _ = try await sandbox.upload(
                Records.batch([
                    Records.profile("u1", #"{"Name":"Ann","City":"Pune","Score":1}"#, ts: "1468308340")
                ])
            )
            _ = try await sandbox.upload(
                Records.batch([
                    Records.profile("u1", #"{"City":"Goa","Plan":"Gold","Score":null}"#, ts: "1468308400")
                ])
            )
            let profile = try #require(sandbox.server.storedProfile(identity: "u1"))
            #expect(profile.properties == ["Name": "Ann", "City": "Goa", "Plan": "Gold"])
            #expect(profile.lastUpdated == 1_468_308_400)
            #expect(profile.updateCount == 2)
            #expect(sandbox.server.identities() == ["u1"])
            #expect(sandbox.server.stats().profiles == 1)
        }
    }

    @Test func appliesOperators() async throws {
        try await SandboxHarness.with { sandbox in
            let steps = [
                #"{"Tags":{"$add":["a","b"]},"Visits":{"$incr":2},"Balance":{"$decr":1.5}}"#,
                #"{"Tags":{"$add":["b","c"]},"Visits":{"$incr":3},"Balance":{"$incr":0.5}}"#,
                #"{"Tags":{"$remove":["a"]},"Visits":{"$decr":1}}"#,
                #"{"Single":"x"}"#,
                #"{"Single":{"$add":"y"},"Gone":{"$remove":["z"]}}"#,
            ]
            for step in steps {
                let answer = try await sandbox.upload(Records.batch([Records.profile("ops", step)]))
                #expect(try answer.json["status"] == "success")
            }
            let profile = try #require(sandbox.server.profile(identity: "ops"))
            #expect(profile["Tags"] == ["b", "c"])
            #expect(profile["Visits"] == 4)
            #expect(profile["Balance"] == -1.0)
            #expect(profile["Single"] == ["x", "y"])
            #expect(profile["Gone"] == nil)

            _ = try await sandbox.upload(Records.batch([Records.profile("ops", #"{"Tags":{"$remove":["b","c"]}}"#)]))
            #expect(sandbox.server.profile(identity: "ops")?["Tags"] == nil)
        }
    }

    @Test func keepsAtMost100MultiValues() async throws {
        try await SandboxHarness.with { sandbox in
            for chunk in 0..<3 {
                let values = (0..<50).map { "\"v\(chunk * 50 + $0)\"" }.joined(separator: ",")
                _ = try await sandbox.upload(
                    Records.batch([Records.profile("mv", "{\"Tags\":{\"$add\":[\(values)]}}")])
                )
            }
            let tags = try #require(sandbox.server.profile(identity: "mv")?["Tags"]?.arrayValue)
            #expect(tags.count == 100)
            #expect(tags.first == "v50")
            #expect(tags.last == "v149")
        }
    }

    @Test func appendsEventsWithReceiptTimeWhenTsIsAbsent() async throws {
        try await SandboxHarness.with { sandbox in
            let before = Int(Date().timeIntervalSince1970)
            _ = try await sandbox.upload(
                Records.batch([
                    Records.event("e1", "Viewed", #"{"Page":"home"}"#),
                    Records.event("e2", "Viewed"),
                    Records.event("e1", "Bought", #"{"Amount":5}"#),
                ])
            )
            let events = sandbox.server.events(identity: "e1")
            #expect(events.map(\.name) == ["Viewed", "Bought"])
            #expect(events.map(\.sequence) == [1, 3])
            #expect(events[0].timestamp >= before)
            #expect(sandbox.server.events().count == 3)
            #expect(sandbox.server.events(name: "Viewed").count == 2)
            #expect(sandbox.server.stats().events == 3)
            // Events never create profiles.
            #expect(sandbox.server.profile(identity: "e1") == nil)
        }
    }

    @Test func limitsDistinctEventNamesPerAccount() async throws {
        var configuration = SandboxConfiguration(accounts: [SandboxHarness.account])
        configuration.limits.maxEventNames = 3
        try await SandboxHarness.with(configuration) { sandbox in
            let first = try await sandbox.upload(Records.batch(["A", "B", "C", "A"].map { Records.event("u", $0) }))
            #expect(try first.json["status"] == "success")
            let second = try await sandbox.upload(Records.batch([Records.event("u", "B"), Records.event("u", "D")]))
            let json = try second.json
            #expect(json["status"] == "partial")
            let item = try #require(json["unprocessed"]?.arrayValue?.first)
            #expect(item["code"] == 512)
            #expect(item["error"]?.stringValue?.hasSuffix("Skipped record number : 2") == true)
            #expect(sandbox.server.stats().accounts["123"]?.eventNames == 3)
        }
    }

    @Test func limitsCustomPropertiesAfterMerging() async throws {
        var configuration = SandboxConfiguration(accounts: [SandboxHarness.account])
        configuration.limits.maxCustomProfileProperties = 2
        try await SandboxHarness.with(configuration) { sandbox in
            _ = try await sandbox.upload(Records.batch([Records.profile("c", #"{"A":1,"B":2,"Name":"standard"}"#)]))
            let json = try await sandbox.upload(Records.batch([Records.profile("c", #"{"C":3}"#)])).json
            #expect(json["unprocessed"]?.arrayValue?.first?["code"] == 522)
            let ok = try await sandbox.upload(Records.batch([Records.profile("c", #"{"A":5,"Email":"c@d.io"}"#)])).json
            #expect(ok["status"] == "success")

            // Deleting a property (null, or $remove of its last value) frees its place.
            let freed = try await sandbox.upload(Records.batch([Records.profile("c", #"{"A":null,"C":3}"#)])).json
            #expect(freed["status"] == "success")
            _ = try await sandbox.upload(Records.batch([Records.profile("c", #"{"B":null,"T":{"$add":["x"]}}"#)]))
            _ = try await sandbox.upload(Records.batch([Records.profile("c", #"{"T":{"$remove":["x"]}}"#)]))
            let last = try await sandbox.upload(Records.batch([Records.profile("c", #"{"D":4}"#)])).json
            #expect(last["status"] == "success")
            #expect(sandbox.server.profile(identity: "c") == ["C": 3, "D": 4, "Email": "c@d.io", "Name": "standard"])
            let over = try await sandbox.upload(Records.batch([Records.profile("c", #"{"E":5}"#)])).json
            #expect(over["unprocessed"]?.arrayValue?.first?["code"] == 522)
        }
    }

    @Test func inspectionEndpoints() async throws {
        try await SandboxHarness.with { sandbox in
            _ = try await sandbox.upload(
                Records.batch([
                    Records.profile("jack@gmail.com", #"{"Name":"Jack","Visits":{"$incr":1}}"#, ts: "1468308340"),
                    Records.event("jack@gmail.com", "Charged", #"{"Amount":300}"#),
                ])
            )
            let profile = try await sandbox.get("/sandbox/profiles/jack%40gmail.com")
            #expect(profile.status == 200)
            #expect(
                profile.body
                    == #"{"account":"123","identity":"jack@gmail.com","profileData":{"Name":"Jack","Visits":1},"ts":1468308340,"updates":1}"#
            )
            #expect(try await sandbox.get("/sandbox/profiles/jack@gmail.com").status == 200)
            let missing = try await sandbox.get("/sandbox/profiles/nobody")
            #expect(missing.status == 404)
            #expect(missing.body == #"{"status":"fail","error":"Profile not found","code":404}"#)
            #expect(try await sandbox.get("/sandbox/profiles/x?account=777").status == 404)

            let events = try await sandbox.get("/sandbox/events?identity=jack%40gmail.com").json
            #expect(events["count"] == 1)
            #expect(events["events"]?.arrayValue?.first?["evtName"] == "Charged")
            #expect(events["events"]?.arrayValue?.first?["evtData"]?["Amount"] == 300)
            #expect(try await sandbox.get("/sandbox/events?identity=nobody").json["count"] == 0)
            #expect(try await sandbox.get("/sandbox/events").json["count"] == 1)

            let list = try await sandbox.get("/sandbox/profiles").json
            #expect(list["identities"] == ["jack@gmail.com"])
            #expect(try await sandbox.send(.DELETE, "/sandbox/stats").status == 405)
            #expect(try await sandbox.get("/sandbox/reset").status == 405)
        }
    }

    @Test func statsCountEverything() async throws {
        try await SandboxHarness.with { sandbox in
            _ = try await sandbox.upload(Records.batch([Records.profile("a"), Records.profile("b", #"{"Age":"x"}"#)]))
            _ = try await sandbox.upload(Records.batch([Records.event("a", "E")]))
            _ = try await sandbox.upload("garbage")
            _ = try await sandbox.upload("{}", passcode: "wrong")
            let stats = try await sandbox.get("/sandbox/stats").json
            #expect(stats["requests"] == 4)
            #expect(stats["batches_processed"] == 2)
            #expect(stats["records_processed"] == 2)
            #expect(stats["records_unprocessed"] == 1)
            #expect(stats["malformed"] == 1)
            #expect(stats["unauthorized"] == 1)
            #expect(stats["throttled"] == 0)
            #expect(stats["max_in_flight"] == 1)
            #expect(stats["profiles"] == 1)
            #expect(stats["events"] == 1)
            for key in [
                "lost_responses", "dropped", "slow_responses", "injected_429", "injected_500", "injected_502",
                "injected_503", "in_flight",
            ] {
                #expect(stats[key] == 0, "\(key)")
            }
            #expect(stats["accounts"]?["123"]?["profiles"] == 1)
        }
    }

    @Test func resetEmptiesStoreAndCounters() async throws {
        try await SandboxHarness.with { sandbox in
            _ = try await sandbox.upload(Records.batch([Records.profile("a"), Records.event("a", "E")]))
            let reset = try await sandbox.post("/sandbox/reset")
            #expect(reset.body == #"{"status":"success"}"#)
            #expect(sandbox.server.profile(identity: "a") == nil)
            #expect(sandbox.server.events().isEmpty)
            #expect(
                sandbox.server.stats()
                    == {
                        var expected = SandboxStats()
                        expected.accounts = ["123": SandboxAccountStats()]
                        return expected
                    }()
            )
            // The event name budget starts over too.
            _ = try await sandbox.upload(Records.batch([Records.event("a", "E")]))
            #expect(sandbox.server.stats().accounts["123"]?.eventNames == 1)
        }
    }

    @Test func accountsAreSeparate() async throws {
        let configuration = SandboxConfiguration(accounts: [
            SandboxHarness.account, SandboxAccount(id: "456", passcode: "p", region: .eu1),
        ])
        try await SandboxHarness.with(configuration) { sandbox in
            _ = try await sandbox.upload(Records.batch([Records.profile("same", #"{"Owner":"123"}"#)]))
            _ = try await sandbox.upload(
                Records.batch([Records.profile("same", #"{"Owner":"456"}"#)]),
                region: "eu1",
                account: "456",
                passcode: "p"
            )
            #expect(sandbox.server.profile(identity: "same", account: "123")?["Owner"] == "123")
            #expect(sandbox.server.profile(identity: "same", account: "456")?["Owner"] == "456")
            #expect(try await sandbox.get("/sandbox/profiles/same?account=456").json["profileData"]?["Owner"] == "456")
            #expect(sandbox.server.stats().profiles == 2)
        }
    }

    @Test func persistsTheStoreOnShutdown() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sandbox-\(UUID().uuidString).json")
            .path
        defer { try? FileManager.default.removeItem(atPath: path) }
        var configuration = SandboxConfiguration(accounts: [SandboxHarness.account])
        configuration.persistPath = path
        try await SandboxHarness.with(configuration) { sandbox in
            _ = try await sandbox.upload(
                Records.batch([Records.profile("kept", #"{"Name":"K"}"#), Records.event("kept", "E")])
            )
        }
        let snapshot = try JSONParser.parse(String(contentsOfFile: path, encoding: .utf8))
        let account = try #require(snapshot["accounts"]?["123"])
        #expect(account["profiles"]?.arrayValue?.first?["identity"] == "kept")
        #expect(account["profiles"]?.arrayValue?.first?["profileData"] == ["Name": "K"])
        #expect(account["events"]?.arrayValue?.first?["evtName"] == "E")
    }
}
