/// Packs values of a few bits each into bytes, least significant bit first (as DEFLATE does).
///
/// The first value written occupies the low bits of the first byte. ``finish()`` pads the last
/// byte with zero bits.
///
/// ```swift
/// var writer = BitWriter()
/// writer.write(0b101, bits: 3)
/// writer.write(0x3F, bits: 6)
/// let bytes = writer.finish()    // [0b1111_1101, 0b0000_0001]
/// ```
public struct BitWriter: Sendable {
    private var bytes: [UInt8] = []
    private var accumulator: UInt64 = 0
    private var pending = 0

    public init() {}

    /// The number of bits written so far.
    public var bitCount: Int { bytes.count * 8 + pending }

    /// Appends the low `bits` bits of `value` (at most 32).
    public mutating func write(_ value: UInt32, bits: Int) {
        precondition(bits >= 0 && bits <= 32, "BitWriter: \(bits) bits at once")
        guard bits > 0 else { return }
        accumulator |= (UInt64(value) & ((1 << UInt64(bits)) - 1)) << UInt64(pending)
        pending += bits
        while pending >= 8 {
            bytes.append(UInt8(truncatingIfNeeded: accumulator))
            accumulator >>= 8
            pending -= 8
        }
    }

    /// The bytes, the last one padded with zero bits.
    public func finish() -> [UInt8] {
        pending > 0 ? bytes + [UInt8(truncatingIfNeeded: accumulator)] : bytes
    }
}
