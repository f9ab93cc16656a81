import Testing

@testable import CTSyncCore

@Suite("key set")
struct KeySetTests {
    @Test func agreesWithSetOverManyInsertsAcrossGrowth() {
        var set = KeySet()
        var reference = Set<UInt64>()
        var generator = SystemRandomNumberGenerator()
        var values: [UInt64] = (0..<200_000).map { _ in generator.next() }
        values += values.prefix(50_000)  // duplicates
        values += [0, 0, UInt64.max, UInt64.max]
        values.shuffle()
        for value in values {
            #expect(set.insert(value) == reference.insert(value).inserted)
        }
    }
}
