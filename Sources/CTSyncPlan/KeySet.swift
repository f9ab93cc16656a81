import Foundation

/// An exact set of 64-bit key fingerprints for duplicate detection, in bounded memory.
///
/// The most recent keys (up to `memoryLimit`, about 11 bytes each) live in an
/// in-memory table. When it is full, its fingerprints are sorted and written to an
/// unlinked temporary file as a run, and the table starts again; each run keeps in
/// memory only a blocked Bloom filter (10 bits a key) and one fence value per
/// 4 KiB block. A lookup asks each run's filter, and reads one block from disk
/// only when the filter says maybe (about 1% of new keys a run, and every real
/// duplicate). Peak memory is then the table plus 1.3 bytes a spilled key, nearly
/// flat from 1M to 4M rows, where the table alone grew by 11 bytes a key.
///
/// Exactness is kept: two distinct keys share a fingerprint with probability
/// ~n²/2⁶⁵ (4·10⁻⁷ at four million keys); the later row is then reported as a
/// duplicate, never silently dropped. If the temporary file cannot be written,
/// the set simply keeps everything in memory.
struct KeySet {
    private var table = Table()
    private var runs: SpilledRuns?
    private var spillFailed = false
    let memoryLimit: Int

    /// 0 marks an empty slot in the table, so a real fingerprint of 0 is stored as this.
    static let zeroStandIn: UInt64 = 0x9E37_79B9_7F4A_7C15

    init(memoryLimit: Int = 1 << 20) {
        self.memoryLimit = max(1, memoryLimit)
    }

    /// Inserts; false when it was already present.
    mutating func insert(_ fingerprint: UInt64) -> Bool {
        let value = fingerprint == 0 ? KeySet.zeroStandIn : fingerprint
        if let runs, runs.contains(value) { return false }
        guard table.insert(value) else { return false }
        if table.count >= memoryLimit && !spillFailed { spill() }
        return true
    }

    /// Keys spilled to disk so far (for tests).
    var spilledCount: Int { runs?.count ?? 0 }

    /// Moves the table to disk as one sorted run, a shard at a time: shards hold
    /// ascending ranges of values, so sorting each alone sorts the whole, and the
    /// table shrinks while the run is written (no second copy of it in memory).
    private mutating func spill() {
        let runs: SpilledRuns
        do {
            runs = try self.runs ?? SpilledRuns()
        } catch {
            spillFailed = true  // No temporary file: keep everything in memory from now on.
            return
        }
        self.runs = runs
        runs.startRun(count: table.count)
        do {
            try table.drainSorted { try runs.write($0) }
        } catch {
            // What was written is a sorted run of its own; the rest stays in the table.
            spillFailed = true
        }
        runs.finishRun()
    }

    // MARK: - The in-memory table

    /// 64 shards, each an open-addressing table (linear probing) that grows by half
    /// when 80% full, so memory tracks the key count closely and a resize copies one
    /// shard, never the whole table (no doubling spike).
    private struct Table {
        private var shards: [Shard] = (0..<(1 << Table.shardBits)).map { _ in Shard() }
        private(set) var count = 0
        static let shardBits = 6

        mutating func insert(_ value: UInt64) -> Bool {
            let shard = Int(truncatingIfNeeded: value >> (64 - UInt64(Table.shardBits)))
            guard shards[shard].insert(value) else { return false }
            count += 1
            return true
        }

        /// Hands over every value in ascending order, a shard at a time, freeing each
        /// shard once `body` took it. If `body` throws, that shard and the later ones stay.
        mutating func drainSorted(_ body: ([UInt64]) throws -> Void) rethrows {
            for index in shards.indices where shards[index].count > 0 {
                let values = shards[index].slots.filter { $0 != 0 }.sorted()
                try body(values)
                count -= shards[index].count
                shards[index] = Shard()
            }
        }
    }

    private struct Shard {
        var slots = [UInt64](repeating: 0, count: 64)
        var count = 0

        mutating func insert(_ value: UInt64) -> Bool {
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

        /// Maps the value's low bits (the high ones chose the shard) onto 0..<capacity.
        static func home(_ value: UInt64, capacity: Int) -> Int {
            Int(truncatingIfNeeded: (value << UInt64(Table.shardBits)).multipliedFullWidth(by: UInt64(capacity)).high)
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

/// Sorted runs of fingerprints in one unlinked temporary file, each with a Bloom
/// filter and fences in memory. Not thread-safe (the planner's reading thread owns it).
private final class SpilledRuns {
    private let fd: Int32
    private var runs: [Run] = []
    private var written = 0
    private(set) var count = 0
    /// One block read back from disk.
    private var block = [UInt64](repeating: 0, count: SpilledRuns.blockValues)

    static let blockValues = 512

    private struct Run {
        /// Offset of the run in the file, in values.
        let start: Int
        let count: Int
        /// The first value of each block of `blockValues`.
        let fences: [UInt64]
        let bloom: BlockedBloom
    }

    init() throws {
        let directory = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array((directory + "/ctsync-keys-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        // Nothing to clean up however the process ends: the file lives while it is open.
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        self.fd = fd
    }

    deinit { close(fd) }

    /// The run being written: values so far, fences, filter.
    private var current: (count: Int, fences: [UInt64], bloom: BlockedBloom)?

    func startRun(count: Int) {
        current = (0, [], BlockedBloom(capacity: count))
    }

    /// Appends ascending values to the current run (each call's after the last's).
    func write(_ sorted: [UInt64]) throws {
        guard var run = current, !sorted.isEmpty else { return }
        try sorted.withUnsafeBytes { bytes in
            let offset = (written + run.count) * 8
            var done = 0
            while done < bytes.count {
                let n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset + done))
                if n < 0 {
                    if errno == EINTR { continue }
                    throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
                }
                done += n
            }
        }
        current = nil  // no copy of the filter while it is updated
        for (index, value) in sorted.enumerated() {
            if (run.count + index) % Self.blockValues == 0 { run.fences.append(value) }
            run.bloom.insert(value)
        }
        run.count += sorted.count
        current = run
    }

    func finishRun() {
        guard let run = current else { return }
        current = nil
        guard run.count > 0 else { return }
        runs.append(Run(start: written, count: run.count, fences: run.fences, bloom: run.bloom))
        written += run.count
        count += run.count
    }

    func contains(_ value: UInt64) -> Bool {
        for run in runs where run.bloom.mayContain(value) {
            if find(value, in: run) { return true }
        }
        return false
    }

    private func find(_ value: UInt64, in run: Run) -> Bool {
        // The last block whose first value is <= value.
        var low = 0
        var high = run.fences.count
        while low < high {
            let mid = (low + high) / 2
            if run.fences[mid] <= value { low = mid + 1 } else { high = mid }
        }
        guard low > 0 else { return false }
        let blockIndex = low - 1
        let first = blockIndex * Self.blockValues
        let values = min(Self.blockValues, run.count - first)
        let read = block.withUnsafeMutableBytes { buffer -> Int in
            var done = 0
            while done < values * 8 {
                let n = pread(fd, buffer.baseAddress! + done, values * 8 - done, off_t((run.start + first) * 8 + done))
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                done += n
            }
            return done / 8
        }
        // A failed read (it cannot happen short of a disk error) must not hide a
        // duplicate silently; treating the key as seen reports the row instead.
        guard read == values else { return true }
        var lo = 0
        var hi = values
        while lo < hi {
            let mid = (lo + hi) / 2
            let found = block[mid]
            if found == value { return true }
            if found < value { lo = mid + 1 } else { hi = mid }
        }
        return false
    }
}

/// A Bloom filter of 512-bit blocks: one cache line a lookup, 6 bits set a key,
/// 10 bits a key (about 1.3% false positives).
private struct BlockedBloom {
    private var words: [UInt64]
    private let blocks: Int

    init(capacity: Int) {
        blocks = max(1, (capacity * 10 + 511) / 512)
        words = [UInt64](repeating: 0, count: blocks * 8)
    }

    private func probe(_ value: UInt64) -> (block: Int, bits: UInt64) {
        // The table already spent the value's high bits on shards: remix it.
        var h = value &* 0x9E37_79B9_7F4A_7C15
        h ^= h >> 31
        let block = Int(truncatingIfNeeded: h.multipliedFullWidth(by: UInt64(blocks)).high)
        let g = (value ^ (value >> 29)) &* 0xBF58_476D_1CE4_E5B9
        return (block, g)
    }

    mutating func insert(_ value: UInt64) {
        let (block, g) = probe(value)
        for i in 0..<6 {
            let bit = Int(truncatingIfNeeded: (g >> UInt64(i * 9)) & 511)
            words[block * 8 + bit >> 6] |= 1 << UInt64(bit & 63)
        }
    }

    func mayContain(_ value: UInt64) -> Bool {
        let (block, g) = probe(value)
        for i in 0..<6 {
            let bit = Int(truncatingIfNeeded: (g >> UInt64(i * 9)) & 511)
            if words[block * 8 + bit >> 6] & (1 << UInt64(bit & 63)) == 0 { return false }
        }
        return true
    }
}
