import ArgumentParser
import Compression
import Pipeline

extension Compress {
    /// `compress flatten MODEL -o OUT`: Conv2D layers become flattened convolutions.
    struct Flatten: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Flatten Conv2D layers (Jin et al. 2014; Denton et al. 2014): 1x1, vertical, horizontal and 1x1 convolutions.",
            discussion: """
            A Conv2D layer NAME (C -> F channels, Y x X kernel) becomes a sum of K rank-1 terms fitted \
            to its kernel by CP-ALS: NAME_l (Conv2D 1x1, C -> K, no bias), NAME_v (DepthwiseConv2D Y x 1, \
            no bias), NAME_h (DepthwiseConv2D 1 x X, no bias) and NAME (Conv2D 1x1, K -> F, the original \
            bias and activation), with the original padding and strides; the result is a plain Keras \
            model. Give K as --rank, or as a parameter compression ratio (--ratio, the largest K with \
            K(C + Y + X + F) + F <= (YXCF + F) / ratio). Layers where flattening saves nothing are left alone and \
            reported. Retrain afterwards: the fit error is reported, fine-tuning recovers the accuracy.

            Example:
              compress flatten lenet5.h5 -o flat.h5 --ratio 3 --layers conv2 --retrain --data mnist
            """)

        @Argument(help: "The model to flatten (Keras .h5).") var model: String
        @Option(name: .shortAndLong, help: "Where to save the flattened model (.h5).") var output: String

        @Option(help: "The number K of rank-1 terms of every chosen layer.") var rank: Int?
        @Option(help: "Per layer, the largest K with K(C + Y + X + F) + F <= (YXCF + F) / ratio (at least 1).") var ratio: Double?
        @Option(help: "Layers to flatten, by name glob: 'conv*', 'conv2' (default: every Conv2D layer).")
        var layers: String?
        @Option(help: "CP-ALS sweeps per start.") var iterations: Int = 500
        @Option(help: "CP-ALS starts (the first from the HOSVD, the others random); the best fit is kept.")
        var restarts: Int = 3

        @OptionGroup var fineTuning: FineTuningOptions

        func validate() throws {
            guard (rank == nil) != (ratio == nil) else { throw ValidationError("give exactly one of --rank and --ratio") }
            try fineTuning.validate()
            try fineTuning.validate(fineTuning.settings(for: .flatten(flatteningSettings()), layers: layers))
        }

        private func flatteningSettings() -> FlatteningSettings {
            FlatteningSettings(rank: rank.map(FlatteningRank.rank) ?? .ratio(ratio ?? 1), maxIterations: iterations,
                               restarts: restarts, seed: fineTuning.seed)
        }

        func run() throws {
            try fineTuning.run(model: model, output: output,
                               settings: fineTuning.settings(for: .flatten(flatteningSettings()), layers: layers))
        }
    }
}
