import Testing

@testable import CTSyncUpload

/// The account's request window shares its slots between the jobs sending to the
/// account: a freed slot goes to the job holding the fewest, first come first served
/// between equals, so a job queueing many requests cannot starve one queueing few.
@Suite("Request window fairness between jobs")
struct RequestWindowTests {
    /// Stands for a job: the window knows jobs by identity.
    final class Job: Sendable {
        var id: ObjectIdentifier { ObjectIdentifier(self) }
    }

    /// Starts a request of `job` that waits for a slot, once the window has `queued` others waiting.
    static func queue(_ window: RequestWindow, _ job: Job, after queued: Int) async throws -> Task<Void, any Error> {
        let id = job.id
        let task = Task<Void, any Error> { await window.acquire(for: id) }
        try await eventually(.seconds(10), "request \(queued + 1) waiting") { await window.waiting == queued + 1 }
        return task
    }

    @Test func aFreedSlotGoesToTheJobHoldingTheFewest() async throws {
        let window = RequestWindow(capacity: 2)
        let (busy, quiet) = (Job(), Job())
        await window.acquire(for: busy.id)
        await window.acquire(for: busy.id)
        // The busy job queues three more requests before the quiet job queues its one.
        var waiting: [Task<Void, any Error>] = []
        for queued in 0..<3 { waiting.append(try await Self.queue(window, busy, after: queued)) }
        waiting.append(try await Self.queue(window, quiet, after: 3))

        await window.release(for: busy.id)
        #expect(await window.holding(quiet.id) == 1, "the quiet job's request waited behind the busy job's")
        #expect(await window.holding(busy.id) == 1)
        #expect(await window.waiting == 3)

        // Both hold one: the busy job's oldest request is next.
        await window.release(for: busy.id)
        #expect(await window.holding(busy.id) == 1)
        #expect(await window.waiting == 2)

        for _ in 0..<2 { await window.release(for: busy.id) }
        #expect(await window.waiting == 0)
        for task in waiting { try await task.value(within: .seconds(10), "a request given its slot") }
        await window.release(for: busy.id)
        await window.release(for: quiet.id)
        #expect(await window.holding(busy.id) == 0)
        #expect(await window.holding(quiet.id) == 0)
        #expect(await window.maxInFlight == 2)
    }

    @Test func equalsAreServedInTheOrderTheyCame() async throws {
        let window = RequestWindow(capacity: 1)
        let (holder, first, second) = (Job(), Job(), Job())
        await window.acquire(for: holder.id)
        let a = try await Self.queue(window, first, after: 0)
        let b = try await Self.queue(window, second, after: 1)
        await window.release(for: holder.id)
        #expect(await window.holding(first.id) == 1)
        #expect(await window.holding(second.id) == 0)
        try await a.value(within: .seconds(10), "the first request given its slot")
        await window.release(for: first.id)
        #expect(await window.holding(second.id) == 1)
        try await b.value(within: .seconds(10), "the second request given its slot")
        await window.release(for: second.id)
        #expect(await window.waiting == 0)
    }
}
