import Compression
import Foundation
import TensorCore

/// `bench huffman`: throughput of the table-driven Huffman coder, and the size of a symbol file
/// as the compressed model format stores it.
///
/// With `--file` (raw, one byte per symbol: a layer's index gaps, say), the file is stored as a
/// `SymbolStream` of alphabet `--alphabet` (default: its largest symbol + 1) with
/// `--context-symbol` (a sparse index's filler) and its size printed; the throughput runs then
/// code the file's symbols repeated to `--symbols` symbols with the codes that stream chose. By
/// default the symbols are drawn (seed 1) from a two-sided geometric distribution over 64 symbols
/// like 6-bit centroid indices, with one code. Each run is timed `--repeats` times after a
/// warm-up and the best counts; throughput is in symbols per second, MB/s of symbols (one byte
/// each) and MB/s of code words.
struct HuffmanBenchmark {
    let symbolCount: Int
    let repeats: Int
    let file: String?
    let alphabet: Int?
    let contextSymbol: Int?

    init(options: Options) throws(UsageError) {
        symbolCount = try options.positiveInteger("symbols", default: 16_000_000)
        repeats = try options.positiveInteger("repeats", default: 5)
        file = options.string("file")
        alphabet = options.string("alphabet") == nil ? nil : try options.positiveInteger("alphabet", default: 256)
        contextSymbol = options.string("context-symbol") == nil ? nil : try options.positiveInteger("context-symbol", default: 0)
    }

    func run() throws {
        let symbols: [UInt8]
        let codes: [HuffmanCode]
        var context: UInt8?
        if let file {
            guard let data = FileManager.default.contents(atPath: file), !data.isEmpty else {
                throw UsageError("--file \(file) cannot be read or is empty")
            }
            let stream = [UInt8](data)
            let alphabetSize = alphabet ?? Int(stream.max()!) + 1
            guard alphabetSize <= 256, stream.allSatisfy({ Int($0) < alphabetSize }) else {
                throw UsageError("--alphabet \(alphabetSize) does not cover the file's symbols (at most 256)")
            }
            if let contextSymbol, contextSymbol >= alphabetSize { throw UsageError("--context-symbol is outside the alphabet") }
            var writer = ByteWriter()
            let stats = SymbolStream.write(stream, alphabetSize: alphabetSize, contextSymbol: contextSymbol.map(UInt8.init), to: &writer)
            print("stream file=\(file) symbols=\(stream.count) alphabet=\(alphabetSize) mode=\(stats.mode.rawValue) "
                  + "bytes=\(stats.bytes) table_bytes=\(stats.tableBytes) payload_bits=\(stats.payloadBits)")
            if stats.mode == .contextHuffman, let contextSymbol {
                context = UInt8(contextSymbol)
                let split = contextHistogramsOf(stream, alphabetSize: alphabetSize, contextSymbol: context!)
                codes = split.map(HuffmanCode.init(frequencies:))
            } else {
                codes = [HuffmanCode(frequencies: SymbolStream.histogram(stream, alphabetSize: alphabetSize))]
            }
            symbols = Array((0..<(symbolCount + stream.count - 1) / stream.count).map { _ in stream }.joined().prefix(symbolCount))
            print("# huffman: \(file) repeated to \(symbols.count) symbols, \(codes.count == 2 ? "two codes (after the context symbol)" : "one code"), "
                  + String(format: "%.3f bits/symbol", Double(HuffmanCode.encode(stream, codes: codes, contextSymbol: context).count * 8) / Double(stream.count)))
        } else {
            let frequencies = (0..<64).map { Int(1_000_000 * pow(0.85, abs(Double($0) - 31.5))) + 1 }
            symbols = draw(symbolCount, from: frequencies)
            let sampled = SymbolStream.histogram(symbols, alphabetSize: 64)
            codes = [HuffmanCode(frequencies: sampled)]
            let total = Double(symbols.count)
            let entropy = sampled.filter { $0 > 0 }.reduce(0.0) { $0 - Double($1) / total * log2(Double($1) / total) }
            print(String(format: "# huffman: two-sided geometric over 64 symbols; %d symbols, entropy %.3f bits/symbol, code %.3f bits/symbol, longest code %d bits",
                         symbols.count, entropy, Double(codes[0].encodedBitCount(frequencies: sampled)) / total, codes[0].longestLength))
        }

        var encoded: [UInt8] = []
        let encodeSeconds = best { encoded = HuffmanCode.encode(symbols, codes: codes, contextSymbol: context) }
        let decoder = HuffmanDecoder(codes: codes, contextSymbol: context)
        var decoded: [UInt8] = []
        let decodeSeconds = try bestThrowing {
            decoded = try decoder.decode(encoded, range: 0..<encoded.count, count: symbols.count, field: "bench").symbols
        }
        guard decoded == symbols else { throw UsageError("decoding gave different symbols") }
        let total = Double(symbols.count)
        for (name, seconds) in [("encode", encodeSeconds), ("decode", decodeSeconds)] {
            print(String(format: "%@ symbols_per_s=%.0f symbol_MB_per_s=%.1f code_MB_per_s=%.1f seconds=%.4f",
                         name, total / seconds, total / seconds / 1e6, Double(encoded.count) / seconds / 1e6, seconds))
        }
    }

    /// The frequencies of symbols not after `contextSymbol` (the first included), and after it.
    private func contextHistogramsOf(_ symbols: [UInt8], alphabetSize: Int, contextSymbol: UInt8) -> [[Int]] {
        var counts = [[Int]](repeating: [Int](repeating: 0, count: alphabetSize), count: 2)
        var context = 0
        for symbol in symbols {
            counts[context][Int(symbol)] += 1
            context = symbol == contextSymbol ? 1 : 0
        }
        return counts
    }

    /// `count` symbols drawn independently with probabilities proportional to `frequencies` (seed 1).
    private func draw(_ count: Int, from frequencies: [Int]) -> [UInt8] {
        var cumulative: [Int] = []
        var sum = 0
        for frequency in frequencies { sum += frequency; cumulative.append(sum) }
        var generator = RandomGenerator(seed: 1)
        return (0..<count).map { _ in
            let r = generator.nextInt(below: sum)
            var low = 0, high = cumulative.count - 1
            while low < high {
                let mid = (low + high) / 2
                if cumulative[mid] > r { high = mid } else { low = mid + 1 }
            }
            return UInt8(low)
        }
    }

    /// The best wall-clock seconds of `repeats` runs of `body`, after one warm-up run.
    private func best(_ body: () -> Void) -> Double {
        body()
        var best = Double.infinity
        for _ in 0..<repeats {
            let start = ContinuousClock.now
            body()
            let elapsed = ContinuousClock.now - start
            best = min(best, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
        }
        return best
    }

    private func bestThrowing(_ body: () throws -> Void) throws -> Double {
        var failure: Error?
        let seconds = best {
            do { try body() } catch { failure = error }
        }
        if let failure { throw failure }
        return seconds
    }
}
