/// An exact set of 64-bit key fingerprints (open addressing, linear probing):
/// 8 to 16 bytes a key, where a `Set<String>` of the keys would take ten times that.
/// Two distinct keys share a fingerprint with probability ~n²/2⁶⁵ (4·10⁻⁷ at four million keys).
struct KeySet {
    private var slots: [UInt64]
    private var count = 0
    private var mask: Int
    /// 0 marks an empty slot, so a real fingerprint of 0 is stored as this.
    private static let zeroStandIn: UInt64 = 0x9E37_79B9_7F4A_7C15

    init(capacity: Int = 1 << 16) {
        var size = 1
        while size < capacity * 2 { size <<= 1 }
        slots = [UInt64](repeating: 0, count: size)
        mask = size - 1
    }

    /// Inserts; false when it was already present.
    mutating func insert(_ fingerprint: UInt64) -> Bool {
        let value = fingerprint == 0 ? KeySet.zeroStandIn : fingerprint
        if (count + 1) * 10 > slots.count * 7 { grow() }
        var index = Int(truncatingIfNeeded: value) & mask
        while true {
            let slot = slots[index]
            if slot == 0 {
                slots[index] = value
                count += 1
                return true
            }
            if slot == value { return false }
            index = (index + 1) & mask
        }
    }

    private mutating func grow() {
        let old = slots
        slots = [UInt64](repeating: 0, count: old.count * 2)
        mask = slots.count - 1
        for value in old where value != 0 {
            var index = Int(truncatingIfNeeded: value) & mask
            while slots[index] != 0 { index = (index + 1) & mask }
            slots[index] = value
        }
    }
}
