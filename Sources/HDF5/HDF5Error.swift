/// An error from reading or writing an HDF5 file, naming the file and the object involved.
///
/// The ``description`` is a single line meant for stderr, for example
/// `model.h5: /model_weights/dense/kernel: cannot read dataset`. When HDF5 itself reported a
/// reason, its most specific message is appended in parentheses.
///
/// ```swift
/// do {
///     let file = try HDF5File.open("model.h5")
///     _ = try file.root.dataset("missing")
/// } catch let error as HDF5Error {
///     print(error)             // model.h5: /missing: no such object
///     print(error.kind)        // notFound
/// }
/// ```
public struct HDF5Error: Error, CustomStringConvertible, Equatable, Sendable {
    /// What went wrong, for callers that react differently to different failures.
    public enum Kind: String, Equatable, Sendable {
        /// The file does not exist.
        case fileNotFound
        /// The file exists but is not an HDF5 file.
        case notHDF5
        /// The file could not be opened (unreadable, truncated, corrupt, a directory).
        case cannotOpen
        /// The file could not be created.
        case cannotCreate
        /// The named group, dataset or attribute does not exist.
        case notFound
        /// The object exists but is of another kind, or its elements cannot become the requested type.
        case typeMismatch
        /// The data claims more bytes than the limit allows or than the file can hold.
        case tooLarge
        /// The object uses a feature this wrapper refuses (external or virtual storage).
        case unsupported
        /// Reading failed inside HDF5.
        case readFailed
        /// Writing or creating an object failed inside HDF5.
        case writeFailed
        /// The caller passed inconsistent arguments (for example a shape that does not match the values).
        case invalidArgument
        /// The file or object was already closed.
        case closed
    }

    /// What went wrong.
    public let kind: Kind
    /// The file path as given to ``HDF5File/open(_:mode:limits:)`` or ``HDF5File/create(_:limits:format:)``.
    public let file: String
    /// The absolute path of the object inside the file (`/model_weights/dense`), if the error concerns one.
    public let object: String?
    /// A short human-readable explanation.
    public let message: String

    /// Creates an error; `object` is `nil` for errors about the file as a whole.
    public init(_ kind: Kind, file: String, object: String? = nil, message: String) {
        self.kind = kind
        self.file = file
        self.object = object
        self.message = message
    }

    /// One line: `file: object: message`, or `file: message` when no object is involved.
    public var description: String {
        [file, object, message].compactMap { $0 }.joined(separator: ": ")
    }
}
