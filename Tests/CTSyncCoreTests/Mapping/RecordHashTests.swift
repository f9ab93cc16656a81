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

/// MurmurHash3_x64_128, seed 0, against the reference implementation (values from the
/// `mmh3` Python package, `hash_bytes(data, 0)`, read as two little-endian words h1, h2).
@Suite struct RecordHashTests {
    static let text = Array("The quick brown fox jumps over the lazy dog.0123456789".utf8)

    /// Every tail length (0–15) and several block counts.
    static let vectors: [(Int, String)] = [
        (0, "00000000000000000000000000000000"),
        (1, "8c03777e9184689a3ab5d6b4ba293e79"),
        (2, "d7dd0beaee68e3b9a56fb69099026b97"),
        (3, "304f2652dcd66d9aef385e5d15eabf42"),
        (4, "bd4301beaba07d9cdfae3c4b8026dd1c"),
        (5, "6f7aac75205270fe76f5ebd390dac61f"),
        (6, "796e1100f3f66746b2a07e0b1665ab1f"),
        (7, "f0d3843a5abcd5c99394b7f9c86d6073"),
        (8, "644baae4ad5b71cd8eeef997e2881cdf"),
        (9, "37a06404b2a8f155adbcc8ff3d6eccc0"),
        (10, "420e44df457484b89cabadd477515fe9"),
        (11, "87c320550739a882fa91e8a5d66e7b9f"),
        (12, "61d6a1372f90f9cbb66353ea7c002529"),
        (13, "3c600c93f99bfd3bc3e13319056f26f4"),
        (14, "dcd216a95d6e600784c1eeb85c46c838"),
        (15, "48137cb864e39216fd7baf64397ad64b"),
        (16, "9d1244f4af9b32c43d153c8b2c2a3aa6"),
        (17, "91f96376e757e9ae9b44e58dae83eb0c"),
        (23, "25cc3b72e0851d67937c3cfeaf07a94d"),
        (24, "71264eee42007ce532a8e9f120366d2b"),
        (31, "9b28b5ddd9c4c5090d3c1cb80fe2f964"),
        (32, "df6af91bb29bdacf91a341c58df1f3a6"),
        (33, "68d135cdab7bb3dde617f8470728bb01"),
        (47, "60c0702989127f8032a319e54cf83b3c"),
        (48, "ae5b7df3d793dc128d89a0bbc6ce6607"),
        (53, "0dd1d20d55731e6992bde716d631dad7"),
    ]

    @Test(arguments: vectors)
    func matchesReference(length: Int, expected: String) {
        #expect(RecordHash(bytes: Self.text.prefix(length)).hex == expected)
    }

    @Test func wellKnownVectors() {
        #expect(RecordHash(bytes: [UInt8]()) == RecordHash(high: 0, low: 0))
        let hello = RecordHash(bytes: Array("hello".utf8))
        #expect(hello.hex == "cbd8a7b341bd9b025b1e906a48ae1d19")
        #expect(hello.high == 0xcbd8_a7b3_41bd_9b02)
        #expect(hello.low == 0x5b1e_906a_48ae_1d19)
        #expect(RecordHash(bytes: Array("naïve café ☕".utf8)).hex == "773d2ba65a682df7795ad6a150111328")
    }

    @Test func anyCollectionHashesLikeItsBytes() {
        let bytes = Array("hello".utf8)
        #expect(RecordHash(bytes: "hello".utf8) == RecordHash(bytes: bytes))
        #expect(RecordHash(bytes: bytes[...]) == RecordHash(bytes: bytes))
        #expect(RecordHash(bytes: Data(bytes)) == RecordHash(bytes: bytes))
    }

    @Test func bytesAreBigEndianHighThenLow() {
        let hash = RecordHash(high: 0x0102_0304_0506_0708, low: 0x090a_0b0c_0d0e_0f10)
        #expect(hash.bytes == Array(1...16))
        #expect(hash.hex == "0102030405060708090a0b0c0d0e0f10")
        #expect(RecordHash(bytes16: hash.bytes) == hash)
        #expect(RecordHash(bytes16: Data(hash.bytes)) == hash)
    }

    @Test func hexRoundTripsAndRejectsJunk() {
        let hash = RecordHash(bytes: Array("hello".utf8))
        #expect(RecordHash(hex: hash.hex) == hash)
        #expect(RecordHash(hex: hash.hex.uppercased()) == hash)
        #expect(RecordHash(hex: "") == nil)
        #expect(RecordHash(hex: String(hash.hex.dropLast())) == nil)
        #expect(RecordHash(hex: hash.hex + "0") == nil)
        #expect(RecordHash(hex: "g" + hash.hex.dropFirst()) == nil)
        #expect(hash.description == hash.hex)
    }

    @Test func codableAsHexString() throws {
        let hash = RecordHash(bytes: Array("hello".utf8))
        let data = try JSONEncoder().encode([hash])
        #expect(String(decoding: data, as: UTF8.self) == "[\"cbd8a7b341bd9b025b1e906a48ae1d19\"]")
        #expect(try JSONDecoder().decode([RecordHash].self, from: data) == [hash])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([RecordHash].self, from: Data("[\"xyz\"]".utf8))
        }
    }
}
