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
        try await RunFixture.with { fixture in
            fixture.writeContacts(2500)
            let job = fixture.profilesJob()
            let (first, report) = try await fixture.run(job)
            #expect(first.status == 0, "\(first.stderr)")
            #expect(report.status == .succeeded)
            #expect(report.formatVersion == 2)
            RunFixture.expectCountsAddUp(report)
            #expect(report.counts.succeeded == 2500)
            #expect(fixture.server.stats().profiles == 2500)
            #expect(fixture.server.profile(identity: "user42@example.com")?["Name"] == .string("User 42"))
            #expect(fixture.server.stats().maxInFlight <= 5)
            #expect(report.http.requests == 25, "\(report.http)")

            let requestsBefore = fixture.server.stats().requests
            let (second, again) = try await fixture.run(job)
            #expect(second.status == 0)
            #expect(again.counts.planned == 0)
            #expect(again.counts.unchanged == 2500)
            #expect(fixture.server.stats().requests == requestsBefore)

            // Ten rows change: ten records go out.
            fixture.writeContacts(2500) { $0 % 250 == 0 ? " Jr" : "" }
            let (third, changed) = try await fixture.run(job)
            #expect(third.status == 0)
            #expect(changed.counts.changed == 10)
            #expect(changed.counts.succeeded == 10)
            #expect(fixture.server.profile(identity: "user250@example.com")?["Name"] == .string("User 250 Jr"))
        }
    }

    @Test func insertModeNeverResends() async throws {
        try await RunFixture.with { fixture in
            fixture.writeContacts(300)
            let job = fixture.profilesJob(mode: "insert")
            _ = try await fixture.run(job)
            fixture.writeContacts(300) { _ in " changed" }
            let (result, report) = try await fixture.run(job)
            #expect(result.status == 0)
            #expect(report.counts.planned == 0)
            #expect(fixture.server.profile(identity: "user1@example.com")?["Name"] == .string("User 1"))
        }
    }

    @Test func rowRejectedByCleverTapIsSentAgainNextRun() async throws {
        // The sandbox allows 20-byte values: one name is longer, the planner (512) lets it through.
        try await RunFixture.with(limits: ValidationLimits(maxValueBytes: 20)) { fixture in
            fixture.writeContacts(50) { $0 == 7 ? " with a very long surname" : "" }
            let job = fixture.profilesJob(batchSize: 10, extra: "  max_rejected: 5%")
            let (first, report) = try await fixture.run(job)
            #expect(first.status == 0, "\(first.stderr)")
            #expect(report.status == .completedWithErrors)
            RunFixture.expectCountsAddUp(report)
            #expect(report.counts.rejected == 1)
            #expect(report.counts.succeeded == 49)
            let sample = try #require(report.errors.values.first?.samples.first, "\(report.errors)")
            #expect(sample.row == 9)

            let (second, again) = try await fixture.run(job)
            #expect(second.status == 0)
            #expect(again.counts.planned == 1)
            #expect(again.counts.sent == 1)
        }
    }

    @Test func overMaxRejectedExitsOne() async throws {
        try await RunFixture.with(limits: ValidationLimits(maxValueBytes: 20)) { fixture in
            fixture.writeContacts(10) { $0 < 3 ? " with a very long surname" : "" }
            let (result, report) = try await fixture.run(fixture.profilesJob())
            #expect(result.status == 1)
            #expect(report.status == .completedWithErrors)
        }
    }

    @Test func wrongPasscodeAndWrongRegionAbortWithExitThree() async throws {
        try await RunFixture.with { fixture in
            fixture.writeContacts(500)
            let job = fixture.profilesJob()
            let (badPass, report) = try await fixture.run(job, environment: ["CLEVERTAP_PASSCODE": "wrong"])
            #expect(badPass.status == 3)
            #expect(report.status == .aborted)
            #expect(badPass.stderr.contains("Account ID or Passcode is wrong"))
            #expect(badPass.stderr.contains("region"))
            #expect(fixture.server.stats().requests <= 5)

            let wrongRegion = fixture.dir.write("eu.yaml", fixture.dir.read("profiles.yaml").replacing("region: in1", with: "region: eu1"))
            let (region, _) = try await fixture.runWithOptionalReport(wrongRegion)
            #expect(region.status == 3)
            #expect(region.stderr.contains("dashboard URL"))
            #expect(fixture.server.stats().profiles == 0)
        }
    }

    @Test func stormsOf429And5xxEndWithEveryProfileOnce() async throws {
        let faults = FaultConfiguration(fault429: 0.3, fault500: 0.1, fault502: 0.05, fault503: 0.1, retryAfterSeconds: 0)
        try await RunFixture.with(faults: faults) { fixture in
            fixture.writeContacts(3000)
            let (result, report) = try await fixture.run(fixture.profilesJob(concurrency: 10), environment: [:])
            #expect(result.status == 0, "\(result.stderr)")
            RunFixture.expectCountsAddUp(report)
            #expect(report.counts.succeeded == 3000)
            let stats = fixture.server.stats()
            #expect(stats.profiles == 3000)
            #expect(stats.recordsProcessed == 3000)  // nothing processed twice: 429/5xx are refused before processing
            #expect(report.http.retries > 0)
            #expect(report.http.throttled > 0)
            #expect(stats.maxInFlight <= 10)
        }
    }

    @Test func lostResponsesAreRetriedAndCounted() async throws {
        try await RunFixture.with(faults: FaultConfiguration(faultLost: 0.2)) { fixture in
            fixture.writeContacts(1000)
            let (result, report) = try await fixture.run(fixture.profilesJob())
            #expect(result.status == 0, "\(result.stderr)")
            RunFixture.expectCountsAddUp(report)
            let stats = fixture.server.stats()
            #expect(stats.profiles == 1000)
            #expect(stats.lostResponses > 0)
            // Each record counts once, however many of its answers were lost.
            let storedTwice = fixture.server.identities().count {
                (fixture.server.storedProfile(identity: $0)?.updateCount ?? 0) > 1
            }
            #expect(storedTwice > 0)
            #expect(report.counts.possiblyDuplicated >= storedTwice)
            #expect(report.counts.possiblyDuplicated <= report.counts.sent && report.counts.sent == 1000)
            #expect(stats.recordsProcessed == 1000 + stats.lostResponses * 100)
        }
    }

    @Test func crashMidRunThenRerunDeliversEverything() async throws {
        // Kill once sending is well under way, at a moment that varies from run to run (from the seed).
        var random = TestSeed.generator(1)
        let pause = Int.random(in: 0...300, using: &random)
        try await RunFixture.with(faults: FaultConfiguration(latencyMilliseconds: 40)) { fixture in
            let rows = 20_000
            fixture.writeContacts(rows)
            let job = fixture.profilesJob(batchSize: 100, concurrency: 5)
            let process = try fixture.start(job, report: fixture.dir.path + "/killed.json")
            try await eventually(.seconds(120), "2000 records at the sandbox") {
                fixture.server.stats().recordsProcessed >= 2000 || !process.isRunning
            }
            // Not a wait for an event: the pause is the test's choice of kill moment.
            try await Task.sleep(for: .milliseconds(pause))
            process.send(SIGKILL)
            try await process.exitStatus()
            // Requests the dead process left in flight still land; wait for them.
            try await fixture.waitUntilIdle()
            let deliveredAtKill = fixture.server.stats().profiles
            let recordedAtKill = try SQLiteStateStore(path: fixture.statePath, readOnly: true).acknowledgedCount(named: "profiles")
            let context = "[killed \(pause) ms after 2000 records: sandbox held \(deliveredAtKill), state \(recordedAtKill); \(TestSeed.note)]"
            #expect(deliveredAtKill > 0, "\(context)")
            #expect(deliveredAtKill < rows, "\(context)")
            // State never claims more than the sandbox holds; what it lacks is at most the batches in progress.
            #expect(recordedAtKill <= deliveredAtKill, "\(context)")
            #expect(deliveredAtKill - recordedAtKill <= 2 * 5 * 100, "\(context)")

            let (result, report) = try await fixture.run(job)
            #expect(result.status == 0, "\(result.stderr)\n\(context)")
            let stats = fixture.server.stats()
            #expect(stats.profiles == rows, "\(context)")
            let store = try SQLiteStateStore(path: fixture.statePath, readOnly: true)
            #expect(try store.acknowledgedCount(named: "profiles") == rows, "\(context)")
            // The rerun re-sends only what state had not recorded.
            #expect(report.counts.unchanged == recordedAtKill, "\(context)")
            #expect(report.counts.planned == rows - recordedAtKill, "\(context)")
        }
    }

    @Test func passcodeNeverAppearsInAnyOutput() async throws {
        try await RunFixture.with(limits: ValidationLimits(maxValueBytes: 20)) { fixture in
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
}

/// SIGINT stops sending, waits for requests in flight, records them, reports `aborted`.
@Suite("ctsync run interrupted")
struct InterruptTests {
    @Test func sigintStopsGracefullyAndRecordsWhatWasAcknowledged() async throws {
        try await RunFixture.with(faults: FaultConfiguration(latencyMilliseconds: 100)) { fixture in
            fixture.writeContacts(20_000)
            let job = fixture.profilesJob(batchSize: 100, concurrency: 5)
            let report = fixture.dir.path + "/interrupted.json"
            let process = try fixture.start(job, report: report)
            try await eventually(.seconds(120), "1000 records at the sandbox") {
                fixture.server.stats().recordsProcessed >= 1000 || !process.isRunning
            }
            process.send(SIGINT)
            #expect(try await process.exitStatus() == 3)
            let parsed = try OutputContract.decode(RunReportDocument.self, file: report, schema: "report")
            #expect(parsed.status == .aborted)
            let stats = fixture.server.stats()
            // Everything the sandbox took was acknowledged and recorded: nothing was in flight at exit.
            #expect(parsed.counts.succeeded == stats.profiles)
            let recorded = try SQLiteStateStore(path: fixture.statePath, readOnly: true).acknowledgedCount(named: "profiles")
            #expect(recorded == stats.profiles)
            #expect(stats.profiles < 20_000)
        }
    }
}
