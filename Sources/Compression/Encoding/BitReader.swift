/// Reads values of a few bits each, least significant bit first, from a range of bytes.
///
/// Every read checks the bits that remain and throws ``EncodedDataError`` when they run out.
/// Meant for headers and small tables; bulk Huffman data goes through ``HuffmanDecoder``.
public struct BitReader: Sendable {
    private let bytes: [UInt8]
    private let startBit: Int
    private let endBit: Int
    private var bit: Int
    private let field: String

    /// A reader over `range` of `bytes`; errors name `field`.
    public init(_ bytes: [UInt8], range: Range<Int>, field: String) {
        precondition(range.lowerBound >= 0 && range.upperBound <= bytes.count, "BitReader: range outside the buffer")
        self.bytes = bytes
        startBit = range.lowerBound * 8
        endBit = range.upperBound * 8
        bit = startBit
        self.field = field
    }

    /// Bits read so far.
    public var bitsRead: Int { bit - startBit }
    /// Whole bytes touched so far (the last one possibly in part).
    public var bytesRead: Int { (bitsRead + 7) / 8 }

    /// Reads `bits` bits (at most 32) as an unsigned value.
    public mutating func read(bits: Int) throws -> UInt32 {
        precondition(bits >= 0 && bits <= 32, "BitReader: \(bits) bits at once")
        guard bits <= endBit - bit else { throw EncodedDataError(field: field, "ends early (truncated)") }
        var value: UInt64 = 0
        var filled = 0
        while filled < bits {
            let byte = UInt64(bytes[bit >> 3]) >> UInt64(bit & 7)
            let available = 8 - (bit & 7)
            let take = Swift.min(available, bits - filled)
            value |= (byte & ((1 << UInt64(take)) - 1)) << UInt64(filled)
            filled += take
            bit += take
        }
        return UInt32(truncatingIfNeeded: value)
    }

    /// Reads one bit.
    public mutating func readBit() throws -> Bool {
        try read(bits: 1) == 1
    }
}
