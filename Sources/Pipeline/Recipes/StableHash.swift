/// FNV-1a, 64 bits: a small, stable, non-cryptographic hash for cache keys.
///
/// Stable across runs, machines and Swift versions (unlike `Hasher`, which is seeded per
/// process): the same bytes always give the same value. Collisions are a 1-in-2⁶⁴ chance per
/// pair, ample for a cache of stage results; the hash offers no protection against crafted input.
///
/// ```swift
/// var hash = StableHash()
/// hash.combine("lenet300")
/// hash.combine(bytes: fileData)
/// print(hash.hexDigest)   // 16 hex digits
/// ```
public struct StableHash: Sendable, Equatable {
    static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    static let prime: UInt64 = 0x0000_0100_0000_01b3

    /// The hash of everything combined so far.
    public private(set) var value: UInt64 = StableHash.offsetBasis

    public init() {}

    /// Mixes in raw bytes.
    public mutating func combine(bytes: some Sequence<UInt8>) {
        var h = value
        for byte in bytes {
            h = (h ^ UInt64(byte)) &* StableHash.prime
        }
        value = h
    }

    /// Mixes in raw bytes from memory.
    public mutating func combine(_ buffer: UnsafeRawBufferPointer) {
        var h = value
        for byte in buffer {
            h = (h ^ UInt64(byte)) &* StableHash.prime
        }
        value = h
    }

    /// Mixes in a string's UTF-8 bytes followed by a 0 byte, so `"ab" + "c"` and `"a" + "bc"` differ.
    public mutating func combine(_ string: String) {
        combine(bytes: string.utf8)
        combine(bytes: [0])
    }

    /// The value as 16 lowercase hex digits.
    public var hexDigest: String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
