/// A canonical, length-limited Huffman code over an alphabet of at most 256 symbols.
///
/// Lengths come from the package-merge algorithm, so the code is optimal among prefix codes
/// whose longest word is at most ``maxLength`` bits (12: the decoder's single lookup table then
/// has at most 4096 entries and stays in L1 cache). Codes are canonical (shorter codes first,
/// then by symbol), so the lengths alone define the code, and are stored bit-reversed because
/// bit streams here are written least significant bit first.
///
/// ```swift
/// let code = HuffmanCode(frequencies: [50, 30, 15, 5])
/// code.lengths                      // [1, 2, 3, 3]
/// let bits = code.encode(symbols)   // bytes; decode with HuffmanDecoder(code:)
/// ```
public struct HuffmanCode: Sendable, Equatable {
    /// The longest code word allowed, in bits.
    public static let maxLength = 12
    /// The largest alphabet.
    public static let maxAlphabetSize = 256

    /// The code length of each symbol in bits; 0 for a symbol that does not occur.
    public let lengths: [UInt8]
    /// Each symbol's code word, bit-reversed for least-significant-bit-first output.
    let reversedCodes: [UInt16]

    /// The optimal length-limited code for the symbol frequencies (one entry per symbol).
    ///
    /// A single used symbol gets a 1-bit code, so every symbol costs at least one bit.
    public init(frequencies: [Int]) {
        precondition(!frequencies.isEmpty && frequencies.count <= HuffmanCode.maxAlphabetSize,
                     "HuffmanCode: alphabet of \(frequencies.count) symbols")
        let lengths = HuffmanCode.packageMergeLengths(frequencies, maxLength: HuffmanCode.maxLength)
        self.lengths = lengths
        reversedCodes = HuffmanCode.canonicalReversedCodes(lengths)
    }

    /// The code with the given lengths; throws when they do not form a prefix code
    /// (over-subscribed), exceed ``maxLength`` or use no symbol.
    public init(lengths: [UInt8], field: String) throws {
        guard !lengths.isEmpty, lengths.count <= HuffmanCode.maxAlphabetSize else {
            throw EncodedDataError(field: field, "alphabet of \(lengths.count) symbols")
        }
        var kraft = 0
        for length in lengths where length > 0 {
            guard length <= HuffmanCode.maxLength else {
                throw EncodedDataError(field: field, "code length \(length) exceeds \(HuffmanCode.maxLength)")
            }
            kraft += 1 << (HuffmanCode.maxLength - Int(length))
        }
        guard kraft > 0 else { throw EncodedDataError(field: field, "no symbol has a code") }
        guard kraft <= 1 << HuffmanCode.maxLength else {
            throw EncodedDataError(field: field, "code lengths are over-subscribed (not a prefix code)")
        }
        self.lengths = lengths
        reversedCodes = HuffmanCode.canonicalReversedCodes(lengths)
    }

    /// The number of symbols in the alphabet.
    public var alphabetSize: Int { lengths.count }

    /// The longest code word in use.
    public var longestLength: Int { Int(lengths.max() ?? 0) }

    /// Bits the symbols with these frequencies take under this code.
    public func encodedBitCount(frequencies: [Int]) -> Int {
        zip(frequencies, lengths).reduce(0) { $0 + $1.0 * Int($1.1) }
    }

    /// Encodes `symbols` (each below ``alphabetSize`` and with a code) into bytes, LSB first,
    /// the last byte padded with zero bits.
    public func encode(_ symbols: [UInt8]) -> [UInt8] {
        HuffmanCode.encode(symbols, codes: [self], contextSymbol: nil)
    }

    /// Encodes `symbols` with `codes[0]`, except that, given a `contextSymbol`, every symbol right
    /// after an occurrence of it is coded with `codes[1]` (see ``HuffmanDecoder/init(codes:contextSymbol:)``).
    ///
    /// With `leadingBits` (0 to 7) the first code word starts at that bit of the first byte, whose
    /// lower bits are left zero for the caller to fill (a code-length table ending mid-byte).
    public static func encode(_ symbols: [UInt8], codes: [HuffmanCode], contextSymbol: UInt8?, leadingBits: Int = 0) -> [UInt8] {
        precondition((0..<8).contains(leadingBits), "HuffmanCode: \(leadingBits) leading bits")
        precondition(codes.count == (contextSymbol == nil ? 1 : 2), "HuffmanCode: one code, or two with a context symbol")
        // Per context, 256 code words and lengths; a symbol's context is whether the previous
        // symbol was the context symbol (never, without one).
        var words = [UInt64](repeating: 0, count: 512)
        var sizes = [UInt8](repeating: 0, count: 512)
        for (context, code) in codes.enumerated() {
            for symbol in 0..<code.alphabetSize {
                words[context << 8 | symbol] = UInt64(code.reversedCodes[symbol])
                sizes[context << 8 | symbol] = code.lengths[symbol]
            }
        }
        let switchValue = contextSymbol.map(Int.init) ?? 256
        var totalBits = leadingBits
        var context = 0
        for symbol in symbols {
            let length = Int(sizes[context << 8 | Int(symbol)])
            precondition(length > 0, "HuffmanCode: symbol \(symbol) has no code")
            totalBits += length
            context = Int(symbol) == switchValue ? 1 : 0
        }
        let byteCount = (totalBits + 7) / 8
        var output = [UInt8](repeating: 0, count: byteCount)
        output.withUnsafeMutableBytes { out in
            words.withUnsafeBufferPointer { word in sizes.withUnsafeBufferPointer { size in
                symbols.withUnsafeBufferPointer { input in
                    var accumulator: UInt64 = 0
                    var pending = UInt64(leadingBits)
                    var offset = 0
                    var context = 0
                    for symbol in input {
                        let index = context &<< 8 | Int(symbol)
                        accumulator |= word[index] &<< pending
                        pending &+= UInt64(size[index])
                        context = Int(symbol) == switchValue ? 1 : 0
                        if pending >= 32 {
                            out.storeBytes(of: UInt32(truncatingIfNeeded: accumulator).littleEndian, toByteOffset: offset, as: UInt32.self)
                            offset &+= 4
                            accumulator &>>= 32
                            pending &-= 32
                        }
                    }
                    while pending > 0 {
                        out[offset] = UInt8(truncatingIfNeeded: accumulator)
                        offset += 1
                        accumulator >>= 8
                        pending = pending >= 8 ? pending - 8 : 0
                    }
                }
            } }
        }
        return output
    }

    // MARK: Construction

    /// Optimal code lengths with none longer than `maxLength` (Larmore and Hirschberg's
    /// package-merge): package the cheapest items pairwise `maxLength - 1` times, merging the
    /// packages with the leaves each time; take the `2n - 2` cheapest items of the last list;
    /// a symbol's length is the number of those items it is part of.
    static func packageMergeLengths(_ frequencies: [Int], maxLength: Int) -> [UInt8] {
        var lengths = [UInt8](repeating: 0, count: frequencies.count)
        let used = frequencies.indices.filter { frequencies[$0] > 0 }
            .sorted { (frequencies[$0], $0) < (frequencies[$1], $1) }
        if used.isEmpty { return lengths }
        if used.count == 1 {
            lengths[used[0]] = 1
            return lengths
        }
        precondition(used.count <= 1 << maxLength, "HuffmanCode: \(used.count) symbols cannot fit \(maxLength)-bit codes")
        // Nodes: leaves first (symbol >= 0), then packages (children indices).
        var weights = used.map { frequencies[$0] }
        var children: [(Int, Int)] = Array(repeating: (-1, -1), count: used.count)
        let leaves = Array(0..<used.count)
        var current = leaves
        for _ in 1..<maxLength {
            var packages: [Int] = []
            var i = 0
            while i + 1 < current.count {
                weights.append(weights[current[i]] + weights[current[i + 1]])
                children.append((current[i], current[i + 1]))
                packages.append(weights.count - 1)
                i += 2
            }
            // Merge by weight; a leaf goes before a package of equal weight.
            var merged: [Int] = []
            merged.reserveCapacity(leaves.count + packages.count)
            var a = 0, b = 0
            while a < leaves.count || b < packages.count {
                if b == packages.count || (a < leaves.count && weights[leaves[a]] <= weights[packages[b]]) {
                    merged.append(leaves[a]); a += 1
                } else {
                    merged.append(packages[b]); b += 1
                }
            }
            current = merged
        }
        var stack = Array(current.prefix(2 * used.count - 2))
        while let node = stack.popLast() {
            if node < used.count {
                lengths[used[node]] += 1
            } else {
                stack.append(children[node].0)
                stack.append(children[node].1)
            }
        }
        return lengths
    }

    /// Canonical codes for `lengths` (shorter first, then by symbol), bit-reversed.
    static func canonicalReversedCodes(_ lengths: [UInt8]) -> [UInt16] {
        var countPerLength = [Int](repeating: 0, count: maxLength + 1)
        for length in lengths where length > 0 { countPerLength[Int(length)] += 1 }
        var nextCode = [Int](repeating: 0, count: maxLength + 2)
        var code = 0
        for length in 1...maxLength {
            code = (code + countPerLength[length - 1]) << 1
            nextCode[length] = code
        }
        var codes = [UInt16](repeating: 0, count: lengths.count)
        for symbol in lengths.indices where lengths[symbol] > 0 {
            let length = Int(lengths[symbol])
            codes[symbol] = reverseBits(UInt16(nextCode[length]), count: length)
            nextCode[length] += 1
        }
        return codes
    }

    static func reverseBits(_ value: UInt16, count: Int) -> UInt16 {
        var reversed: UInt16 = 0
        var rest = value
        for _ in 0..<count {
            reversed = (reversed << 1) | (rest & 1)
            rest >>= 1
        }
        return reversed
    }
}
