import ArgumentParser

/// The `compress` command line: makes trained networks small enough for phones and microcontrollers.
@main
struct Compress: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compress",
        abstract: "Make trained neural networks small: prune, quantize, factorize, Huffman-code.",
        version: "0.1.0",
        subcommands: [Inspect.self, Train.self, Eval.self, Prune.self, Quantize.self, Check.self, SVD.self, Flatten.self, Huffman.self, Decompress.self, Sensitivity.self, Report.self, Run.self]
    )
}
