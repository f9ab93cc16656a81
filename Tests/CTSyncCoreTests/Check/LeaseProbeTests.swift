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

/// `RunCoordinator.leaseHolder(job:)`: who holds a job's lease, read without taking it.
@Suite("lease probe")
struct LeaseProbeTests {
    @Test(arguments: StateBackend.configured)
    func probeNamesTheHolderWithoutTakingTheLease(_ backend: StateBackend) async throws {
        let state = try await TestState(backend)
        let (a, b, stores) = try CoordinationTests.pair(state)
        defer { stores.forEach { $0.shutdown() } }
        #expect(try await b.leaseHolder(job: "crm") == nil)
        try await a.acquireJob("crm", wait: false) { _ in }
        let holder = try #require(try await b.leaseHolder(job: "crm"))
        #expect(holder.pid == 101)
        #expect(holder.host == "test-host-101")
        // The holder sees itself.
        #expect(try await a.leaseHolder(job: "crm")?.pid == 101)
        #expect(try await b.leaseHolder(job: "other") == nil)
        await a.releaseJob("crm")
        #expect(try await b.leaseHolder(job: "crm") == nil)
        // Probing took nothing: the other process gets the lease at once.
        try await b.acquireJob("crm", wait: false) { _ in }
        #expect(try await a.leaseHolder(job: "crm")?.pid == 102)
        await b.releaseJob("crm")
        await a.close()
        await b.close()
    }

    @Test func kernelLockTableAnswersWithoutLocking() throws {
        let dir = TemporaryDirectory()
        let path = dir.path + "/job-x.lock"
        let holder = try LockFile(path: path)
        let probe = try #require(try LockFile.existing(path: path, readOnly: true))
        guard LockFile.kernelListsExclusiveLock(onInodeOf: probe.descriptor) != nil else { return }  // no /proc/locks
        #expect(LockFile.kernelListsExclusiveLock(onInodeOf: probe.descriptor) == false)
        #expect(try !probe.isLockedElsewhere())
        #expect(try holder.tryLock())
        #expect(LockFile.kernelListsExclusiveLock(onInodeOf: probe.descriptor) == true)
        #expect(try probe.isLockedElsewhere())
        holder.unlock()
        #expect(LockFile.kernelListsExclusiveLock(onInodeOf: probe.descriptor) == false)
    }

    @Test func postgresCoordinatorThatOnlyProbedWritesNothingOnClose() async throws {
        guard PostgresTestDatabase.isConfigured else { return }
        let state = try await TestState(.postgres)
        let (a, _, stores) = try CoordinationTests.pair(state)
        defer { stores.forEach { $0.shutdown() } }
        try await a.acquireJob("crm", wait: false) { _ in }
        let store = try #require(try state.location.openForReading())
        defer { store.shutdown() }
        let probe = try #require(state.location.leaseProbe(store: store))
        #expect(try await probe.leaseHolder(job: "crm")?.pid == 101)
        await probe.close()
        // The lease row is still there: the probe's close reaped nothing of anyone's.
        #expect(try await state.postgres?.scalar("SELECT count(*) FROM ctsync_job_leases") == "1")
        await a.close()
    }
}
