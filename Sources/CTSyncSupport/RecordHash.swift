/// A 128-bit digest of a canonical record: MurmurHash3_x64_128 with seed 0.
///
/// State stores it per primary key to tell changed rows from unchanged ones, so it must
/// be the same in every process and on every machine; Swift's `Hasher` is seeded per
/// process and cannot serve. MurmurHash3 is fast (a fraction of SHA-256's cost on the
/// per-row path) and its 128 bits make an accidental collision between two versions of
/// one row negligible. It is not cryptographic: it detects change, it does not
/// authenticate.
///
/// `high` is MurmurHash3's first output word (`h1`) and `low` the second (`h2`);
/// ``bytes`` and ``hex`` write `high` then `low`, each big-endian. So the hash of
/// `hello` is `cbd8a7b341bd9b025b1e906a48ae1d19`, the value usually quoted for it.
public struct RecordHash: Sendable, Hashable, Codable, CustomStringConvertible {
    public var high: UInt64
    public var low: UInt64

    @inlinable
    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Hashes `bytes`.
    public init(bytes: some Collection<UInt8>) {
        if let hash = bytes.withContiguousStorageIfAvailable({ RecordHash(UnsafeRawBufferPointer($0)) }) {
            self = hash
        } else {
            self = Array(bytes).withUnsafeBytes { RecordHash($0) }
        }
    }

    /// Restores a hash from the 16 bytes of ``bytes``.
    ///
    /// - Precondition: `bytes16` holds exactly 16 bytes; check a stored blob's length first.
    ///
    /// Inlinable: state lookups call it once a row from other modules, where an
    /// unspecialized generic walks type metadata for every byte (it once doubled the
    /// CPU time of a warm plan).
    @inlinable
    public init(bytes16: some Collection<UInt8>) {
        precondition(bytes16.count == 16, "RecordHash needs exactly 16 bytes, got \(bytes16.count)")
        var high: UInt64 = 0
        var low: UInt64 = 0
        for (index, byte) in bytes16.enumerated() {
            if index < 8 {
                high = high << 8 | UInt64(byte)
            } else {
                low = low << 8 | UInt64(byte)
            }
        }
        self.init(high: high, low: low)
    }

    /// Restores a hash from 16 bytes in memory (a stored blob), without copying them.
    ///
    /// - Precondition: `bytes16` holds exactly 16 bytes.
    @inlinable
    public init(bytes16: UnsafeRawBufferPointer) {
        precondition(bytes16.count == 16, "RecordHash needs exactly 16 bytes, got \(bytes16.count)")
        self.init(
            high: UInt64(bigEndian: bytes16.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
            low: UInt64(bigEndian: bytes16.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
    }

    /// Parses the 32 hexadecimal digits of ``hex`` (either case); nil for anything else.
    public init?(hex: some StringProtocol) {
        let digits = Array(hex.utf8)
        guard digits.count == 32 else { return nil }
        var words: [UInt64] = [0, 0]
        for (index, digit) in digits.enumerated() {
            let nibble: UInt8
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = digit - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = digit - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = digit - UInt8(ascii: "A") + 10
            default: return nil
            }
            words[index / 16] = words[index / 16] << 4 | UInt64(nibble)
        }
        self.init(high: words[0], low: words[1])
    }

    /// The 16 bytes: `high` then `low`, each big-endian.
    public var bytes: [UInt8] {
        (0..<16).map { index in
            let word = index < 8 ? high : low
            return UInt8(truncatingIfNeeded: word >> (UInt64(7 - index % 8) * 8))
        }
    }

    /// 32 lowercase hexadecimal digits of ``bytes``.
    public var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        return String(unsafeUninitializedCapacity: 32) { buffer in
            for (index, byte) in bytes.enumerated() {
                buffer[index * 2] = digits[Int(byte >> 4)]
                buffer[index * 2 + 1] = digits[Int(byte & 0x0f)]
            }
            return 32
        }
    }

    public var description: String { hex }

    // MARK: Codable, as the hex string

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let hash = RecordHash(hex: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "expected 32 hexadecimal digits")
        }
        self = hash
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }
}

// MARK: - MurmurHash3_x64_128

extension RecordHash {
    /// MurmurHash3_x64_128 (Austin Appleby, public domain) with seed 0, reading the
    /// input as little-endian 64-bit words as the reference does on x86.
    package init(_ data: UnsafeRawBufferPointer) {
        let c1: UInt64 = 0x87c3_7b91_1142_53d5
        let c2: UInt64 = 0x4cf5_ad43_2745_937f
        let length = data.count
        var h1: UInt64 = 0
        var h2: UInt64 = 0

        var offset = 0
        while offset + 16 <= length {
            var k1 = UInt64(littleEndian: data.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            var k2 = UInt64(littleEndian: data.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self))
            offset += 16

            k1 &*= c1
            k1 = rotl(k1, 31)
            k1 &*= c2
            h1 ^= k1
            h1 = rotl(h1, 27)
            h1 &+= h2
            h1 = h1 &* 5 &+ 0x52dc_e729

            k2 &*= c2
            k2 = rotl(k2, 33)
            k2 &*= c1
            h2 ^= k2
            h2 = rotl(h2, 31)
            h2 &+= h1
            h2 = h2 &* 5 &+ 0x3849_5ab5
        }

        // The 1–15 byte tail, as the reference's fall-through switch reads it.
        let tail = length - offset
        if tail > 0 {
            var k1: UInt64 = 0
            var k2: UInt64 = 0
            let bytes = data.baseAddress!.advanced(by: offset).assumingMemoryBound(to: UInt8.self)
            switch tail {
            case 15: k2 ^= UInt64(bytes[14]) << 48; fallthrough
            case 14: k2 ^= UInt64(bytes[13]) << 40; fallthrough
            case 13: k2 ^= UInt64(bytes[12]) << 32; fallthrough
            case 12: k2 ^= UInt64(bytes[11]) << 24; fallthrough
            case 11: k2 ^= UInt64(bytes[10]) << 16; fallthrough
            case 10: k2 ^= UInt64(bytes[9]) << 8; fallthrough
            case 9:
                k2 ^= UInt64(bytes[8])
                k2 &*= c2
                k2 = rotl(k2, 33)
                k2 &*= c1
                h2 ^= k2
                fallthrough
            case 8: k1 ^= UInt64(bytes[7]) << 56; fallthrough
            case 7: k1 ^= UInt64(bytes[6]) << 48; fallthrough
            case 6: k1 ^= UInt64(bytes[5]) << 40; fallthrough
            case 5: k1 ^= UInt64(bytes[4]) << 32; fallthrough
            case 4: k1 ^= UInt64(bytes[3]) << 24; fallthrough
            case 3: k1 ^= UInt64(bytes[2]) << 16; fallthrough
            case 2: k1 ^= UInt64(bytes[1]) << 8; fallthrough
            default:
                k1 ^= UInt64(bytes[0])
                k1 &*= c1
                k1 = rotl(k1, 31)
                k1 &*= c2
                h1 ^= k1
            }
        }

        h1 ^= UInt64(length)
        h2 ^= UInt64(length)
        h1 &+= h2
        h2 &+= h1
        h1 = fmix(h1)
        h2 = fmix(h2)
        h1 &+= h2
        h2 &+= h1
        self.init(high: h1, low: h2)
    }
}

@inline(__always)
private func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 {
    x << r | x >> (64 - r)
}

@inline(__always)
private func fmix(_ k: UInt64) -> UInt64 {
    var k = k
    k ^= k >> 33
    k &*= 0xff51_afd7_ed55_8ccd
    k ^= k >> 33
    k &*= 0xc4ce_b9fe_1a85_ec53
    k ^= k >> 33
    return k
}
