import ArgumentParser
import ModelIO

/// `--data` and `--normalize`, shared by every command that reads a data set.
struct DataOptions: ParsableArguments {
    @Option(help: "mnist, fashion-mnist (looked up in data/), a folder of IDX files, or an HDF5 file with x and y.")
    var data: String = "mnist"

    @Option(help: "Pixel scaling of byte images: \(PixelNormalization.allCases.map(\.rawValue).joined(separator: ", ")).")
    var normalize: PixelNormalization = .unit

    /// Loads one split of the chosen data set.
    func load(_ split: DataSplit) throws -> Dataset {
        try DataSource(argument: data).load(split: split, normalization: normalize)
    }
}

extension PixelNormalization: ExpressibleByArgument {}
