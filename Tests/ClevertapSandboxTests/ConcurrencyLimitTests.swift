import Testing

@testable import ClevertapSandbox

@Suite("15 requests in flight per account")
struct ConcurrencyLimitTests {
    @Test func sixteenthConcurrentRequestIsThrottled() async throws {
        // A second of latency keeps the first 15 in flight while the 16th arrives.
        var configuration = SandboxConfiguration(accounts: [SandboxHarness.account])
        configuration.faults.latencyMilliseconds = 1000
        try await SandboxHarness.with(configuration) { sandbox in
            let body = Records.batch([Records.profile("u")])
            let answers = try await withThrowingTaskGroup(of: SandboxHarness.Answer.self) { group in
                for _ in 0..<16 {
                    group.addTask { try await sandbox.upload(body) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let statuses = answers.map(\.status).sorted()
            #expect(statuses == Array(repeating: 200, count: 15) + [429])
            let throttled = try #require(answers.first { $0.status == 429 })
            #expect(throttled.body == #"{"status":"fail","error":"Too many concurrent requests","code":429}"#)

            let stats = sandbox.server.stats()
            #expect(stats.throttled == 1)
            #expect(stats.maxInFlight == 15)
            #expect(stats.inFlight == 0)
            #expect(stats.batchesProcessed == 15)
            #expect(stats.accounts["123"]?.maxInFlight == 15)
        }
    }

    @Test func limitIsPerAccount() async throws {
        var configuration = SandboxConfiguration(accounts: [
            SandboxHarness.account, SandboxAccount(id: "456", passcode: "other", region: .us1),
        ])
        configuration.faults.latencyMilliseconds = 400
        configuration.limits.maxConcurrentRequests = 2
        try await SandboxHarness.with(configuration) { sandbox in
            let body = Records.batch([Records.profile("u")])
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<4 {
                    group.addTask {
                        index < 2
                            ? try await sandbox.upload(body).status
                            : try await sandbox.upload(body, region: "us1", account: "456", passcode: "other").status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses == [200, 200, 200, 200])
            #expect(sandbox.server.stats().maxInFlight == 2)
            #expect(sandbox.server.stats().throttled == 0)
        }
    }
}
