import Foundation

/// Where a data set comes from: the value of `--data`.
///
/// `mnist` and `fashion-mnist` name IDX directories under `data/` (fetched by
/// `Scripts/fetch-mnist.sh` and `Scripts/fetch-fashion-mnist.sh`); any other argument is a
/// directory of IDX files or an HDF5 file ending in `.h5` or `.hdf5`.
///
/// ```swift
/// let source = try DataSource(argument: "mnist")
/// let test = try source.load(split: .test)
/// ```
public enum DataSource: Equatable, Sendable, CustomStringConvertible {
    /// A directory with the canonical MNIST IDX file names.
    case idxDirectory(URL)
    /// An HDF5 file with `x` and `y` datasets; see ``Dataset/init(hdf5File:split:names:normalization:classCount:limits:)``.
    case hdf5File(URL)

    /// The data sets known by name: their directory under the current directory and their fetch script.
    public static let namedDataSets: [String: (directory: String, fetchScript: String)] = [
        "mnist": ("data/mnist", "Scripts/fetch-mnist.sh"),
        "fashion-mnist": ("data/fashion-mnist", "Scripts/fetch-fashion-mnist.sh"),
    ]

    /// Resolves a `--data` argument.
    ///
    /// - Parameters:
    ///   - argument: `mnist`, `fashion-mnist`, a directory of IDX files or an `.h5`/`.hdf5` file.
    ///   - currentDirectory: The directory relative paths (and `data/`) are resolved against.
    /// - Throws: ``DataError`` when a named data set has not been fetched, or the path is missing or
    ///   of the wrong kind.
    public init(argument: String,
                currentDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)) throws {
        func resolve(_ path: String) -> URL {
            path.hasPrefix("/") ? URL(fileURLWithPath: path)
                : currentDirectory.appendingPathComponent(path)
        }
        if let named = DataSource.namedDataSets[argument] {
            let directory = resolve(named.directory)
            for split in DataSplit.allCases {
                let names = split.idxFileNames
                for name in [names.images, names.labels] {
                    guard (try? Dataset.locate(name, in: directory)) != nil else {
                        throw DataError.missingFile(
                            file: directory.appendingPathComponent(name).path,
                            hint: "\(argument) is not downloaded; run \(named.fetchScript)")
                    }
                }
            }
            self = .idxDirectory(directory)
            return
        }
        let url = resolve(argument)
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory)
        let isHDF5 = ["h5", "hdf5"].contains(url.pathExtension.lowercased())
        switch (exists, isDirectory.boolValue, isHDF5) {
        case (true, true, _):
            self = .idxDirectory(url)
        case (true, false, true):
            self = .hdf5File(url)
        case (false, _, true):
            throw DataError.missingFile(file: url.path, hint: "the HDF5 file given to --data")
        case (true, false, false):
            throw DataError.unknownSource(
                argument: argument,
                reason: "a file that is not .h5 or .hdf5; pass the directory holding the IDX files instead")
        case (false, _, false):
            throw DataError.unknownSource(
                argument: argument,
                reason: "no such file or directory; expected mnist, fashion-mnist, a directory of IDX files or an .h5/.hdf5 file")
        }
    }

    /// Loads one split.
    ///
    /// - Parameters:
    ///   - split: Training or test examples.
    ///   - normalization: How pixel bytes become floats; `[0, 1]` by default.
    ///   - classCount: The number of classes; every label must lie below it.
    ///   - names: The dataset names to read from an HDF5 file (ignored for IDX).
    /// - Throws: ``DataError`` naming the file at fault.
    public func load(split: DataSplit, normalization: PixelNormalization = .unit,
                     classCount: Int = Dataset.defaultClassCount,
                     names: HDF5DatasetNames = HDF5DatasetNames()) throws -> Dataset {
        switch self {
        case let .idxDirectory(directory):
            return try Dataset(idxDirectory: directory, split: split, normalization: normalization,
                               classCount: classCount)
        case let .hdf5File(file):
            return try Dataset(hdf5File: file, split: split, names: names, normalization: normalization,
                               classCount: classCount)
        }
    }

    /// The files a load reads that exist now: the IDX files of both splits, or the HDF5 file.
    public var files: [String] {
        switch self {
        case let .idxDirectory(directory):
            return DataSplit.allCases.flatMap { split in
                [split.idxFileNames.images, split.idxFileNames.labels].compactMap { try? Dataset.locate($0, in: directory).path }
            }
        case let .hdf5File(file):
            return [file.path]
        }
    }

    /// The directory or the file.
    public var url: URL {
        switch self {
        case let .idxDirectory(url), let .hdf5File(url): return url
        }
    }

    /// The directory or file, e.g. `IDX directory data/mnist`.
    public var description: String {
        switch self {
        case let .idxDirectory(url): return "IDX directory \(url.path)"
        case let .hdf5File(url): return "HDF5 file \(url.path)"
        }
    }
}
