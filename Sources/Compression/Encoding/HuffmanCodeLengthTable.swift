/// The compact, bit-packed form of a Huffman code's lengths, which is all a decoder needs.
///
/// Layout, least significant bit first:
/// ```text
/// 1 bit                  1: every symbol from 0 to A - 1 is listed (A = alphabet size); 0: then
/// first  ⌈log2 A⌉ bits   the first symbol with a code (0 bits when A = 1)
/// last   ⌈log2 A⌉ bits   the last symbol with a code
/// then, for the symbols from first to last, their lengths relative to the previous one
/// (the previous length starts at 0):
///   0            same length
///   1 0 0        one longer
///   1 0 1        one shorter
///   1 1 LLLL     the length LLLL (0 to 12)
///   1 1 1101 RRRRRR    RRRRRR + 3 more symbols of the previous length (not 0)
///   1 1 1111 RRRRRRR   RRRRRRR + 2 unused symbols (length 0) in a row
/// ```
/// Lengths of neighbouring symbols (codebook indices sorted by value, index gaps, int8 codes)
/// tend to differ by at most one, so a 64-symbol table takes about 16 bytes; the runs skip the
/// unused stretches of a byte plane (the exponents a float layer does not use) and the long
/// stretches of equal lengths of a codebook listed most used first.
public enum HuffmanCodeLengthTable {
    /// Appends the lengths of `code` to `writer`.
    public static func write(_ code: HuffmanCode, to writer: inout BitWriter) {
        let symbolBits = bitWidth(forValuesBelow: code.alphabetSize)
        guard let first = code.lengths.firstIndex(where: { $0 > 0 }),
              let last = code.lengths.lastIndex(where: { $0 > 0 }) else {
            preconditionFailure("HuffmanCodeLengthTable: a code with no symbol")
        }
        if first == 0 && last == code.alphabetSize - 1 {
            writer.write(1, bits: 1)
        } else {
            writer.write(0, bits: 1)
            writer.write(UInt32(first), bits: symbolBits)
            writer.write(UInt32(last), bits: symbolBits)
        }
        var previous = 0
        var symbol = first
        while symbol <= last {
            let length = Int(code.lengths[symbol])
            if length == 0 {
                var run = 0
                while code.lengths[symbol + run] == 0 { run += 1 }   // stops before `last`, which has a code
                let plainBits = previous == 0 ? run : 6 + run - 1
                let runBits = 13 * ((run + maxRun - 1) / maxRun)
                if run >= 2 && runBits < plainBits {
                    var left = run
                    while left > 0 {
                        let chunk = left == 1 ? 1 : Swift.min(left, maxRun)
                        if chunk == 1 {
                            writer.write(0, bits: 1)   // previous is already 0
                        } else {
                            writer.write(0b11, bits: 2)
                            writer.write(runMarker, bits: 4)
                            writer.write(UInt32(chunk - 2), bits: 7)
                        }
                        left -= chunk
                    }
                    previous = 0
                    symbol += run
                    continue
                }
            }
            if length > 0 && length == previous {
                var run = 0
                while symbol + run <= last && Int(code.lengths[symbol + run]) == length { run += 1 }
                // A repeat (12 bits) pays from 12 symbols on; the rest are single bits.
                var left = run
                while left >= 12 {
                    let chunk = Swift.min(left, maxRepeat)
                    writer.write(0b11, bits: 2)
                    writer.write(repeatMarker, bits: 4)
                    writer.write(UInt32(chunk - 3), bits: 6)
                    left -= chunk
                }
                for _ in 0..<left { writer.write(0, bits: 1) }
                symbol += run
                continue
            }
            switch length - previous {
            case 0: writer.write(0, bits: 1)
            case 1: writer.write(0b001, bits: 3)
            case -1: writer.write(0b101, bits: 3)
            default:
                writer.write(0b11, bits: 2)
                writer.write(UInt32(length), bits: 4)
            }
            previous = length
            symbol += 1
        }
    }

    /// The literal that announces a run of unused symbols.
    private static let runMarker: UInt32 = 15
    /// The literal that announces more symbols of the previous length.
    private static let repeatMarker: UInt32 = 13
    /// The most symbols one repeat covers.
    private static let maxRepeat = 66
    /// The longest run one marker covers.
    private static let maxRun = 129

    /// Bits ``write(_:to:)`` takes for `code`.
    public static func bitCount(_ code: HuffmanCode) -> Int {
        var writer = BitWriter()
        write(code, to: &writer)
        return writer.bitCount
    }

    /// Reads lengths for an alphabet of `alphabetSize` symbols and checks they form a prefix code.
    public static func read(from reader: inout BitReader, alphabetSize: Int, field: String) throws -> HuffmanCode {
        precondition(alphabetSize >= 1 && alphabetSize <= HuffmanCode.maxAlphabetSize, "HuffmanCodeLengthTable: alphabet \(alphabetSize)")
        let symbolBits = bitWidth(forValuesBelow: alphabetSize)
        let wholeAlphabet = try reader.readBit()
        let first = wholeAlphabet ? 0 : Int(try reader.read(bits: symbolBits))
        let last = wholeAlphabet ? alphabetSize - 1 : Int(try reader.read(bits: symbolBits))
        guard first <= last, last < alphabetSize else {
            throw EncodedDataError(field: field, "code lengths cover symbols \(first) to \(last) of an alphabet of \(alphabetSize)")
        }
        var lengths = [UInt8](repeating: 0, count: alphabetSize)
        var previous = 0
        var symbol = first
        while symbol <= last {
            var length = previous
            if try reader.readBit() {
                if try reader.readBit() {
                    length = Int(try reader.read(bits: 4))
                    if length == Int(repeatMarker) {
                        let run = Int(try reader.read(bits: 6)) + 3
                        guard previous > 0 else {
                            throw EncodedDataError(field: field, "a repeat of symbol \(symbol)'s predecessor, which has no code")
                        }
                        guard symbol + run - 1 <= last else {
                            throw EncodedDataError(field: field, "a repeat of \(run) symbols passes the last symbol \(last)")
                        }
                        for next in symbol..<(symbol + run) { lengths[next] = UInt8(previous) }
                        symbol += run
                        continue
                    }
                    if length == Int(runMarker) {
                        let run = Int(try reader.read(bits: 7)) + 2
                        guard symbol + run <= last else {
                            throw EncodedDataError(field: field, "a run of \(run) unused symbols passes the last symbol \(last)")
                        }
                        symbol += run
                        previous = 0
                        continue
                    }
                } else {
                    length += try reader.readBit() ? -1 : 1
                }
            }
            guard length >= 0, length <= HuffmanCode.maxLength else {
                throw EncodedDataError(field: field, "code length \(length) of symbol \(symbol) is outside 0...\(HuffmanCode.maxLength)")
            }
            lengths[symbol] = UInt8(length)
            previous = length
            symbol += 1
        }
        guard lengths[first] > 0, lengths[last] > 0 else {
            throw EncodedDataError(field: field, "the first and last listed symbols must have codes")
        }
        return try HuffmanCode(lengths: lengths, field: field)
    }
}

/// The number of bits that holds every value below `count` (0 for `count <= 1`).
public func bitWidth(forValuesBelow count: Int) -> Int {
    count <= 1 ? 0 : Int.bitWidth - (count - 1).leadingZeroBitCount
}
