/// How a ``SymbolStream`` stores its symbols.
public enum SymbolStreamMode: String, Codable, Sendable {
    /// Fixed-width fields of `⌈log2 A⌉` bits (at least 1) for an alphabet of `A` symbols.
    case raw
    /// A canonical Huffman code: the code lengths, then the code words.
    case huffman
    /// Two canonical Huffman codes: the second codes every symbol that comes right after the
    /// stream's context symbol (a sparse index's filler), the first all others.
    case contextHuffman
}

/// What one encoded ``SymbolStream`` holds and costs.
public struct SymbolStreamStatistics: Codable, Equatable, Sendable {
    public var mode: SymbolStreamMode
    /// The number of symbols.
    public var symbols: Int
    /// Bits of the symbols themselves: code words or fixed-width fields, without padding.
    public var payloadBits: Int
    /// Bytes of the stream beyond its byte-padded symbols: the code-length tables, whose last bits
    /// share a byte with the first code words (0 for raw).
    public var tableBytes: Int
    /// Bytes of the whole stream: table, symbols and padding.
    public var bytes: Int

    /// Bytes of the stream that are neither table nor header: the symbols with their padding.
    public var payloadBytes: Int { (payloadBits + 7) / 8 }
}

/// A sequence of symbols from a small alphabet (at most 256), Huffman-coded where that is
/// smaller, stored raw where it is not.
///
/// Layout (the mode is kept by the caller: a compressed model packs the modes of a parameter's
/// streams into one byte):
/// ```text
/// raw       ⌈n·w/8⌉ bytes of w-bit fields, LSB first (w = max(1, ⌈log2 A⌉))
/// Huffman   the code lengths (HuffmanCodeLengthTable), then, from the next bit on, the code
///           words, LSB first, the last byte zero-padded; where they end follows from decoding them
/// context   as Huffman, with two tables one after the other before the code words: the code of
///           symbols after the context symbol second
/// ```
/// The symbol count `n` and the alphabet size `A` are not stored either: the container knows
/// them (or stores `n` itself), which is also what lets a reader check every length before use.
///
/// ```swift
/// var writer = ByteWriter()
/// let stats = SymbolStream.write(indices, alphabetSize: 64, to: &writer)
/// var cursor = ByteCursor(writer.bytes)
/// let back = try SymbolStream.read(count: indices.count, alphabetSize: 64, mode: stats.mode,
///                                  from: &cursor, field: "weights").symbols
/// ```
public enum SymbolStream {
    /// Appends `symbols` (each below `alphabetSize`) in the smallest of the raw, Huffman and,
    /// given a `contextSymbol`, context Huffman forms (the simpler on a tie: it decodes faster);
    /// the statistics tell which.
    @discardableResult
    public static func write(_ symbols: [UInt8], alphabetSize: Int, contextSymbol: UInt8? = nil,
                             to writer: inout ByteWriter) -> SymbolStreamStatistics {
        precondition(alphabetSize >= 1 && alphabetSize <= HuffmanCode.maxAlphabetSize, "SymbolStream: alphabet of \(alphabetSize)")
        let width = rawWidth(alphabetSize)
        let rawPayloadBits = symbols.count * width
        var best = (mode: SymbolStreamMode.raw, bytes: (rawPayloadBits + 7) / 8, codes: [HuffmanCode](), table: BitWriter(),
                    payloadBits: rawPayloadBits)
        if !symbols.isEmpty {
            var candidates = [(SymbolStreamMode.huffman, [histogram(symbols, alphabetSize: alphabetSize)])]
            if let contextSymbol {
                let split = contextHistograms(symbols, alphabetSize: alphabetSize, contextSymbol: contextSymbol)
                if split[1].contains(where: { $0 > 0 }) { candidates.append((.contextHuffman, split)) }
            }
            for (mode, frequencies) in candidates {
                for smoothing in codeSmoothings {
                    // A smoothing that fills no unused symbol gives the optimal code again: skip it.
                    guard smoothing == 0 || frequencies.contains(where: hasUnusedInside) else { continue }
                    let codes = frequencies.map { HuffmanCode(frequencies: smoothed($0, weight: smoothing)) }
                    let payloadBits = zip(codes, frequencies).reduce(0) { $0 + $1.0.encodedBitCount(frequencies: $1.1) }
                    var table = BitWriter()
                    for code in codes { HuffmanCodeLengthTable.write(code, to: &table) }
                    let bytes = (table.bitCount + payloadBits + 7) / 8
                    if bytes < best.bytes { best = (mode, bytes, codes, table, payloadBits) }
                }
            }
        }
        switch best.mode {
        case .raw:
            writer.append(contentsOf: packFixedWidth(symbols, width: width))
        case .huffman, .contextHuffman:
            // The code words follow the table's last bit; the byte they share is OR-ed together.
            var table = best.table.finish()
            let leadingBits = best.table.bitCount % 8
            var words = HuffmanCode.encode(symbols, codes: best.codes, contextSymbol: best.mode == .contextHuffman ? contextSymbol : nil,
                                           leadingBits: leadingBits)
            if leadingBits > 0 {
                table[table.count - 1] |= words[0]
                words.removeFirst()
            }
            writer.append(contentsOf: table)
            writer.append(contentsOf: words)
        }
        let payloadBytes = (best.payloadBits + 7) / 8
        return SymbolStreamStatistics(mode: best.mode, symbols: symbols.count, payloadBits: best.payloadBits,
                                      tableBytes: best.bytes - payloadBytes, bytes: best.bytes)
    }

    /// How much the symbols a stream uses weigh against the unused ones between them when a code
    /// is built: 0 builds the optimal code, where unused symbols get no code word; the others give
    /// every symbol from the first used to the last a word, a little longer than the optimal code's
    /// for the used ones but with a table of fewer, smoother lengths, which is smaller overall
    /// when many rare symbols are scattered among unused ones (the long gaps of a sparse index).
    static let codeSmoothings = [0, 4, 16]

    /// Whether a symbol between the first and the last used one is unused.
    static func hasUnusedInside(_ frequencies: [Int]) -> Bool {
        guard let first = frequencies.firstIndex(where: { $0 > 0 }), let last = frequencies.lastIndex(where: { $0 > 0 }) else { return false }
        return frequencies[first...last].contains(0)
    }

    /// `frequencies` times `weight`, with 1 for each unused symbol between the first and the last
    /// used one; `frequencies` itself for a weight of 0.
    static func smoothed(_ frequencies: [Int], weight: Int) -> [Int] {
        guard weight > 0, let first = frequencies.firstIndex(where: { $0 > 0 }),
              let last = frequencies.lastIndex(where: { $0 > 0 }) else { return frequencies }
        var result = frequencies
        for symbol in first...last { result[symbol] = frequencies[symbol] > 0 ? frequencies[symbol] * weight : 1 }
        return result
    }

    /// The frequencies of the symbols that do not follow `contextSymbol` (the first included), and
    /// of those that do.
    static func contextHistograms(_ symbols: [UInt8], alphabetSize: Int, contextSymbol: UInt8) -> [[Int]] {
        var counts = [[Int]](repeating: [Int](repeating: 0, count: alphabetSize), count: 2)
        var context = 0
        for symbol in symbols {
            counts[context][Int(symbol)] += 1
            context = symbol == contextSymbol ? 1 : 0
        }
        return counts
    }

    /// Reads `count` symbols of an alphabet of `alphabetSize` stored in `mode` by
    /// ``write(_:alphabetSize:contextSymbol:to:)`` (with the same `contextSymbol` for `.contextHuffman`).
    ///
    /// Checks, before allocating, that the bytes that remain can hold `count` symbols (at least
    /// one bit each); throws ``EncodedDataError`` naming `field` for a truncated, corrupt or
    /// inconsistent stream.
    public static func read(count: Int, alphabetSize: Int, mode: SymbolStreamMode, contextSymbol: UInt8? = nil,
                            from cursor: inout ByteCursor, field: String) throws -> (symbols: [UInt8], statistics: SymbolStreamStatistics) {
        precondition(alphabetSize >= 1 && alphabetSize <= HuffmanCode.maxAlphabetSize, "SymbolStream: alphabet of \(alphabetSize)")
        let start = cursor.position
        switch mode {
        case .raw:
            let width = rawWidth(alphabetSize)
            guard count >= 0, count <= cursor.remaining * 8 / width else {
                throw EncodedDataError(field: field, "\(count) symbols of \(width) bits do not fit in the \(cursor.remaining) bytes left (truncated)")
            }
            let range = try cursor.skip(field, count: (count * width + 7) / 8)
            let symbols = unpackFixedWidth(cursor.bytes, range: range, count: count, width: width)
            if alphabetSize < 1 << width, let bad = symbols.first(where: { Int($0) >= alphabetSize }) {
                throw EncodedDataError(field: field, "symbol \(bad) is outside the alphabet of \(alphabetSize)")
            }
            return (symbols, SymbolStreamStatistics(mode: .raw, symbols: count, payloadBits: count * width, tableBytes: 0,
                                                    bytes: cursor.position - start))
        case .huffman, .contextHuffman:
            guard count >= 1 else { throw EncodedDataError(field: field, "a Huffman stream of no symbols") }
            let context = mode == .contextHuffman ? contextSymbol : nil
            guard mode == .huffman || context != nil else { preconditionFailure("SymbolStream: a context stream needs its context symbol") }
            var reader = BitReader(cursor.bytes, range: cursor.position..<cursor.end, field: field)
            var codes = [try HuffmanCodeLengthTable.read(from: &reader, alphabetSize: alphabetSize, field: field)]
            if context != nil { codes.append(try HuffmanCodeLengthTable.read(from: &reader, alphabetSize: alphabetSize, field: field)) }
            // The code words start right after the table's last bit, possibly mid-byte.
            _ = try cursor.skip(field, count: reader.bitsRead / 8)
            let decoder = HuffmanDecoder(codes: codes, contextSymbol: context)
            let (symbols, byteCount) = try decoder.decode(cursor.bytes, range: cursor.position..<cursor.end, count: count,
                                                          startBit: reader.bitsRead % 8, field: field)
            _ = try cursor.skip(field, count: byteCount)
            let frequencies = context.map { contextHistograms(symbols, alphabetSize: alphabetSize, contextSymbol: $0) }
                ?? [histogram(symbols, alphabetSize: alphabetSize)]
            let payloadBits = zip(codes, frequencies).reduce(0) { $0 + $1.0.encodedBitCount(frequencies: $1.1) }
            let bytes = cursor.position - start
            return (symbols, SymbolStreamStatistics(mode: mode, symbols: count, payloadBits: payloadBits,
                                                    tableBytes: bytes - (payloadBits + 7) / 8, bytes: bytes))
        }
    }

    /// The number of times each symbol occurs.
    public static func histogram(_ symbols: [UInt8], alphabetSize: Int) -> [Int] {
        var counts = [Int](repeating: 0, count: 256)
        counts.withUnsafeMutableBufferPointer { c in
            for symbol in symbols { c[Int(symbol)] += 1 }
        }
        return Array(counts.prefix(alphabetSize))
    }

    /// The width of a raw field: enough bits for every symbol, and at least one.
    static func rawWidth(_ alphabetSize: Int) -> Int {
        Swift.max(1, bitWidth(forValuesBelow: alphabetSize))
    }

    static func packFixedWidth(_ symbols: [UInt8], width: Int) -> [UInt8] {
        if width == 8 { return symbols }
        var writer = BitWriter()
        for symbol in symbols { writer.write(UInt32(symbol), bits: width) }
        return writer.finish()
    }

    static func unpackFixedWidth(_ bytes: [UInt8], range: Range<Int>, count: Int, width: Int) -> [UInt8] {
        if width == 8 { return Array(bytes[range.lowerBound..<(range.lowerBound + count)]) }
        return [UInt8](unsafeUninitializedCapacity: count) { output, initialized in
            bytes.withUnsafeBufferPointer { input in
                let mask = UInt16((1 << width) - 1)
                var bit = range.lowerBound * 8
                for i in 0..<count {
                    let byte = bit >> 3
                    var word = UInt16(input[byte])
                    if byte + 1 < range.upperBound { word |= UInt16(input[byte + 1]) << 8 }
                    output[i] = UInt8(truncatingIfNeeded: (word >> UInt16(bit & 7)) & mask)
                    bit += width
                }
            }
            initialized = count
        }
    }
}
