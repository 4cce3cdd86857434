/// An append-only little-endian byte buffer with LEB128 varints, for the compressed-model format.
///
/// ```swift
/// var writer = ByteWriter()
/// writer.appendVarint(300)        // 0xAC 0x02
/// writer.appendFloat32(1.5)       // 4 bytes, little-endian IEEE 754
/// ```
public struct ByteWriter: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8] = []

    public init() {}

    /// The number of bytes written so far.
    public var count: Int { bytes.count }

    public mutating func append(_ byte: UInt8) {
        bytes.append(byte)
    }

    public mutating func append<S: Sequence>(contentsOf other: S) where S.Element == UInt8 {
        bytes.append(contentsOf: other)
    }

    /// Appends an unsigned LEB128 varint: 7 bits per byte, low bits first, high bit = more follows.
    public mutating func appendVarint(_ value: Int) {
        precondition(value >= 0, "ByteWriter: varints are unsigned, got \(value)")
        var rest = UInt64(value)
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    /// Appends a signed value as a zigzag varint (0, -1, 1, -2, ... become 0, 1, 2, 3, ...).
    public mutating func appendSignedVarint(_ value: Int) {
        let zigzag = (UInt64(bitPattern: Int64(value)) << 1) ^ UInt64(bitPattern: Int64(value) >> 63)
        var rest = zigzag
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    /// Appends a 32-bit unsigned integer, little-endian.
    public mutating func appendUInt32(_ value: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    /// Appends a float's IEEE 754 bit pattern, little-endian (exact, signed zeros and NaN payloads kept).
    public mutating func appendFloat32(_ value: Float) {
        appendUInt32(value.bitPattern)
    }

    /// Appends a length-prefixed UTF-8 string.
    public mutating func appendString(_ text: String) {
        let utf8 = Array(text.utf8)
        appendVarint(utf8.count)
        bytes.append(contentsOf: utf8)
    }

    /// The number of bytes `value` takes as a varint.
    public static func varintSize(_ value: Int) -> Int {
        var size = 1, rest = UInt64(value)
        while rest >= 0x80 { rest >>= 7; size += 1 }
        return size
    }
}
