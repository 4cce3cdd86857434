import ArgumentParser

/// The `compress` command line: makes trained networks small enough for phones and microcontrollers.
struct Compress: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compress",
        abstract: "Make trained neural networks small: prune, quantize, factorize, Huffman-code.",
        discussion: """
            Global flag: --reproducible (or COMPRESS_REPRODUCIBLE=1 in the environment), anywhere on \
            the command line: the same bytes from the same inputs and seed on every x86-64 machine \
            with AVX2, by pinning OpenBLAS's Haswell kernels, one OpenBLAS thread and two NN parts \
            per minibatch (see README, "Determinism"). `compress doctor` shows what runs.
            """,
        version: "0.1.0",
        subcommands: [Inspect.self, Train.self, Eval.self, Prune.self, Quantize.self, Check.self, SVD.self, Flatten.self, Huffman.self, Decompress.self, Sensitivity.self, Report.self, Run.self, Doctor.self, Export.self]
    )
}
