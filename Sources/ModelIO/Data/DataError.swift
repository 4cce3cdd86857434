/// Why a data set could not be loaded: a missing, unreadable, corrupt or mismatched file.
///
/// Every case names the file (and, where it helps, the field or index) so the one-line
/// ``description`` can be shown to the user as is.
///
/// ```swift
/// do {
///     let train = try Dataset(idxDirectory: url, split: .train)
/// } catch let error as DataError {
///     print("error: \(error)")   // e.g. "data/mnist/train-labels-idx1-ubyte: label -1 at index 5 is not a class index (a whole number from 0)"
/// }
/// ```
public enum DataError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file does not exist; `hint` says what was expected or how to get it.
    case missingFile(file: String, hint: String)
    /// The file exists but could not be read.
    case unreadable(file: String, reason: String)
    /// The first four bytes are not the magic number the format (or the role of the file) requires.
    case wrongMagic(file: String, found: UInt32, expected: String)
    /// The element type of `field` (`element` for IDX, a dataset path for HDF5) is not supported.
    case unsupportedDataType(file: String, field: String, found: String, supported: String)
    /// The file ends before the data its header describes.
    case truncated(file: String, expectedBytes: Int, actualBytes: Int)
    /// The file holds more bytes than its header describes.
    case trailingBytes(file: String, expectedBytes: Int)
    /// A size claimed by the header overflows or exceeds the reader's limit; nothing was allocated.
    /// `field` says what is too large, `claimedBytes` how large it claims to be.
    case tooLarge(file: String, field: String, claimedBytes: String, limitBytes: Int)
    /// The gzip stream is damaged.
    case corruptCompression(file: String, reason: String)
    /// A field has a shape the data set cannot use.
    case badShape(file: String, field: String, shape: [Int], expected: String)
    /// The images and the labels do not hold the same number of examples.
    case countMismatch(imagesFile: String, imageCount: Int, labelsFile: String, labelCount: Int)
    /// A label is not below the number of classes the model outputs (`classCount`).
    case labelOutOfRange(file: String, index: Int, label: Int64, classCount: Int)
    /// A label is not a class index: negative, fractional, not finite or beyond 32 bits.
    case invalidLabel(file: String, index: Int, value: String)
    /// The file holds no examples.
    case empty(file: String)
    /// A `--data` argument that names no known data set, directory or HDF5 file.
    case unknownSource(argument: String, reason: String)
    /// An HDF5 file or dataset (`field`, empty for the whole file) could not be used.
    case hdf5(file: String, field: String, reason: String)

    /// A one-line message that names the file and the field.
    public var description: String {
        switch self {
        case let .missingFile(file, hint):
            return "\(file): no such file (\(hint))"
        case let .unreadable(file, reason):
            return "\(file): cannot read: \(reason)"
        case let .wrongMagic(file, found, expected):
            return "\(file): wrong magic number \(DataError.hex(found)), expected \(expected)"
        case let .unsupportedDataType(file, field, found, supported):
            return "\(file): unsupported \(field) type \(found); supported: \(supported)"
        case let .truncated(file, expected, actual):
            return "\(file): truncated: the header describes \(expected) bytes but the file holds \(actual)"
        case let .trailingBytes(file, expected):
            return "\(file): corrupt: more bytes than the \(expected) its header describes"
        case let .tooLarge(file, field, claimed, limit):
            return "\(file): \(field) is \(claimed) bytes, over the limit of \(limit)"
        case let .corruptCompression(file, reason):
            return "\(file): corrupt gzip data: \(reason)"
        case let .badShape(file, field, shape, expected):
            return "\(file): \(field) has shape \(shape), expected \(expected)"
        case let .countMismatch(imagesFile, imageCount, labelsFile, labelCount):
            return "\(imagesFile) holds \(imageCount) images but \(labelsFile) holds \(labelCount) labels"
        case let .labelOutOfRange(file, index, label, classCount):
            return "\(file): label \(label) at index \(index) is not below the model's \(classCount) outputs (classes 0..<\(classCount))"
        case let .invalidLabel(file, index, value):
            return "\(file): label \(value) at index \(index) is not a class index (a whole number from 0)"
        case let .empty(file):
            return "\(file): holds no examples"
        case let .unknownSource(argument, reason):
            return "--data \(argument): \(reason)"
        case let .hdf5(file, field, reason):
            return field.isEmpty ? "\(file): \(reason)" : "\(file): \(field): \(reason)"
        }
    }

    /// `value` as `0x` and eight hex digits, e.g. `0x00000801`.
    static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }
}
