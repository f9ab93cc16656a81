import ClevertapSandbox
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

/// `ctsync run`, the built binary, against the sandbox over loopback HTTP.
@Suite("ctsync run against the sandbox", .serialized)
struct RunTests {
    @Test func allRowsArriveAndASecondRunSendsNothing() async throws {
        let fixture = try await RunFixture()
        defer { Task { await fixture.stop() } }
        fixture.writeContacts(2500)
        let job = fixture.profilesJob()
        let (first, report) = try await fixture.run(job)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(report["status"] as? String == "succeeded")
        #expect(report["format_version"] as? Int == 1)
        RunFixture.expectCountsAddUp(report)
        #expect(RunFixture.counts(report)["succeeded"] == 2500)
        #expect(fixture.server.stats().profiles == 2500)
        #expect(fixture.server.profile(identity: "user42@example.com")?["Name"] == .string("User 42"))
        #expect(fixture.server.stats().maxInFlight <= 5)
        let http = report["http"] as! [String: Any]
        #expect(http["requests"] as? Int == 25, "\(report)")

        let requestsBefore = fixture.server.stats().requests
        let (second, again) = try await fixture.run(job)
        #expect(second.status == 0)
        #expect(RunFixture.counts(again)["planned"] == 0)
        #expect(RunFixture.counts(again)["unchanged"] == 2500)
        #expect(fixture.server.stats().requests == requestsBefore)

        // Ten rows change: ten records go out.
        fixture.writeContacts(2500) { $0 % 250 == 0 ? " Jr" : "" }
        let (third, changed) = try await fixture.run(job)
        #expect(third.status == 0)
        #expect(RunFixture.counts(changed)["changed"] == 10)
        #expect(RunFixture.counts(changed)["succeeded"] == 10)
        #expect(fixture.server.profile(identity: "user250@example.com")?["Name"] == .string("User 250 Jr"))
    }

    @Test func insertModeNeverResends() async throws {
        let fixture = try await RunFixture()
        defer { Task { await fixture.stop() } }
        fixture.writeContacts(300)
        let job = fixture.profilesJob(mode: "insert")
        _ = try await fixture.run(job)
        fixture.writeContacts(300) { _ in " changed" }
        let (result, report) = try await fixture.run(job)
        #expect(result.status == 0)
        #expect(RunFixture.counts(report)["planned"] == 0)
        #expect(fixture.server.profile(identity: "user1@example.com")?["Name"] == .string("User 1"))
    }

    @Test func rowRejectedByCleverTapIsSentAgainNextRun() async throws {
        // The sandbox allows 20-byte values: one name is longer, the planner (512) lets it through.
        let fixture = try await RunFixture(limits: ValidationLimits(maxValueBytes: 20))
        defer { Task { await fixture.stop() } }
        fixture.writeContacts(50) { $0 == 7 ? " with a very long surname" : "" }
        let job = fixture.profilesJob(batchSize: 10, extra: "  max_rejected: 5%")
        let (first, report) = try await fixture.run(job)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(report["status"] as? String == "completed_with_errors")
        RunFixture.expectCountsAddUp(report)
        #expect(RunFixture.counts(report)["rejected"] == 1)
        #expect(RunFixture.counts(report)["succeeded"] == 49)
        let errors = report["errors"] as! [String: [String: Any]]
        let sample = try #require((errors.values.first?["samples"] as? [[String: Any]])?.first)
        #expect(sample["row"] as? Int == 9)

        let (second, again) = try await fixture.run(job)
        #expect(second.status == 0)
        #expect(RunFixture.counts(again)["planned"] == 1)
        #expect(RunFixture.counts(again)["sent"] == 1)
    }

    @Test func overMaxRejectedExitsOne() async throws {
        let fixture = try await RunFixture(limits: ValidationLimits(maxValueBytes: 20))
        defer { Task { await fixture.stop() } }
        fixture.writeContacts(10) { $0 < 3 ? " with a very long surname" : "" }
        let (result, report) = try await fixture.run(fixture.profilesJob())
        #expect(result.status == 1)
        #expect(report["status"] as? String == "completed_with_errors")
    }

    @Test func wrongPasscodeAndWrongRegionAbortWithExitThree() async throws {
        let fixture = try await RunFixture()
        defer { Task { await fixture.stop() } }
        fixture.writeContacts(500)
        let job = fixture.profilesJob()
        let (badPass, report) = try await fixture.run(job, environment: ["CLEVERTAP_PASSCODE": "wrong"])
        #expect(badPass.status == 3)
        #expect(report["status"] as? String == "aborted")
        #expect(badPass.stderr.contains("Account ID or Passcode is wrong"))
        #expect(badPass.stderr.contains("region"))
        #expect(fixture.server.stats().requests <= 5)

        let wrongRegion = fixture.dir.write("eu.yaml", fixture.dir.read("profiles.yaml").replacing("region: in1", with: "region: eu1"))
        let (region, _) = try await fixture.run(wrongRegion)
        #expect(region.status == 3)
        #expect(region.stderr.contains("dashboard URL"))
        #expect(fixture.server.stats().profiles == 0)
    }

    @Test func stormsOf429And5xxEndWithEveryProfileOnce() async throws {
        let faults = FaultConfiguration(fault429: 0.3, fault500: 0.1, fault502: 0.05, fault503: 0.1, retryAfterSeconds: 0)
        let fixture = try await RunFixture(faults: faults)
        defer { Task { await fixture.stop() } }
        fixture.writeContacts(3000)
        let (result, report) = try await fixture.run(fixture.profilesJob(concurrency: 10), environment: [:])
        #expect(result.status == 0, "\(result.stderr)")
        RunFixture.expectCountsAddUp(report)
        #expect(RunFixture.counts(report)["succeeded"] == 3000)
        let stats = fixture.server.stats()
        #expect(stats.profiles == 3000)
        #expect(stats.recordsProcessed == 3000)  // nothing processed twice: 429/5xx are refused before processing
        let http = report["http"] as! [String: Any]
        #expect((http["retries"] as! Int) > 0)
        #expect((http["throttled"] as! Int) > 0)
        #expect(stats.maxInFlight <= 10)
    }

    @Test func lostResponsesAreRetriedAndCounted() async throws {
        let fixture = try await RunFixture(faults: FaultConfiguration(faultLost: 0.2))
        defer { Task { await fixture.stop() } }
        fixture.writeContacts(1000)
        let (result, report) = try await fixture.run(fixture.profilesJob())
        #expect(result.status == 0, "\(result.stderr)")
        RunFixture.expectCountsAddUp(report)
        let stats = fixture.server.stats()
        #expect(stats.profiles == 1000)
        #expect(stats.lostResponses > 0)
        #expect(RunFixture.counts(report)["possibly_duplicated"]! >= stats.lostResponses * 100)
        #expect(stats.recordsProcessed == 1000 + stats.lostResponses * 100)
    }

    @Test func crashMidRunThenRerunDeliversEverything() async throws {
        let fixture = try await RunFixture(faults: FaultConfiguration(latencyMilliseconds: 40))
        defer { Task { await fixture.stop() } }
        let rows = 20_000
        fixture.writeContacts(rows)
        let job = fixture.profilesJob(batchSize: 100, concurrency: 5)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Products.ctsync)
        process.arguments = ["run", job, "--state", fixture.statePath, "--quiet", "--report", fixture.dir.path + "/killed.json"]
        process.environment = ProcessInfo.processInfo.environment.merging(fixture.environment) { _, new in new }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Kill once sending is well under way, at a moment that varies from run to run.
        while fixture.server.stats().recordsProcessed < 2000 && process.isRunning {
            try await Task.sleep(for: .milliseconds(5))
        }
        try await Task.sleep(for: .milliseconds(Int.random(in: 0...300)))
        kill(process.processIdentifier, SIGKILL)
        while process.isRunning { try await Task.sleep(for: .milliseconds(10)) }
        let deliveredAtKill = fixture.server.stats().profiles
        let recordedAtKill = try SQLiteStateStore(path: fixture.statePath, readOnly: true).acknowledgedCount(named: "profiles")
        #expect(deliveredAtKill > 0)
        #expect(deliveredAtKill < rows)
        // State never claims more than the sandbox holds; what it lacks is at most the batches in progress.
        #expect(recordedAtKill <= deliveredAtKill)
        #expect(deliveredAtKill - recordedAtKill <= 2 * 5 * 100)

        let (result, report) = try await fixture.run(job)
        #expect(result.status == 0, "\(result.stderr)")
        let stats = fixture.server.stats()
        #expect(stats.profiles == rows)
        let store = try SQLiteStateStore(path: fixture.statePath, readOnly: true)
        #expect(try store.acknowledgedCount(named: "profiles") == rows)
        // The rerun re-sends only what state had not recorded.
        #expect(RunFixture.counts(report)["unchanged"] == recordedAtKill)
        #expect(RunFixture.counts(report)["planned"] == rows - recordedAtKill)
    }

    @Test func passcodeNeverAppearsInAnyOutput() async throws {
        let fixture = try await RunFixture(limits: ValidationLimits(maxValueBytes: 20))
        defer { Task { await fixture.stop() } }
        fixture.writeContacts(30) { $0 == 3 ? " with a very long surname" : "" }
        let job = fixture.profilesJob(extra: "  max_rejected: 10%")
        let report = fixture.dir.path + "/r.json"
        var outputs: [String] = []
        for environment in [[:], ["CLEVERTAP_PASSCODE": "wrong-\(fixture.passcode)"]] {
            let result = try await runProcessDetached(
                Products.ctsync, ["run", job, "--state", fixture.statePath, "--report", report],
                environment: fixture.environment.merging(environment) { _, new in new }, directory: fixture.dir.path)
            outputs += [result.stdout, result.stderr, fixture.dir.read("r.json")]
        }
        let plan = try await runProcessDetached(Products.ctsync, ["plan", job, "--state", fixture.statePath], environment: fixture.environment)
        outputs += [plan.stdout, plan.stderr]
        let state = try Data(contentsOf: URL(fileURLWithPath: fixture.statePath))
        outputs.append(String(decoding: state, as: UTF8.self))
        for output in outputs {
            #expect(!output.contains(fixture.passcode))
        }
    }
}

/// SIGINT stops sending, waits for requests in flight, records them, reports `aborted`.
@Suite("ctsync run interrupted")
struct InterruptTests {
    @Test func sigintStopsGracefullyAndRecordsWhatWasAcknowledged() async throws {
        let fixture = try await RunFixture(faults: FaultConfiguration(latencyMilliseconds: 100))
        defer { Task { await fixture.stop() } }
        fixture.writeContacts(20_000)
        let job = fixture.profilesJob(batchSize: 100, concurrency: 5)
        let report = fixture.dir.path + "/interrupted.json"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Products.ctsync)
        process.arguments = ["run", job, "--state", fixture.statePath, "--quiet", "--report", report]
        process.environment = ProcessInfo.processInfo.environment.merging(fixture.environment) { _, new in new }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        while fixture.server.stats().recordsProcessed < 1000 && process.isRunning {
            try await Task.sleep(for: .milliseconds(5))
        }
        kill(process.processIdentifier, SIGINT)
        while process.isRunning { try await Task.sleep(for: .milliseconds(10)) }
        #expect(process.terminationStatus == 3)
        let parsed = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report))) as! [String: Any]
        #expect(parsed["status"] as? String == "aborted")
        let counts = RunFixture.counts(parsed)
        let stats = fixture.server.stats()
        // Everything the sandbox took was acknowledged and recorded: nothing was in flight at exit.
        #expect(counts["succeeded"] == stats.profiles)
        let recorded = try SQLiteStateStore(path: fixture.statePath, readOnly: true).acknowledgedCount(named: "profiles")
        #expect(recorded == stats.profiles)
        #expect(stats.profiles < 20_000)
    }
}
