import Testing

@testable import ClevertapSandbox

@Suite("Configuration")
struct ConfigurationTests {
    @Test func parsesAccountSpecs() throws {
        #expect(
            try SandboxAccount(parsing: "123:secret:in1") == SandboxAccount(id: "123", passcode: "secret", region: .in1)
        )
        #expect(try SandboxAccount(parsing: "W-1:a:b:c:sk1").passcode == "a:b:c")
        #expect(throws: SandboxConfigurationError.unknownRegion("mars")) { try SandboxAccount(parsing: "1:p:mars") }
        #expect(throws: SandboxConfigurationError.invalidAccount("1:in1")) { try SandboxAccount(parsing: "1:in1") }
        #expect(throws: SandboxConfigurationError.invalidAccount("::in1")) { try SandboxAccount(parsing: "::in1") }
    }

    @Test func readsAConfigurationFile() throws {
        let configuration = try SandboxConfiguration(
            jsonText: #"""
                {"accounts": ["123:secret:in1", {"id": "456", "passcode": "p", "region": "us1"}],
                 "port": 8080, "seed": 7, "persist": "/tmp/x.json",
                 "faults": {"latency_ms": 200, "jitter_ms": 20, "fault_429": 0.25, "retry_after": 1},
                 "limits": {"max_concurrent_requests": 3}}
                """#
        )
        #expect(configuration.accounts.map(\.id) == ["123", "456"])
        #expect(configuration.accounts[1].region == .us1)
        #expect(configuration.port == 8080)
        #expect(configuration.seed == 7)
        #expect(configuration.persistPath == "/tmp/x.json")
        #expect(
            configuration.faults
                == FaultConfiguration(
                    latencyMilliseconds: 200,
                    jitterMilliseconds: 20,
                    fault429: 0.25,
                    retryAfterSeconds: 1
                )
        )
        #expect(configuration.limits.maxConcurrentRequests == 3)
        #expect(configuration.limits.maxRecordsPerRequest == 1000)
    }

    @Test(arguments: [
        #"{"accounts": ["1:p:in1"], "colour": "blue"}"#,
        #"{"faults": {"fault_404": 1}}"#,
        #"{"limits": {"max_fun": 1}}"#,
        #"{"port": "80"}"#,
        #"[]"#,
        "{",
    ])
    func refusesBadFiles(_ text: String) {
        #expect(throws: SandboxConfigurationError.self) { try SandboxConfiguration(jsonText: text) }
    }

    @Test func startRefusesInvalidConfigurations() async {
        await #expect(throws: SandboxConfigurationError.noAccounts) {
            _ = try await SandboxServer.start(SandboxConfiguration(accounts: []))
        }
        let twice = SandboxConfiguration(accounts: [SandboxHarness.account, SandboxHarness.account])
        await #expect(throws: SandboxConfigurationError.duplicateAccount("123")) {
            _ = try await SandboxServer.start(twice)
        }
    }

    @Test func reportsTheBoundPort() async throws {
        try await SandboxServer.with(SandboxConfiguration(accounts: [SandboxHarness.account])) { server in
            #expect(server.port > 0)
            #expect(server.baseURL == "http://127.0.0.1:\(server.port)")
            // A second server cannot take the same port.
            await #expect(throws: (any Error).self) {
                _ = try await SandboxServer.start(
                    SandboxConfiguration(accounts: [SandboxHarness.account], port: server.port)
                )
            }
        }
    }
}
