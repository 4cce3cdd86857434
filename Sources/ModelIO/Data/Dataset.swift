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
/// Loaded from IDX files (MNIST, Fashion-MNIST), an HDF5 file or NumPy `.npy`/`.npz` files; every
/// loader checks that the image and label counts agree and that each label is a class index (a
/// whole number from 0), and names the file and index when they don't. Labels may be of any count:
/// the model decides how many classes there are, and ``checkLabels(below:)`` says which label it
/// has no output for.
///
/// ```swift
/// let test = try Dataset(idxDirectory: URL(fileURLWithPath: "data/mnist"), split: .test)
/// print(test.images.shape)   // [10000, 28, 28, 1]
/// ```
public struct Dataset: Sendable {
    /// The images, `[N, H, W, C]`, normalised as the loader was asked.
    public let images: Tensor
    /// The class of each image, from 0.
    public let labels: [Int32]
    /// The number of classes: one more than the largest label unless given when created.
    public let classCount: Int
    /// Where the labels came from, as errors name it: a file (and dataset), or `<memory>`.
    public let labelsFile: String

    /// The number of examples, `N`.
    public var count: Int { labels.count }
    /// The shape of one image, `[H, W, C]`.
    public var imageShape: [Int] { Array(images.shape.dropFirst()) }

    /// Creates a data set from images `[N, H, W, C]` and `N` labels in `0..<classCount`.
    ///
    /// The arguments are checked with preconditions; data from files goes through the throwing
    /// loaders instead.
    ///
    /// - Parameters:
    ///   - classCount: The number of classes; one more than the largest label when nil.
    ///   - labelsFile: Where the labels came from, for errors.
    public init(images: Tensor, labels: [Int32], classCount: Int? = nil, labelsFile: String = "<memory>") {
        precondition(images.rank == 4 && !images.shape.dropFirst().contains(0),
                     "Dataset: images must be [N, H, W, C] with positive H, W, C, got \(images.shape)")
        precondition(images.shape[0] == labels.count,
                     "Dataset: \(images.shape[0]) images but \(labels.count) labels")
        let classes = classCount ?? Int(labels.max() ?? 0) + 1
        precondition(classes > 0, "Dataset: class count must be positive")
        precondition(labels.allSatisfy { $0 >= 0 && Int($0) < classes },
                     "Dataset: labels must lie in 0..<\(classes)")
        self.images = images
        self.labels = labels
        self.classCount = classes
        self.labelsFile = labelsFile
    }

    /// Throws unless every label is below `outputs`, the number of classes a model tells apart.
    ///
    /// - Throws: ``DataError/labelOutOfRange(file:index:label:classCount:)`` naming ``labelsFile``
    ///   and the first label's index.
    public func checkLabels(below outputs: Int) throws {
        if let index = labels.firstIndex(where: { Int($0) >= outputs }) {
            throw DataError.labelOutOfRange(file: labelsFile, index: index, label: Int64(labels[index]), classCount: outputs)
        }
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
    ///   - byteLimit: The most element bytes one file's header may claim.
    /// - Throws: ``DataError`` naming the file: missing, corrupt or mismatched counts.
    public init(idxDirectory directory: URL, split: DataSplit,
                normalization: PixelNormalization = .unit,
                byteLimit: Int = IDXFile.defaultByteLimit) throws {
        let names = split.idxFileNames
        try self.init(idxImages: Dataset.locate(names.images, in: directory),
                      labels: Dataset.locate(names.labels, in: directory),
                      normalization: normalization, byteLimit: byteLimit)
    }

    /// Loads an image IDX file (`0x00000803`, `[N, H, W]`) and a label IDX file (`[N]`: `0x00000801`,
    /// bytes, or `0x00000C01`, 32-bit integers for more than 256 classes).
    ///
    /// - Throws: ``DataError`` naming the file and field or index at fault.
    public init(idxImages imagesURL: URL, labels labelsURL: URL,
                normalization: PixelNormalization = .unit,
                byteLimit: Int = IDXFile.defaultByteLimit) throws {
        let labelFile = try IDXFile(contentsOf: labelsURL, byteLimit: byteLimit)
        guard labelFile.magic == IDXFile.labelMagic || labelFile.magic == IDXFile.wideLabelMagic else {
            throw DataError.wrongMagic(file: labelFile.file, found: labelFile.magic,
                                       expected: "0x00000801 (unsigned-byte labels, rank 1) or 0x00000c01 (32-bit labels, rank 1)")
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
        self.init(images: Tensor(shape: shape, scalars: normalization.apply(imageFile.bytes)),
                  labels: try Dataset.checkedLabels(labelFile.integers, file: labelFile.file), labelsFile: labelFile.file)
    }

    /// The first `n` examples (all of them when `n >= count`).
    public func prefix(_ n: Int) -> Dataset {
        precondition(n >= 0, "Dataset: prefix length must not be negative")
        let kept = min(n, count)
        let perImage = imageShape.reduce(1, *)
        return Dataset(images: Tensor(shape: [kept] + imageShape,
                                      scalars: Array(images.scalars[0..<kept * perImage])),
                       labels: Array(labels[0..<kept]), classCount: classCount, labelsFile: labelsFile)
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

    /// The `[N, H, W, C]` shape of stored images `[N, H, W]` (one channel), `[N, H, W, C]` or
    /// `[N, D]` (read as `[N, 1, 1, D]`), checked to have positive example sizes.
    static func exampleShape(ofImages shape: [Int], file: String, field: String) throws -> [Int] {
        let expected = "images [N, H, W], [N, H, W, C] or [N, D] with positive sizes"
        let nhwc: [Int]
        switch shape.count {
        case 2: nhwc = [shape[0], 1, 1, shape[1]]
        case 3: nhwc = shape + [1]
        case 4: nhwc = shape
        default: throw DataError.badShape(file: file, field: field, shape: shape, expected: expected)
        }
        guard !nhwc.dropFirst().contains(0) else {
            throw DataError.badShape(file: file, field: field, shape: shape, expected: expected)
        }
        return nhwc
    }

    /// Requires labels of shape `[N]` or `[N, 1]`; returns `N`.
    static func labelCount(ofShape shape: [Int], file: String, field: String) throws -> Int {
        guard shape.count == 1 || (shape.count == 2 && shape[1] == 1) else {
            throw DataError.badShape(file: file, field: field, shape: shape, expected: "[N] or [N, 1] class indices")
        }
        return shape[0]
    }

    /// Requires as many labels as images.
    static func checkCounts(images: Int, imagesFile: String, labels: Int, labelsFile: String) throws {
        guard images == labels else {
            throw DataError.countMismatch(imagesFile: imagesFile, imageCount: images,
                                          labelsFile: labelsFile, labelCount: labels)
        }
    }

    /// The labels as `Int32`, or an error naming the first one that is not a class index.
    static func checkedLabels<S: Sequence<Int64>>(_ values: S, file: String) throws -> [Int32] {
        var labels: [Int32] = []
        labels.reserveCapacity(values.underestimatedCount)
        for (index, value) in values.enumerated() {
            guard value >= 0 && value <= Int64(Int32.max) else {
                throw DataError.invalidLabel(file: file, index: index, value: String(value))
            }
            labels.append(Int32(value))
        }
        return labels
    }

    /// Labels stored as floats: each must be a whole number from 0.
    static func checkedLabels(wholeNumbers values: [Double], file: String) throws -> [Int32] {
        if let index = values.firstIndex(where: { !($0 >= 0 && $0 <= Double(Int32.max) && $0 == $0.rounded()) }) {
            throw DataError.invalidLabel(file: file, index: index, value: "\(values[index])")
        }
        return values.map { Int32($0) }
    }
}
