/// Which of a job's property keys one record carries: bit `i` is the job's `i`th key in
/// ``RecordMapper/propertyKeys`` (sorted by UTF-8 bytes). Up to 256 keys live inline, so
/// the mask costs a record no allocation; a job mapping more spills into `overflow`.
public struct PropertyMask: Sendable, Hashable {
    private var w0: UInt64 = 0
    private var w1: UInt64 = 0
    private var w2: UInt64 = 0
    private var w3: UInt64 = 0
    private var overflow: [UInt64] = []

    public init() {}

    public mutating func insert(_ index: Int) {
        let bit = UInt64(1) << UInt64(index & 63)
        switch index >> 6 {
        case 0: w0 |= bit
        case 1: w1 |= bit
        case 2: w2 |= bit
        case 3: w3 |= bit
        default:
            let word = (index >> 6) - 4
            if overflow.count <= word { overflow += Array(repeating: 0, count: word - overflow.count + 1) }
            overflow[word] |= bit
        }
    }

    public func contains(_ index: Int) -> Bool {
        let bit = UInt64(1) << UInt64(index & 63)
        switch index >> 6 {
        case 0: return w0 & bit != 0
        case 1: return w1 & bit != 0
        case 2: return w2 & bit != 0
        case 3: return w3 & bit != 0
        default:
            let word = (index >> 6) - 4
            return word < overflow.count && overflow[word] & bit != 0
        }
    }

    public var isEmpty: Bool { w0 | w1 | w2 | w3 == 0 && overflow.allSatisfy { $0 == 0 } }

    /// Whether every key of `self` is in `other`.
    public func isSubset(of other: PropertyMask) -> Bool {
        guard w0 & ~other.w0 == 0, w1 & ~other.w1 == 0, w2 & ~other.w2 == 0, w3 & ~other.w3 == 0 else { return false }
        for (index, word) in overflow.enumerated() where word != 0 {
            let theirs = index < other.overflow.count ? other.overflow[index] : 0
            if word & ~theirs != 0 { return false }
        }
        return true
    }

    public mutating func formUnion(_ other: PropertyMask) {
        w0 |= other.w0
        w1 |= other.w1
        w2 |= other.w2
        w3 |= other.w3
        if !other.overflow.isEmpty {
            if overflow.count < other.overflow.count {
                overflow += Array(repeating: 0, count: other.overflow.count - overflow.count)
            }
            for (index, word) in other.overflow.enumerated() { overflow[index] |= word }
        }
    }

    /// The indices set, ascending.
    public var indices: [Int] {
        var result: [Int] = []
        let words = [w0, w1, w2, w3] + overflow
        for (index, word) in words.enumerated() where word != 0 {
            for bit in 0..<64 where word & (UInt64(1) << UInt64(bit)) != 0 { result.append(index * 64 + bit) }
        }
        return result
    }
}
