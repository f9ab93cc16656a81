/// An exact set of 64-bit key fingerprints for duplicate detection: the one
/// structure of a plan that grows with the number of distinct keys, kept to about
/// 10 bytes a key.
///
/// 64 shards, each an open-addressing table (linear probing) that grows by half
/// when 80% full, so memory tracks the key count closely and a resize copies one
/// shard, never the whole set (no doubling spike at millions of keys). Two distinct
/// keys share a fingerprint with probability ~n²/2⁶⁵ (4·10⁻⁷ at four million keys):
/// the later row is then reported as a duplicate, never silently dropped.
struct KeySet {
    private var shards: [Shard]
    private static let shardBits = 6

    init() {
        shards = (0..<(1 << KeySet.shardBits)).map { _ in Shard() }
    }

    /// Inserts; false when it was already present.
    mutating func insert(_ fingerprint: UInt64) -> Bool {
        let shard = Int(truncatingIfNeeded: fingerprint >> (64 - UInt64(KeySet.shardBits)))
        return shards[shard].insert(fingerprint)
    }

    private struct Shard {
        var slots = [UInt64](repeating: 0, count: 64)
        var count = 0
        /// 0 marks an empty slot, so a real fingerprint of 0 is stored as this.
        static let zeroStandIn: UInt64 = 0x9E37_79B9_7F4A_7C15

        mutating func insert(_ fingerprint: UInt64) -> Bool {
            let value = fingerprint == 0 ? Shard.zeroStandIn : fingerprint
            if (count + 1) * 5 > slots.count * 4 { grow() }
            var index = Shard.home(value, capacity: slots.count)
            while true {
                let slot = slots[index]
                if slot == 0 {
                    slots[index] = value
                    count += 1
                    return true
                }
                if slot == value { return false }
                index += 1
                if index == slots.count { index = 0 }
            }
        }

        /// Maps the fingerprint's low bits (the high ones chose the shard) onto 0..<capacity.
        static func home(_ value: UInt64, capacity: Int) -> Int {
            Int(truncatingIfNeeded: (value << UInt64(KeySet.shardBits)).multipliedFullWidth(by: UInt64(capacity)).high)
        }

        mutating func grow() {
            let old = slots
            slots = [UInt64](repeating: 0, count: old.count + old.count / 2)
            for value in old where value != 0 {
                var index = Shard.home(value, capacity: slots.count)
                while slots[index] != 0 {
                    index += 1
                    if index == slots.count { index = 0 }
                }
                slots[index] = value
            }
        }
    }
}
