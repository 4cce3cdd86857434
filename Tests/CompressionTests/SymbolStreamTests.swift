import Compression
import TensorCore
import Testing

@Suite("Symbol streams")
struct SymbolStreamTests {
    func roundTrip(_ symbols: [UInt8], alphabet: Int) throws -> SymbolStreamStatistics {
        var writer = ByteWriter()
        let stats = SymbolStream.write(symbols, alphabetSize: alphabet, to: &writer)
        #expect(stats.bytes == writer.count)
        var cursor = ByteCursor(writer.bytes)
        let (back, readStats) = try SymbolStream.read(count: symbols.count, alphabetSize: alphabet, mode: stats.mode, from: &cursor, field: "t")
        #expect(back == symbols)
        #expect(readStats == stats)
        #expect(cursor.isAtEnd)
        return stats
    }

    @Test("uniform bytes are stored raw, one byte each")
    func uniformIsRaw() throws {
        var generator = RandomGenerator(seed: 1)
        let symbols = (0..<4096).map { _ in UInt8(generator.nextInt(below: 256)) }
        let stats = try roundTrip(symbols, alphabet: 256)
        #expect(stats.mode == .raw)
        #expect(stats.bytes == 4096)
    }

    @Test("skewed symbols are Huffman-coded, below the raw size")
    func skewedIsHuffman() throws {
        var generator = RandomGenerator(seed: 2)
        let symbols = (0..<10_000).map { _ in UInt8(generator.nextInt(below: 100) < 90 ? 0 : generator.nextInt(below: 32)) }
        let stats = try roundTrip(symbols, alphabet: 32)
        #expect(stats.mode == .huffman)
        #expect(stats.bytes < 10_000 * 5 / 8)
    }

    @Test("raw fields of w bits for small alphabets, and empty streams", arguments: [1, 2, 3, 5, 6, 7, 8])
    func rawWidths(bits: Int) throws {
        var generator = RandomGenerator(seed: UInt64(bits))
        let alphabet = 1 << bits
        let symbols = (0..<33).map { _ in UInt8(generator.nextInt(below: alphabet)) }
        let stats = try roundTrip(symbols, alphabet: alphabet)
        #expect(stats.bytes <= (33 * bits + 7) / 8)
        #expect(try roundTrip([], alphabet: alphabet).bytes == 0)
    }

    @Test("every truncation of a stream is an error, never a crash")
    func truncations() throws {
        var generator = RandomGenerator(seed: 3)
        let symbols = (0..<300).map { _ in UInt8(generator.nextInt(below: 4) == 0 ? generator.nextInt(below: 64) : 1) }
        var writer = ByteWriter()
        let stats = SymbolStream.write(symbols, alphabetSize: 64, to: &writer)
        #expect(stats.mode == .huffman)
        for length in 0..<writer.count {
            var cursor = ByteCursor(writer.bytes, range: 0..<length)
            #expect(throws: EncodedDataError.self) { try SymbolStream.read(count: 300, alphabetSize: 64, mode: .huffman, from: &cursor, field: "t") }
        }
    }

    @Test("a raw symbol outside the alphabet, an empty Huffman stream and a huge count are errors")
    func inconsistent() {
        var cursor = ByteCursor([0b0000_0111], range: 0..<1)   // raw, 3-bit fields: 7, 0
        #expect(throws: EncodedDataError.self) { try SymbolStream.read(count: 2, alphabetSize: 5, mode: .raw, from: &cursor, field: "t") }
        var empty = ByteCursor([0, 0])
        #expect(throws: EncodedDataError.self) { try SymbolStream.read(count: 0, alphabetSize: 5, mode: .huffman, from: &empty, field: "t") }
        for mode in [SymbolStreamMode.raw, .huffman] {
            var huge = ByteCursor([0, 1, 2, 3])
            #expect(throws: EncodedDataError.self) { try SymbolStream.read(count: 1 << 40, alphabetSize: 256, mode: mode, from: &huge, field: "t") }
        }
    }

    @Test("a Huffman stream ends where its code words end; what follows is left for the next")
    func streamsFollowEachOther() throws {
        var generator = RandomGenerator(seed: 5)
        let first = (0..<500).map { _ in UInt8(generator.nextInt(below: 3) == 0 ? generator.nextInt(below: 16) : 2) }
        let second = (0..<200).map { _ in UInt8(generator.nextInt(below: 4)) }
        var writer = ByteWriter()
        let a = SymbolStream.write(first, alphabetSize: 16, to: &writer)
        let b = SymbolStream.write(second, alphabetSize: 4, to: &writer)
        var cursor = ByteCursor(writer.bytes)
        #expect(try SymbolStream.read(count: 500, alphabetSize: 16, mode: a.mode, from: &cursor, field: "a").symbols == first)
        #expect(try SymbolStream.read(count: 200, alphabetSize: 4, mode: b.mode, from: &cursor, field: "b").symbols == second)
        #expect(cursor.isAtEnd)
    }

    @Test("gaps whose successors of fillers differ take two codes, smaller than one, and round-trip; truncations fail")
    func contextStream() throws {
        var generator = RandomGenerator(seed: 8)
        var symbols: [UInt8] = []
        while symbols.count < 5000 {
            let afterFiller = symbols.last == 31
            symbols.append(UInt8(afterFiller ? (generator.nextInt(below: 2) == 0 ? 31 : 16 + generator.nextInt(below: 15))
                                             : (generator.nextInt(below: 20) == 0 ? 31 : generator.nextInt(below: 4))))
        }
        var single = ByteWriter()
        let one = SymbolStream.write(symbols, alphabetSize: 32, to: &single)
        var writer = ByteWriter()
        let two = SymbolStream.write(symbols, alphabetSize: 32, contextSymbol: 31, to: &writer)
        #expect(one.mode == .huffman)
        #expect(two.mode == .contextHuffman)
        #expect(two.bytes < one.bytes)
        var cursor = ByteCursor(writer.bytes)
        let (back, stats) = try SymbolStream.read(count: symbols.count, alphabetSize: 32, mode: .contextHuffman, contextSymbol: 31,
                                                  from: &cursor, field: "t")
        #expect(back == symbols)
        #expect(stats == two)
        for length in stride(from: 0, to: writer.count, by: 7) {
            var short = ByteCursor(writer.bytes, range: 0..<length)
            #expect(throws: EncodedDataError.self) {
                try SymbolStream.read(count: symbols.count, alphabetSize: 32, mode: .contextHuffman, contextSymbol: 31, from: &short, field: "t")
            }
        }
    }

    @Test("a byte plane using two clusters of symbols has a short code-length table, thanks to runs")
    func runsInLengthTable() throws {
        var generator = RandomGenerator(seed: 6)
        let symbols = (0..<2000).map { _ in UInt8(generator.nextInt(below: 2) == 0 ? 0x3A + generator.nextInt(below: 5) : 0xBA + generator.nextInt(below: 5)) }
        let stats = try roundTrip(symbols, alphabet: 256)
        #expect(stats.mode == .huffman)
        #expect(stats.tableBytes <= 8)
    }

    @Test("rare gaps scattered among unused ones get a smoothed code when table and words are smaller together")
    func smoothedCode() throws {
        // Gaps of a 12%-dense conv layer at 8 index bits: geometric, with a long, sparse tail.
        var generator = RandomGenerator(seed: 12)
        let symbols = (0..<3000).map { _ -> UInt8 in
            var gap = 0
            while gap < 255 && generator.nextInt(below: 100) >= 12 { gap += 1 }
            return UInt8(gap)
        }
        let frequencies = SymbolStream.histogram(symbols, alphabetSize: 256)
        let optimal = HuffmanCode(frequencies: frequencies)
        let optimalBytes = (HuffmanCodeLengthTable.bitCount(optimal) + optimal.encodedBitCount(frequencies: frequencies) + 7) / 8
        let stats = try roundTrip(symbols, alphabet: 256)
        #expect(stats.mode == .huffman)
        #expect(stats.bytes < optimalBytes)
    }
}
