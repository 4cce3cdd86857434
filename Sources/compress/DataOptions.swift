import ArgumentParser
import ModelIO

/// `--data` and `--normalize`, shared by every command that reads a data set.
///
/// `--data` has no default: a command that only needs a data set to measure accuracy runs
/// without it and measures nothing, and one that trains or evaluates says that `--data` is needed.
/// `mnist` and `fashion-mnist` are looked up (in `data/`) only when named.
struct DataOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "The data set: mnist, fashion-mnist, a folder, or an .h5, .npz or .npy file.",
        discussion: """
            mnist and fashion-mnist are the IDX files in data/mnist or data/fashion-mnist under the current \
            directory. A folder holds IDX files with MNIST's names, or x_train.npy, y_train.npy, x_test.npy, \
            y_test.npy. An .h5/.hdf5 file or .npz archive holds x_train, y_train, x_test, y_test (or x and y, \
            used for both splits); x.npy (or x_test.npy) names the images, its labels are y.npy (y_test.npy) \
            beside it, used for both splits. Images are [N, H, W], [N, H, W, C] or [N, D], uint8 or float; \
            labels are class indices from 0, as many classes as the model has outputs.
            """))
    var data: String?

    @Option(help: "Pixel scaling of byte images: \(PixelNormalization.allCases.map(\.rawValue).joined(separator: ", ")).")
    var normalize: PixelNormalization = .unit

    /// Throws a usage error when `--data` is missing, saying it is needed to `purpose` (e.g. "train").
    func require(toDo purpose: String) throws {
        _ = try argument(toDo: purpose)
    }

    /// Loads one split of the data set `--data` names, which is needed to `purpose`.
    func load(_ split: DataSplit, toDo purpose: String) throws -> Dataset {
        try DataSource(argument: argument(toDo: purpose)).load(split: split, normalization: normalize)
    }

    /// Loads one split of the data set `--data` names; nil without `--data`.
    func loadIfGiven(_ split: DataSplit) throws -> Dataset? {
        try data.map { try DataSource(argument: $0).load(split: split, normalization: normalize) }
    }

    /// The `--data` argument, or a usage error saying it is needed to `purpose`.
    private func argument(toDo purpose: String) throws -> String {
        guard let data else {
            throw ValidationError("--data is needed to \(purpose): name the data set, e.g. --data mnist or --data digits.npz (see --help)")
        }
        return data
    }
}

extension PixelNormalization: ExpressibleByArgument {}
