import Foundation
import TensorCore

extension Dataset {
    /// The names NumPy data uses, for the images and the labels of `split`: `x_train`/`y_train`
    /// (or `x_test`/`y_test`), else `x`/`y` serving both splits.
    static func numPyNames(_ split: DataSplit) -> [(images: String, labels: String)] {
        [("x_\(split.rawValue)", "y_\(split.rawValue)"), ("x", "y")]
    }

    /// Loads one split from a NumPy `.npz` archive (`np.savez` or `np.savez_compressed`).
    ///
    /// The arrays are `x_train` and `y_train` (or `x_test`, `y_test`), as in Keras's `mnist.npz`;
    /// an archive with just `x` and `y` holds a single split and serves whichever is asked for.
    /// Images and labels are read as ``init(numPyImages:labels:normalization:)`` says.
    ///
    /// ```swift
    /// let test = try Dataset(npzFile: URL(fileURLWithPath: "cifar100.npz"), split: .test)
    /// ```
    ///
    /// - Parameters:
    ///   - url: The `.npz` file.
    ///   - split: Which split to load.
    ///   - normalization: How `uint8` pixels become floats; `[0, 1]` by default.
    ///   - byteLimit: The largest archive, and the largest array once extracted.
    /// - Throws: ``DataError`` or ``ZipError`` naming the archive and the array at fault.
    public init(npzFile url: URL, split: DataSplit, normalization: PixelNormalization = .unit,
                byteLimit: Int = NumPyArray.defaultByteLimit) throws {
        let archive = try ZipArchive(contentsOf: url, byteLimit: byteLimit)
        let (x, y) = try Dataset.locateNumPyPair(split: split, in: url.path) { archive.entry(named: $0 + ".npy") != nil }
        func array(_ name: String) throws -> NumPyArray {
            try NumPyArray(bytes: archive.extract(named: name + ".npy", limit: byteLimit), file: "\(url.path): \(name)")
        }
        try self.init(numPyImages: array(x), labels: array(y), normalization: normalization)
    }

    /// Loads one split from a directory of `.npy` files: `x_train.npy` and `y_train.npy` (or
    /// `x_test.npy`, `y_test.npy`), else `x.npy` and `y.npy` serving both splits.
    ///
    /// - Throws: ``DataError`` naming the file at fault.
    public init(npyDirectory directory: URL, split: DataSplit, normalization: PixelNormalization = .unit,
                byteLimit: Int = NumPyArray.defaultByteLimit) throws {
        let (x, y) = try Dataset.locateNumPyPair(split: split, in: directory.path) {
            FileManager.default.fileExists(atPath: directory.appendingPathComponent($0 + ".npy").path)
        }
        try self.init(npyImages: directory.appendingPathComponent(x + ".npy"),
                      labels: directory.appendingPathComponent(y + ".npy"), normalization: normalization, byteLimit: byteLimit)
    }

    /// Loads images and labels from two `.npy` files (`np.save`).
    ///
    /// - Throws: ``DataError`` naming the file at fault.
    public init(npyImages imagesURL: URL, labels labelsURL: URL, normalization: PixelNormalization = .unit,
                byteLimit: Int = NumPyArray.defaultByteLimit) throws {
        func array(_ url: URL) throws -> NumPyArray {
            let reader = try FileByteReader(url: url, missingHint: "expected a NumPy .npy file")
            let size = reader.knownTotalBytes ?? 0
            guard size <= byteLimit else {
                throw DataError.tooLarge(file: url.path, field: "the file", claimedBytes: String(size), limitBytes: byteLimit)
            }
            return try NumPyArray(bytes: reader.readToEnd(), file: url.path)
        }
        try self.init(numPyImages: array(imagesURL), labels: array(labelsURL), normalization: normalization)
    }

    /// A data set from NumPy arrays.
    ///
    /// Images are `[N, H, W]` (one channel), `[N, H, W, C]` or `[N, D]` (read as `[N, 1, 1, D]`):
    /// `uint8` pixels are normalised as `normalization` says, float32 and float64 pixels are taken
    /// as already normalised and used as stored. Labels are `[N]` or `[N, 1]` class indices of any
    /// integer type (or floats holding whole numbers), each from 0.
    ///
    /// - Throws: ``DataError`` naming the array at fault.
    public init(numPyImages x: NumPyArray, labels y: NumPyArray, normalization: PixelNormalization = .unit) throws {
        let shape = try Dataset.exampleShape(ofImages: x.shape, file: x.file, field: "images")
        let labelCount = try Dataset.labelCount(ofShape: y.shape, file: y.file, field: "labels")
        try Dataset.checkCounts(images: shape[0], imagesFile: x.file, labels: labelCount, labelsFile: y.file)
        if shape[0] == 0 { throw DataError.empty(file: x.file) }
        let scalars: [Float]
        switch x.elementType {
        case .uint8: scalars = normalization.apply(x.bytes())
        case .float32, .float64: scalars = x.floats()
        default:
            throw DataError.unsupportedDataType(file: x.file, field: "images", found: x.elementType.description,
                                                supported: "uint8 (normalised) or float32/float64 (used as stored)")
        }
        let labels = try Dataset.checkedLabels(wholeNumbers: y.doubles(), file: y.file)
        self.init(images: Tensor(shape: shape, scalars: scalars), labels: labels, labelsFile: y.file)
    }

    /// The image and label array names of `split` in `container`, whose arrays `exists` tells.
    private static func locateNumPyPair(split: DataSplit, in container: String,
                                        exists: (String) -> Bool) throws -> (String, String) {
        for (x, y) in numPyNames(split) where exists(x) || exists(y) {
            guard exists(x) else { throw DataError.missingFile(file: "\(container): \(x).npy", hint: "the images beside \(y).npy") }
            guard exists(y) else { throw DataError.missingFile(file: "\(container): \(y).npy", hint: "the labels beside \(x).npy") }
            return (x, y)
        }
        let tried = numPyNames(split).map { "\($0.images).npy and \($0.labels).npy" }.joined(separator: ", or ")
        throw DataError.missingFile(file: container, hint: "no arrays for the \(split.rawValue) split; expected \(tried)")
    }
}
