import Foundation
import HDF5
import TensorCore

/// The names of the image and label datasets in an HDF5 data file.
public struct HDF5DatasetNames: Equatable, Sendable {
    /// The images dataset: `[N, H, W]`, `[N, H, W, C]` or `[N, D]`, unsigned bytes or floats.
    public var images: String
    /// The labels dataset: `[N]` or `[N, 1]` class indices.
    public var labels: String

    /// Creates names; `x` and `y` by default, as Keras calls them.
    public init(images: String = "x", labels: String = "y") {
        self.images = images
        self.labels = labels
    }
}

extension Dataset {
    /// Loads one split from an HDF5 file.
    ///
    /// With the default names `x` and `y`, the split (`train` or `test`) is looked up in this order:
    /// 1. a group per split: `train/x` and `train/y`;
    /// 2. suffixed datasets at the root, as in Keras's `mnist.npz`: `x_train` and `y_train`;
    /// 3. `x` and `y` at the root: the file holds a single split and serves whichever is asked
    ///    for (keep training and test examples in two such files).
    ///
    /// Images are `[N, H, W]` (one channel), `[N, H, W, C]`, or `[N, D]` (read as `[N, 1, 1, D]`).
    /// `uint8` pixels are normalised as `normalization` says; float pixels are taken as already
    /// normalised and used as stored. Labels are `[N]` or `[N, 1]` integers (floats holding whole
    /// numbers are accepted), each a class index from 0.
    ///
    /// ```swift
    /// let test = try Dataset(hdf5File: URL(fileURLWithPath: "digits.h5"), split: .test)
    /// ```
    ///
    /// - Parameters:
    ///   - url: The HDF5 file.
    ///   - split: Which split to load.
    ///   - names: The image and label dataset names (`x`, `y` by default).
    ///   - normalization: How `uint8` pixels become floats; `[0, 1]` by default.
    ///   - limits: Bounds on what one dataset read may allocate.
    /// - Throws: ``DataError`` naming the file and dataset at fault.
    public init(hdf5File url: URL, split: DataSplit, names: HDF5DatasetNames = HDF5DatasetNames(),
                normalization: PixelNormalization = .unit,
                limits: HDF5Limits = .default) throws {
        let path = url.path
        do {
            let file = try HDF5File.open(path, limits: limits)
            defer { file.close() }
            let (x, y) = try Dataset.locateHDF5Pair(in: file, split: split, names: names)
            try self.init(hdf5Images: x, labels: y, normalization: normalization)
        } catch let error as HDF5Error {
            switch error.kind {
            case .fileNotFound:
                throw DataError.missingFile(file: path, hint: "the HDF5 file given as data")
            default:
                throw DataError.hdf5(file: error.file, field: error.object ?? "", reason: error.message)
            }
        }
    }

    /// Finds the image and label datasets of `split`, trying the three layouts in order.
    private static func locateHDF5Pair(in file: HDF5File, split: DataSplit,
                                       names: HDF5DatasetNames) throws -> (HDF5Dataset, HDF5Dataset) {
        let candidates = [
            ("\(split.rawValue)/\(names.images)", "\(split.rawValue)/\(names.labels)"),
            ("\(names.images)_\(split.rawValue)", "\(names.labels)_\(split.rawValue)"),
            (names.images, names.labels),
        ]
        for (x, y) in candidates where file.root.contains(x) || file.root.contains(y) {
            guard file.root.contains(x) else {
                throw DataError.hdf5(file: file.path, field: "/" + x, reason: "no such dataset (the labels /\(y) exist)")
            }
            guard file.root.contains(y) else {
                throw DataError.hdf5(file: file.path, field: "/" + y, reason: "no such dataset (the images /\(x) exist)")
            }
            return (try file.root.dataset(x), try file.root.dataset(y))
        }
        let tried = candidates.map { "\($0.0) and \($0.1)" }.joined(separator: ", ")
        throw DataError.hdf5(file: file.path, field: split.rawValue,
                             reason: "no image and label datasets found; looked for \(tried)")
    }

    /// Reads and checks a pair of open datasets.
    private init(hdf5Images x: HDF5Dataset, labels y: HDF5Dataset,
                 normalization: PixelNormalization) throws {
        let file = x.filePath
        let imagesField = "\(file): \(x.path)"
        let labelsField = "\(file): \(y.path)"

        // Shapes first: nothing is read until they agree.
        let shape = try Dataset.exampleShape(ofImages: x.shape, file: file, field: x.path)
        let labelCount = try Dataset.labelCount(ofShape: y.shape, file: file, field: y.path)
        try Dataset.checkCounts(images: shape[0], imagesFile: imagesField, labels: labelCount, labelsFile: labelsField)
        if shape[0] == 0 { throw DataError.empty(file: imagesField) }

        let scalars: [Float]
        switch x.elementType {
        case .uint8:
            scalars = normalization.apply(try x.read(as: UInt8.self))
        case .float16, .float32, .float64:
            scalars = try x.read(as: Float.self)
        default:
            throw DataError.unsupportedDataType(file: file, field: x.path, found: x.elementType.description,
                                                supported: "uint8 (normalised) or float16/32/64 (used as stored)")
        }

        let labels: [Int32]
        switch y.elementType {
        case .int8, .int16, .int32, .int64, .uint8, .uint16, .uint32:
            labels = try Dataset.checkedLabels(try y.read(as: Int64.self), file: labelsField)
        case .uint64:
            let raw = try y.read(as: UInt64.self)
            labels = try Dataset.checkedLabels(raw.lazy.map { Int64(clamping: $0) }, file: labelsField)
        case .float16, .float32, .float64:
            labels = try Dataset.checkedLabels(wholeNumbers: try y.read(as: Double.self), file: labelsField)
        default:
            throw DataError.unsupportedDataType(file: file, field: y.path, found: y.elementType.description,
                                                supported: "integer class indices")
        }
        self.init(images: Tensor(shape: shape, scalars: scalars), labels: labels, labelsFile: labelsField)
    }
}
