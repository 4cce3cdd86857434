import Compression
import Foundation
import TensorCore
import Testing

@Suite("Huffman codes")
struct HuffmanCodeTests {
    /// The cost of an unrestricted optimal (Huffman) code, from repeatedly merging the two lightest.
    func huffmanCost(_ frequencies: [Int]) -> Int {
        var weights = frequencies.filter { $0 > 0 }
        if weights.count == 1 { return weights[0] }
        var cost = 0
        while weights.count > 1 {
            weights.sort(by: >)
            let merged = weights.removeLast() + weights.removeLast()
            cost += merged
            weights.append(merged)
        }
        return cost
    }

    @Test("textbook frequencies give lengths 1, 2, 3, 3 and canonical, prefix-free codes")
    func textbook() throws {
        let code = HuffmanCode(frequencies: [50, 30, 15, 5])
        #expect(code.lengths == [1, 2, 3, 3])
        let symbols: [UInt8] = [0, 1, 2, 3]
        // Canonical codes 0, 10, 110, 111 written LSB first: bits 0 | 1 0 | 1 1 0 | 1 1 1.
        #expect(code.encode(symbols) == [0b1101_1010, 0b0000_0001])
    }

    @Test("package-merge is optimal when the limit does not bind", arguments: [1, 2, 3, 4, 5])
    func optimalCost(seed: UInt64) {
        var generator = RandomGenerator(seed: seed)
        let frequencies = (0..<64).map { _ in generator.nextInt(below: 1000) }
        let code = HuffmanCode(frequencies: frequencies)
        #expect(code.longestLength <= HuffmanCode.maxLength)
        #expect(code.encodedBitCount(frequencies: frequencies) == huffmanCost(frequencies))
    }

    @Test("Fibonacci frequencies, which want 30-bit codes, are limited to 12 bits with a complete code")
    func lengthLimit() {
        var frequencies = [1, 1]
        while frequencies.count < 30 { frequencies.append(frequencies[frequencies.count - 1] + frequencies[frequencies.count - 2]) }
        let code = HuffmanCode(frequencies: frequencies)
        #expect(code.longestLength == HuffmanCode.maxLength)
        let kraft = code.lengths.reduce(0) { $0 + (1 << (HuffmanCode.maxLength - Int($1))) }
        #expect(kraft == 1 << HuffmanCode.maxLength)
        #expect(code.encodedBitCount(frequencies: frequencies) >= huffmanCost(frequencies))
    }

    @Test("encoded symbols decode to the same symbols", arguments: [0, 1, 7, 1000, 100_003])
    func roundTrip(count: Int) throws {
        var generator = RandomGenerator(seed: UInt64(count))
        // A skewed distribution over 200 symbols: roughly geometric.
        let symbols = (0..<count).map { _ -> UInt8 in
            let uniform = Double(generator.nextInt(below: 1 << 20) + 1) / Double(1 << 20)
            return UInt8(min(199, Int(-log2(uniform) * 6)))
        }
        let frequencies = SymbolStream.histogram(symbols, alphabetSize: 200)
        guard frequencies.contains(where: { $0 > 0 }) else { return }
        let code = HuffmanCode(frequencies: frequencies)
        let bytes = code.encode(symbols)
        #expect(bytes.count == (code.encodedBitCount(frequencies: frequencies) + 7) / 8)
        let (decoded, used) = try HuffmanDecoder(code: code).decode(bytes, range: 0..<bytes.count, count: count, field: "test")
        #expect(decoded == symbols)
        #expect(used == bytes.count)
    }

    @Test("code words may start mid-byte, after bits that belong to something else", arguments: [1, 3, 7])
    func leadingBits(leadingBits: Int) throws {
        for count in [1, 9, 5000] {
            var generator = RandomGenerator(seed: UInt64(count + leadingBits))
            let symbols = (0..<count).map { _ in UInt8(generator.nextInt(below: 5) * generator.nextInt(below: 3)) }
            let frequencies = SymbolStream.histogram(symbols, alphabetSize: 16)
            let code = HuffmanCode(frequencies: frequencies)
            var bytes = HuffmanCode.encode(symbols, codes: [code], contextSymbol: nil, leadingBits: leadingBits)
            #expect(bytes.count == (leadingBits + code.encodedBitCount(frequencies: frequencies) + 7) / 8)
            #expect(bytes[0] & UInt8((1 << leadingBits) - 1) == 0)
            bytes[0] |= UInt8((1 << leadingBits) - 1)   // the bits before belong to a table
            let (decoded, used) = try HuffmanDecoder(code: code).decode(bytes, range: 0..<bytes.count, count: count,
                                                                        startBit: leadingBits, field: "t")
            #expect(decoded == symbols)
            #expect(used == bytes.count)
        }
    }

    @Test("a stream of one repeated symbol costs one bit per symbol and decodes")
    func singleSymbol() throws {
        let symbols = [UInt8](repeating: 5, count: 77)
        let code = HuffmanCode(frequencies: SymbolStream.histogram(symbols, alphabetSize: 8))
        #expect(code.lengths == [0, 0, 0, 0, 0, 1, 0, 0])
        let bytes = code.encode(symbols)
        #expect(bytes.count == 10)
        #expect(try HuffmanDecoder(code: code).decode(bytes, range: 0..<bytes.count, count: 77, field: "t").symbols == symbols)
    }

    @Test("truncated code words, too many symbols and patterns outside an incomplete code are errors")
    func corruptInput() throws {
        var generator = RandomGenerator(seed: 9)
        let symbols = (0..<5000).map { _ in UInt8(generator.nextInt(below: 16)) }
        let code = HuffmanCode(frequencies: SymbolStream.histogram(symbols, alphabetSize: 16))
        let bytes = code.encode(symbols)
        let decoder = HuffmanDecoder(code: code)
        #expect(throws: EncodedDataError.self) { try decoder.decode(bytes, range: 0..<(bytes.count - 1), count: 5000, field: "t") }
        #expect(try decoder.decode(bytes + [0xFF, 0], range: 0..<(bytes.count + 2), count: 5000, field: "t").byteCount == bytes.count)
        #expect(throws: EncodedDataError.self) { try decoder.decode(bytes, range: 0..<bytes.count, count: 50_000, field: "t") }
        // One symbol with a 1-bit code: the pattern 1 is no code word.
        let incomplete = try HuffmanCode(lengths: [1, 0], field: "t")
        #expect(throws: EncodedDataError.self) { try HuffmanDecoder(code: incomplete).decode([0xFF], range: 0..<1, count: 8, field: "t") }
        #expect(try HuffmanDecoder(code: incomplete).decode([0x00], range: 0..<1, count: 8, field: "t").symbols == [UInt8](repeating: 0, count: 8))
        // Long enough for the fast path, which must stop at the first invalid pattern too.
        let invalidRun = [UInt8](repeating: 0, count: 40) + [UInt8](repeating: 0xFF, count: 60)
        #expect(throws: EncodedDataError.self) {
            try HuffmanDecoder(code: incomplete).decode(invalidRun, range: 0..<100, count: 800, field: "t")
        }
    }

    @Test("with a context symbol, the symbols after it use the second code, and decode back", arguments: [3, 9, 20_000])
    func contextCodes(count: Int) throws {
        var generator = RandomGenerator(seed: UInt64(count))
        // Gap-like symbols: 7 is the filler; after a filler the next symbol is spread out.
        var symbols: [UInt8] = []
        while symbols.count < count {
            let afterFiller = symbols.last == 7
            symbols.append(UInt8(afterFiller ? generator.nextInt(below: 8) : (generator.nextInt(below: 6) == 0 ? 7 : generator.nextInt(below: 2))))
        }
        var counts = [[Int]](repeating: [Int](repeating: 0, count: 8), count: 2)
        var context = 0
        for symbol in symbols {
            counts[context][Int(symbol)] += 1
            context = symbol == 7 ? 1 : 0
        }
        let codes = counts.map { HuffmanCode(frequencies: $0.contains { $0 > 0 } ? $0 : [1, 0, 0, 0, 0, 0, 0, 0]) }
        let bytes = HuffmanCode.encode(symbols, codes: codes, contextSymbol: 7)
        let expectedBits = zip(codes, counts).reduce(0) { $0 + $1.0.encodedBitCount(frequencies: $1.1) }
        #expect(bytes.count == (expectedBits + 7) / 8)
        let (decoded, used) = try HuffmanDecoder(codes: codes, contextSymbol: 7).decode(bytes, range: 0..<bytes.count, count: count, field: "t")
        #expect(decoded == symbols)
        #expect(used == bytes.count)
    }

    @Test("over-subscribed, too long and empty code lengths are rejected")
    func invalidLengths() {
        #expect(throws: EncodedDataError.self) { try HuffmanCode(lengths: [1, 1, 1], field: "t") }
        #expect(throws: EncodedDataError.self) { try HuffmanCode(lengths: [13, 1], field: "t") }
        #expect(throws: EncodedDataError.self) { try HuffmanCode(lengths: [0, 0], field: "t") }
    }

    @Test("code lengths survive their compact table for random codes", arguments: [2, 17, 64, 256])
    func lengthTableRoundTrip(alphabet: Int) throws {
        var generator = RandomGenerator(seed: UInt64(alphabet))
        for _ in 0..<20 {
            let frequencies = (0..<alphabet).map { _ in generator.nextInt(below: 4) == 0 ? 0 : generator.nextInt(below: 5000) }
            guard frequencies.contains(where: { $0 > 0 }) else { continue }
            let code = HuffmanCode(frequencies: frequencies)
            var writer = BitWriter()
            HuffmanCodeLengthTable.write(code, to: &writer)
            let bytes = writer.finish()
            var reader = BitReader(bytes, range: 0..<bytes.count, field: "t")
            let back = try HuffmanCodeLengthTable.read(from: &reader, alphabetSize: alphabet, field: "t")
            #expect(back == code)
            #expect(reader.bytesRead == bytes.count)
        }
    }

    @Test("a 64-symbol bell-shaped code-length table takes at most 20 bytes")
    func lengthTableIsCompact() {
        let frequencies = (0..<64).map { i in Int(10_000 * exp(-pow(Double(i - 32) / 10, 2))) + 1 }
        let code = HuffmanCode(frequencies: frequencies)
        #expect(HuffmanCodeLengthTable.bitCount(code) <= 160)
    }

    @Test("a long stretch of one length is a repeat: 256 lengths of 8 take 7 bytes, and come back")
    func lengthTableRepeats() throws {
        let code = HuffmanCode(frequencies: [Int](repeating: 5, count: 256))
        #expect(code.lengths.allSatisfy { $0 == 8 })
        var writer = BitWriter()
        HuffmanCodeLengthTable.write(code, to: &writer)
        #expect(writer.bitCount <= 56)
        let bytes = writer.finish()
        var reader = BitReader(bytes, range: 0..<bytes.count, field: "t")
        #expect(try HuffmanCodeLengthTable.read(from: &reader, alphabetSize: 256, field: "t") == code)
    }

    @Test("a repeat of no length, or one past the last symbol, is an error")
    func badRepeats() {
        func table(_ fields: [(UInt32, Int)]) -> [UInt8] {
            var writer = BitWriter()
            for (value, bits) in fields { writer.write(value, bits: bits) }
            return writer.finish()
        }
        let repeatOfNothing = table([(1, 1), (0b11, 2), (13, 4), (0, 6)])
        let pastTheEnd = table([(1, 1), (0b11, 2), (2, 4), (0b11, 2), (13, 4), (3, 6)])   // 1 + 6 lengths for 4 symbols
        for (bytes, message) in [(repeatOfNothing, "has no code"), (pastTheEnd, "passes the last symbol")] {
            var reader = BitReader(bytes, range: 0..<bytes.count, field: "t")
            #expect { try HuffmanCodeLengthTable.read(from: &reader, alphabetSize: 4, field: "t") } throws: {
                String(describing: $0).contains(message)
            }
        }
    }
}
