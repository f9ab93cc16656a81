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

@Suite("key set")
struct KeySetTests {
    @Test func agreesWithSetOverManyInsertsAcrossGrowth() {
        var set = KeySet()
        var reference = Set<UInt64>()
        var generator = TestSeed.generator(3)
        var values: [UInt64] = (0..<200_000).map { _ in generator.next() }
        values += values.prefix(50_000)  // duplicates
        values += [0, 0, UInt64.max, UInt64.max]
        values.shuffle(using: &generator)
        var wrong: [UInt64] = []
        for value in values where set.insert(value) != reference.insert(value).inserted {
            wrong.append(value)
        }
        #expect(wrong.isEmpty, "\(wrong.count) answers differ from Set's, e.g. \(wrong.prefix(5)); \(TestSeed.note)")
    }

    /// With a small memory limit most keys live in spilled runs on disk: the answers
    /// stay exact, for duplicates of keys in memory, in any run, and of 0 and max.
    @Test(arguments: [500, 4096])
    func agreesWithSetAcrossSpills(memoryLimit: Int) {
        var set = KeySet(memoryLimit: memoryLimit)
        var reference = Set<UInt64>()
        var generator = TestSeed.generator(4 &+ UInt64(memoryLimit))
        var values: [UInt64] = (0..<30_000).map { _ in generator.next() }
        // Near neighbours of existing values: a Bloom filter or a block search that
        // only looked close would mistake them.
        values += values.prefix(2_000).map { $0 &+ 1 }
        values += values.prefix(10_000)  // duplicates, some spilled long ago
        values += [0, 0, UInt64.max, UInt64.max, 1, KeySet.zeroStandIn]
        values.shuffle(using: &generator)
        var mismatches = 0
        for value in values where set.insert(value) != reference.insert(value).inserted {
            mismatches += 1
        }
        #expect(
            mismatches <= (reference.contains(0) && reference.contains(KeySet.zeroStandIn) ? 1 : 0),
            "\(mismatches) answers differ from Set's; \(TestSeed.note)")
        if memoryLimit < 10_000 { #expect(set.spilledCount > 0) }
    }

    /// Ascending keys (ids in order) fill whole blocks of a run: lookups at block edges.
    @Test func sequentialKeysAcrossBlockEdges() {
        var set = KeySet(memoryLimit: 1_500)
        var wrong: [UInt64] = []
        for value in UInt64(1)...20_000 where !set.insert(value) { wrong.append(value) }
        for value in stride(from: UInt64(1), through: 20_000, by: 511) where set.insert(value) { wrong.append(value) }
        #expect(wrong == [])
        let next = set.insert(20_001)
        #expect(next)
        #expect(set.spilledCount >= 18_000)
    }
}
