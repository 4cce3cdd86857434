import Foundation
import TensorCore

/// Which part of a data set: the training examples or the held-out test examples.
public enum DataSplit: String, CaseIterable, Sendable {
    case train
    case test

    /// The canonical IDX file names of this split: `train-…` or `t10k-…`.
    public var idxFileNames: (images: String, labels: String) {
        switch self {
        case .train: return ("train-images-idx3-ubyte", "train-labels-idx1-ubyte")
        case .test: return ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
        }
    }
}

/// A labelled image set: images as an `[N, H, W, C]` float tensor (NHWC) and one class per image.
///
/// Loaded from IDX files (MNIST, Fashion-MNIST) or from an HDF5 file; every loader checks that the
/// image and label counts agree and that each label lies in `0..<classCount`, and names the file
/// and index when they don't.
///
/// ```swift
/// let test = try Dataset(idxDirectory: URL(fileURLWithPath: "data/mnist"), split: .test)
/// print(test.images.shape)   // [10000, 28, 28, 1]
/// ```
public struct Dataset: Sendable {
    /// The number of classes of MNIST and Fashion-MNIST.
    public static let defaultClassCount = 10

    /// The images, `[N, H, W, C]`, normalised as the loader was asked.
    public let images: Tensor
    /// The class of each image, in `0..<classCount`.
    public let labels: [Int32]
    /// The number of classes; labels lie below it.
    public let classCount: Int

    /// The number of examples, `N`.
    public var count: Int { labels.count }
    /// The shape of one image, `[H, W, C]`.
    public var imageShape: [Int] { Array(images.shape.dropFirst()) }

    /// Creates a data set from images `[N, H, W, C]` and `N` labels in `0..<classCount`.
    ///
    /// The arguments are checked with preconditions; data from files goes through the throwing
    /// loaders instead.
    public init(images: Tensor, labels: [Int32], classCount: Int = Dataset.defaultClassCount) {
        precondition(images.rank == 4 && !images.shape.dropFirst().contains(0),
                     "Dataset: images must be [N, H, W, C] with positive H, W, C, got \(images.shape)")
        precondition(images.shape[0] == labels.count,
                     "Dataset: \(images.shape[0]) images but \(labels.count) labels")
        precondition(classCount > 0, "Dataset: class count must be positive")
        precondition(labels.allSatisfy { $0 >= 0 && Int($0) < classCount },
                     "Dataset: labels must lie in 0..<\(classCount)")
        self.images = images
        self.labels = labels
        self.classCount = classCount
    }

    /// Loads one split of an IDX directory with the canonical MNIST file names.
    ///
    /// The files are `train-images-idx3-ubyte` and `train-labels-idx1-ubyte` for ``DataSplit/train``,
    /// `t10k-…` for ``DataSplit/test``, each plain or gzip, with or without a `.gz` suffix
    /// (`train-images.idx3-ubyte`, as some mirrors spell it, is found too).
    ///
    /// - Parameters:
    ///   - directory: The directory holding the files.
    ///   - split: Which split to load.
    ///   - normalization: How pixel bytes become floats; `[0, 1]` by default.
    ///   - classCount: The number of classes; every label must lie below it.
    ///   - byteLimit: The most element bytes one file's header may claim.
    /// - Throws: ``DataError`` naming the file: missing, corrupt, mismatched counts or a label out of range.
    public init(idxDirectory directory: URL, split: DataSplit,
                normalization: PixelNormalization = .unit,
                classCount: Int = Dataset.defaultClassCount,
                byteLimit: Int = IDXFile.defaultByteLimit) throws {
        let names = split.idxFileNames
        try self.init(idxImages: Dataset.locate(names.images, in: directory),
                      labels: Dataset.locate(names.labels, in: directory),
                      normalization: normalization, classCount: classCount, byteLimit: byteLimit)
    }

    /// Loads an image IDX file (`0x00000803`, `[N, H, W]`) and a label IDX file (`0x00000801`, `[N]`).
    ///
    /// - Throws: ``DataError`` naming the file and field or index at fault.
    public init(idxImages imagesURL: URL, labels labelsURL: URL,
                normalization: PixelNormalization = .unit,
                classCount: Int = Dataset.defaultClassCount,
                byteLimit: Int = IDXFile.defaultByteLimit) throws {
        precondition(classCount > 0, "Dataset: class count must be positive")
        let labelFile = try IDXFile(contentsOf: labelsURL, byteLimit: byteLimit)
        guard labelFile.magic == IDXFile.labelMagic else {
            throw DataError.wrongMagic(file: labelFile.file, found: labelFile.magic,
                                       expected: "0x00000801 (unsigned-byte labels, rank 1)")
        }
        let imageFile = try IDXFile(contentsOf: imagesURL, byteLimit: byteLimit)
        guard imageFile.magic == IDXFile.imageMagic else {
            throw DataError.wrongMagic(file: imageFile.file, found: imageFile.magic,
                                       expected: "0x00000803 (unsigned-byte images, rank 3)")
        }
        let shape = imageFile.dimensions + [1]
        try Dataset.checkImageShape(shape, file: imageFile.file, field: "images")
        try Dataset.checkCounts(images: shape[0], imagesFile: imageFile.file,
                                labels: labelFile.dimensions[0], labelsFile: labelFile.file)
        let labels = try Dataset.checkedLabels(labelFile.bytes.lazy.map { Int64($0) },
                                               file: labelFile.file, classCount: classCount)
        self.init(images: Tensor(shape: shape, scalars: normalization.apply(imageFile.bytes)),
                  labels: labels, classCount: classCount)
    }

    /// The first `n` examples (all of them when `n >= count`).
    public func prefix(_ n: Int) -> Dataset {
        precondition(n >= 0, "Dataset: prefix length must not be negative")
        let kept = min(n, count)
        let perImage = imageShape.reduce(1, *)
        return Dataset(images: Tensor(shape: [kept] + imageShape,
                                      scalars: Array(images.scalars[0..<kept * perImage])),
                       labels: Array(labels[0..<kept]), classCount: classCount)
    }

    // MARK: - Checks shared by the loaders

    /// The first existing spelling of `name` in `directory`, plain or `.gz`.
    static func locate(_ name: String, in directory: URL) throws -> URL {
        let dotted = name.replacingOccurrences(of: "-idx", with: ".idx")
        for candidate in [name, name + ".gz", dotted, dotted + ".gz"] {
            let url = directory.appendingPathComponent(candidate)
            if FileManager.default.fileExists(atPath: url.path) { return url }
        }
        throw DataError.missingFile(file: directory.appendingPathComponent(name).path,
                                    hint: "expected \(name) or \(name).gz in \(directory.path)")
    }

    /// Requires `[N, H, W, C]` with `N, H, W, C > 0`.
    static func checkImageShape(_ shape: [Int], file: String, field: String) throws {
        guard shape.count == 4, shape.dropFirst().allSatisfy({ $0 > 0 }) else {
            throw DataError.badShape(file: file, field: field, shape: shape,
                                     expected: "images [N, H, W] or [N, H, W, C] with positive sizes")
        }
        guard shape[0] > 0 else { throw DataError.empty(file: file) }
    }

    /// Requires as many labels as images.
    static func checkCounts(images: Int, imagesFile: String, labels: Int, labelsFile: String) throws {
        guard images == labels else {
            throw DataError.countMismatch(imagesFile: imagesFile, imageCount: images,
                                          labelsFile: labelsFile, labelCount: labels)
        }
    }

    /// The labels as `Int32`, or an error naming the first one outside `0..<classCount`.
    static func checkedLabels<S: Sequence<Int64>>(_ values: S, file: String, classCount: Int) throws -> [Int32] {
        var labels: [Int32] = []
        labels.reserveCapacity(values.underestimatedCount)
        for (index, value) in values.enumerated() {
            guard value >= 0 && value < Int64(classCount) else {
                throw DataError.labelOutOfRange(file: file, index: index, label: value, classCount: classCount)
            }
            labels.append(Int32(value))
        }
        return labels
    }
}
