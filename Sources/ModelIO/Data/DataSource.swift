import Foundation

/// Where a data set comes from: the value of `--data`.
///
/// - `mnist` and `fashion-mnist` name IDX directories under `data/` in the current directory
///   (see ``namedDataSets`` for where to get them);
/// - a directory holds IDX files with the canonical MNIST names, or NumPy arrays `x_train.npy`,
///   `y_train.npy`, `x_test.npy`, `y_test.npy` (or `x.npy`, `y.npy` serving both splits);
/// - a `.h5`/`.hdf5` file holds `x` and `y` datasets (see ``Dataset/init(hdf5File:split:names:normalization:limits:)``);
/// - a `.npz` archive holds arrays `x_train`, `y_train`, `x_test`, `y_test`, or `x` and `y`;
/// - a `.npy` file whose name starts with `x` holds the images, its sibling named with `y` instead
///   (`x.npy` and `y.npy`, `x_test.npy` and `y_test.npy`) the labels; the pair serves both splits.
///
/// ```swift
/// let source = try DataSource(argument: "mnist")
/// let test = try source.load(split: .test)
/// ```
public enum DataSource: Equatable, Sendable, CustomStringConvertible {
    /// A directory with the canonical MNIST IDX file names.
    case idxDirectory(URL)
    /// A directory of `.npy` files.
    case npyDirectory(URL)
    /// An HDF5 file with `x` and `y` datasets.
    case hdf5File(URL)
    /// A NumPy `.npz` archive.
    case npzFile(URL)
    /// A pair of `.npy` files, the images and the labels, serving both splits.
    case npyFiles(images: URL, labels: URL)

    /// A data set known by name: its directory under the current directory and where to get it.
    public struct NamedDataSet: Sendable {
        public var directory: String
        /// Where the four IDX files can be downloaded.
        public var downloadURL: String
        /// The repository's script that fetches them.
        public var fetchScript: String
    }

    /// The data sets known by name.
    public static let namedDataSets: [String: NamedDataSet] = [
        "mnist": NamedDataSet(directory: "data/mnist", downloadURL: "https://storage.googleapis.com/cvdf-datasets/mnist/",
                              fetchScript: "Scripts/fetch-mnist.sh"),
        "fashion-mnist": NamedDataSet(directory: "data/fashion-mnist",
                                      downloadURL: "https://github.com/zalandoresearch/fashion-mnist (data/fashion)",
                                      fetchScript: "Scripts/fetch-fashion-mnist.sh"),
    ]

    /// Resolves a `--data` argument.
    ///
    /// - Parameters:
    ///   - argument: `mnist`, `fashion-mnist`, a directory of IDX or `.npy` files, or an `.h5`,
    ///     `.hdf5`, `.npz` or `.npy` file.
    ///   - currentDirectory: The directory relative paths (and `data/`) are resolved against.
    /// - Throws: ``DataError`` when a named data set has not been downloaded, or the path is missing
    ///   or of the wrong kind.
    public init(argument: String,
                currentDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)) throws {
        func resolve(_ path: String) -> URL {
            path.hasPrefix("/") ? URL(fileURLWithPath: path) : currentDirectory.appendingPathComponent(path)
        }
        if let named = DataSource.namedDataSets[argument] {
            let directory = resolve(named.directory)
            for split in DataSplit.allCases {
                let names = split.idxFileNames
                for name in [names.images, names.labels] where (try? Dataset.locate(name, in: directory)) == nil {
                    let files = DataSplit.allCases.flatMap { [$0.idxFileNames.images, $0.idxFileNames.labels] }
                    throw DataError.missingFile(
                        file: directory.appendingPathComponent(name).path,
                        hint: "\(argument) is looked up in \(named.directory) under the current directory: download "
                            + files.map { $0 + ".gz" }.joined(separator: ", ") + " from \(named.downloadURL) into "
                            + "\(directory.path) (in a checkout of compress, \(named.fetchScript) does it), "
                            + "or pass --data with the folder that holds them")
                }
            }
            self = .idxDirectory(directory)
            return
        }
        let url = resolve(argument)
        let kinds = "expected mnist, fashion-mnist, a directory of IDX or .npy files, or an .h5, .hdf5, .npz or .npy file"
        switch (FileStatus(path: url.path), url.pathExtension.lowercased()) {
        case (.directory, _):
            let hasNumPy = DataSplit.allCases.flatMap(Dataset.numPyNames).contains {
                FileManager.default.fileExists(atPath: url.appendingPathComponent($0.images + ".npy").path)
            }
            self = hasNumPy ? .npyDirectory(url) : .idxDirectory(url)
        case (.regular, "h5"), (.regular, "hdf5"):
            self = .hdf5File(url)
        case (.regular, "npz"):
            self = .npzFile(url)
        case (.regular, "npy"):
            let name = url.lastPathComponent
            guard name.first == "x" || name.first == "X" else {
                throw DataError.unknownSource(argument: argument, reason:
                    "a .npy file given to --data holds the images and is named x….npy (x.npy, x_test.npy), its labels y….npy beside it")
            }
            let labels = url.deletingLastPathComponent().appendingPathComponent((name.first == "x" ? "y" : "Y") + name.dropFirst())
            guard case .regular = FileStatus(path: labels.path) else {
                throw DataError.missingFile(file: labels.path, hint: "the labels of \(name)")
            }
            self = .npyFiles(images: url, labels: labels)
        case (.missing, let suffix) where ["h5", "hdf5", "npz", "npy"].contains(suffix):
            throw DataError.missingFile(file: url.path, hint: "the data set given to --data")
        case (.regular, _):
            throw DataError.unknownSource(argument: argument, reason:
                "a file that is not .h5, .hdf5, .npz or .npy; pass the directory holding the IDX files instead")
        case (.missing, _):
            throw DataError.unknownSource(argument: argument, reason: "no such file or directory; \(kinds)")
        case (let status, _):
            throw DataError.unknownSource(argument: argument,
                                          reason: "\(status.problemAsInput ?? "a file of unknown kind"); \(kinds)")
        }
    }

    /// Loads one split.
    ///
    /// - Parameters:
    ///   - split: Training or test examples.
    ///   - normalization: How pixel bytes become floats; `[0, 1]` by default.
    ///   - names: The dataset names to read from an HDF5 file (ignored for the other kinds).
    /// - Throws: ``DataError`` (or ``ZipError`` for a damaged `.npz`) naming the file at fault.
    public func load(split: DataSplit, normalization: PixelNormalization = .unit,
                     names: HDF5DatasetNames = HDF5DatasetNames()) throws -> Dataset {
        switch self {
        case let .idxDirectory(directory):
            return try Dataset(idxDirectory: directory, split: split, normalization: normalization)
        case let .npyDirectory(directory):
            return try Dataset(npyDirectory: directory, split: split, normalization: normalization)
        case let .hdf5File(file):
            return try Dataset(hdf5File: file, split: split, names: names, normalization: normalization)
        case let .npzFile(file):
            return try Dataset(npzFile: file, split: split, normalization: normalization)
        case let .npyFiles(images, labels):
            return try Dataset(npyImages: images, labels: labels, normalization: normalization)
        }
    }

    /// The files a load reads that exist now.
    public var files: [String] {
        switch self {
        case let .idxDirectory(directory):
            return DataSplit.allCases.flatMap { split in
                [split.idxFileNames.images, split.idxFileNames.labels].compactMap { try? Dataset.locate($0, in: directory).path }
            }
        case let .npyDirectory(directory):
            return DataSplit.allCases.flatMap(Dataset.numPyNames).flatMap { [$0.images, $0.labels] }
                .map { directory.appendingPathComponent($0 + ".npy").path }
                .filter { FileManager.default.fileExists(atPath: $0) }
        case let .hdf5File(file), let .npzFile(file):
            return [file.path]
        case let .npyFiles(images, labels):
            return [images.path, labels.path]
        }
    }

    /// The directory or the (images) file.
    public var url: URL {
        switch self {
        case let .idxDirectory(url), let .npyDirectory(url), let .hdf5File(url), let .npzFile(url), let .npyFiles(url, _):
            return url
        }
    }

    /// The directory or file, e.g. `IDX directory data/mnist`.
    public var description: String {
        switch self {
        case let .idxDirectory(url): return "IDX directory \(url.path)"
        case let .npyDirectory(url): return "NumPy directory \(url.path)"
        case let .hdf5File(url): return "HDF5 file \(url.path)"
        case let .npzFile(url): return "NumPy archive \(url.path)"
        case let .npyFiles(images, labels): return "NumPy files \(images.path) and \(labels.path)"
        }
    }
}
