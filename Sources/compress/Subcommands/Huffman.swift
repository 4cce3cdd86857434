import ArgumentParser
import Compression
import Foundation
import ModelIO
import Pipeline

extension Compress {
    /// `compress huffman MODEL.h5 -o MODEL.dcz`: the deployable file, Huffman-coded with sparse
    /// relative indexing (Deep Compression, sections 2 to 4).
    struct Huffman: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Encode a model as a compact .dcz file: relative sparse indices and Huffman codes.",
            discussion: """
                Stores what earlier passes produced: pruned weights as relative indices (the gap to the
                previous kept weight in b bits, filler zeros for longer gaps), k-means codebooks as
                centroid indices, int8 codes, FP16 halves and plain float32 weights, each stream
                Huffman-coded where that is smaller and raw where it is not. Decoding gives back every
                weight bit for bit (checked before the file is written). `compress decompress` turns the
                file back into a Keras .h5; `eval` and `inspect` read it directly. See docs/FORMAT.md.
                """)

        @Argument(help: "The model to encode: a Keras .h5 (with its compression metadata) or a .dcz to re-encode.")
        var model: String
        @Option(name: .shortAndLong, help: "Where to write the compressed model (.dcz).") var output: String
        @Option(help: "Bits per index gap in sparse Dense layers, 2 to 8.") var denseIndexBits: Int = 5
        @Option(help: "Bits per index gap in sparse convolution layers, 2 to 8.") var convIndexBits: Int = 8
        @Flag(help: "Try every index width from 2 to 8 for each sparse parameter and keep the smallest.")
        var autoIndexBits = false
        @Flag(help: "Store the model's name (by default it is left out: a decompressed model is named after its output file).")
        var keepName = false
        @Flag(help: "Print the report as JSON.") var json = false

        func validate() throws {
            for (name, bits) in [("--dense-index-bits", denseIndexBits), ("--conv-index-bits", convIndexBits)]
            where !SparseRelativeIndex.indexBitsRange.contains(bits) {
                throw ValidationError("\(name) must be between 2 and 8, got \(bits)")
            }
        }

        func run() throws {
            let settings = CompressedModelSettings(denseIndexBits: denseIndexBits, convIndexBits: convIndexBits,
                                                   automaticIndexBits: autoIndexBits, keepModelName: keepName)
            let report = try reportingErrors {
                try checkRunFiles(models: [model], outputs: [RunFile("the output (-o)", output)])
                return try huffmanEncodeModelFile(input: model, output: output, settings: settings)
            }
            if json {
                try printJSON(report)
            } else {
                print(compressedModelText(report.summary))
                let ratio = Double(report.inputBytes) / Double(max(report.summary.fileBytes, 1))
                print(String(format: "wrote %@: %@ bytes (%@ was %@ bytes, %.1fx); decoding checked bit for bit",
                             output, groupedDigits(report.summary.fileBytes), model, groupedDigits(report.inputBytes), ratio))
            }
        }
    }
}
