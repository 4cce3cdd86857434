/// Why a zip archive could not be read or written: every case names the archive and, where it
/// helps, the entry, so the one-line ``description`` can be shown to the user as is.
///
/// ```swift
/// do {
///     let archive = try ZipArchive(contentsOf: URL(fileURLWithPath: "data.npz"))
/// } catch let error as ZipError {
///     print("error: \(error)")   // e.g. "data.npz: not a zip archive: no end-of-central-directory record"
/// }
/// ```
public enum ZipError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The structure of the archive is damaged: a record is truncated, out of bounds or inconsistent.
    case corrupt(archive: String, reason: String)
    /// The archive uses a feature this reader refuses (zip64, encryption, several disks, a method).
    case unsupported(archive: String, feature: String)
    /// No entry has this name.
    case missingEntry(archive: String, name: String)
    /// An entry's size (or the archive's) exceeds the limit given to the reader; nothing was allocated.
    case tooLarge(archive: String, entry: String, claimedBytes: Int, limitBytes: Int)
    /// An entry's data does not decompress to what its header describes (size or CRC-32).
    case badEntry(archive: String, entry: String, reason: String)
    /// An entry cannot be added to a ``ZipWriter`` (empty, duplicate or oversized name or data).
    case unwritable(entry: String, reason: String)

    /// A one-line message naming the archive and the entry.
    public var description: String {
        switch self {
        case let .corrupt(archive, reason):
            return "\(archive): corrupt zip archive: \(reason)"
        case let .unsupported(archive, feature):
            return "\(archive): unsupported zip archive: \(feature)"
        case let .missingEntry(archive, name):
            return "\(archive): the zip archive has no entry '\(name)'"
        case let .tooLarge(archive, entry, claimed, limit):
            return "\(archive): \(entry) claims \(claimed) bytes, over the limit of \(limit)"
        case let .badEntry(archive, entry, reason):
            return "\(archive): entry '\(entry)': \(reason)"
        case let .unwritable(entry, reason):
            return "cannot add zip entry '\(entry)': \(reason)"
        }
    }
}
