import Testing

@testable import ClevertapSandbox

@Suite("Load generator")
struct LoadGeneratorTests {
    @Test(arguments: LoadGeneratorOptions.RecordKind.allCases)
    func sendsValidBatches(_ kind: LoadGeneratorOptions.RecordKind) async throws {
        let (server, report) = try await SandboxServer.with(SandboxConfiguration(accounts: [SandboxHarness.account])) {
            server in
            let options = LoadGeneratorOptions(
                url: server.baseURL + "/in1/1/upload",
                accountID: "123",
                passcode: "secret",
                clients: 4,
                batches: 20,
                batchSize: 100,
                distinctBatches: 5,
                kind: kind
            )
            return (server, try await LoadGenerator.run(options))
        }

        #expect(report.requests == 20)
        #expect(report.errors == 0)
        #expect(report.statusCounts == [200: 20])
        #expect(report.recordsProcessed == 2000)
        #expect(report.recordsPerSecond > 0)
        let stats = server.stats()
        #expect(stats.recordsUnprocessed == 0)
        #expect(kind == .profiles ? stats.profiles == 500 : stats.events == 2000)
        #expect(try JSONParser.parse(report.jsonText)["records_processed"] == 2000)
    }

    @Test func parsesTargets() throws {
        let options = LoadGeneratorOptions(url: "http://127.0.0.1:8080", accountID: "1", passcode: "p")
        #expect(try options.endpoint() == ("127.0.0.1", 8080, "/1/upload"))
        var regional = options
        regional.url = "http://localhost:9/us1/1/upload"
        #expect(try regional.endpoint() == ("localhost", 9, "/us1/1/upload"))
        regional.url = "https://x:1"
        #expect(throws: LoadGeneratorError.invalidURL("https://x:1")) { try regional.endpoint() }
    }

    @Test func countsAnswersThatAreNot200() async throws {
        var configuration = SandboxConfiguration(accounts: [SandboxHarness.account])
        configuration.faults.fault503 = 1
        let report = try await SandboxServer.with(configuration) { server in
            try await LoadGenerator.run(
                LoadGeneratorOptions(
                    url: server.baseURL,
                    accountID: "123",
                    passcode: "secret",
                    clients: 2,
                    batches: 6,
                    batchSize: 10
                )
            )
        }
        #expect(report.statusCounts == [503: 6])
        #expect(report.recordsProcessed == 0)
    }
}
