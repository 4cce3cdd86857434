import Foundation

/// A zip archive read into memory: its entries listed from the central directory, each extracted
/// on demand with a size limit and its CRC-32 checked. Holds `.npz` arrays and Keras 3 `.keras` models.
///
/// The reader is written for hostile input: every offset and length is bounds-checked against the
/// bytes really present, an entry's claimed size is checked against the caller's limit and against
/// the most deflate can expand its compressed bytes before anything is allocated for it (zip bombs
/// fail early), and a stream that yields more or fewer bytes than claimed is an error. Zip64,
/// encryption, archives split over several disks and methods other than stored (0) and deflated (8)
/// are refused with a ``ZipError/unsupported(archive:feature:)`` naming the feature.
///
/// Sizes are taken from the central directory; the local header only locates the data (writers
/// such as Python's `zipfile` put placeholder sizes there).
///
/// ```swift
/// let archive = try ZipArchive(contentsOf: URL(fileURLWithPath: "data.npz"))
/// print(archive.entries.map(\.name))              // ["x.npy", "y.npy"]
/// let x = try archive.extract(named: "x.npy", limit: 1 << 30)
/// ```
public struct ZipArchive: Sendable {
    /// One file in the archive, as its central directory record describes it.
    public struct Entry: Sendable, Equatable {
        /// The entry's path inside the archive, e.g. `model.weights.h5`.
        public var name: String
        public var method: ZipCompressionMethod
        /// The size of the stored data.
        public var compressedSize: Int
        /// The size of the data once extracted.
        public var uncompressedSize: Int
        /// The CRC-32 of the extracted data.
        public var crc32: UInt32
        /// Where the entry's local header starts in the archive.
        var localHeaderOffset: Int
    }

    /// The default limit on the archive read by ``init(contentsOf:byteLimit:)``: 4 GiB.
    public static let defaultByteLimit = 1 << 32
    /// Deflate cannot expand data by more than about 1032 to 1; a larger claimed ratio is a lie.
    static let maximumDeflateRatio = 1032

    /// The archive's name in errors.
    public let file: String
    /// The entries in central directory order.
    public let entries: [Entry]
    private let bytes: [UInt8]

    /// Reads the archive in `bytes`; `file` names it in errors.
    ///
    /// - Throws: ``ZipError`` when the central directory is missing, damaged or uses a refused feature.
    public init(bytes: [UInt8], file: String = "<memory>") throws {
        self.bytes = bytes
        self.file = file
        entries = try ZipArchive.readCentralDirectory(bytes, file: file)
    }

    /// Reads the archive at `url`.
    ///
    /// - Parameters:
    ///   - url: A regular file.
    ///   - byteLimit: The largest archive read into memory.
    /// - Throws: ``ZipError`` (``DataError`` when the file is missing or unreadable).
    public init(contentsOf url: URL, byteLimit: Int = ZipArchive.defaultByteLimit) throws {
        let reader = try FileByteReader(url: url, missingHint: "expected a zip archive")
        let size = reader.knownTotalBytes ?? 0
        guard size <= byteLimit else {
            throw ZipError.tooLarge(archive: url.path, entry: "the archive", claimedBytes: size, limitBytes: byteLimit)
        }
        try self.init(bytes: reader.readToEnd(), file: url.path)
    }

    /// The entry called `name`, if any.
    public func entry(named name: String) -> Entry? {
        entries.first { $0.name == name }
    }

    /// The extracted bytes of the entry called `name`.
    ///
    /// - Throws: ``ZipError/missingEntry(archive:name:)`` or the errors of ``extract(_:limit:)``.
    public func extract(named name: String, limit: Int) throws -> [UInt8] {
        guard let entry = entry(named: name) else { throw ZipError.missingEntry(archive: file, name: name) }
        return try extract(entry, limit: limit)
    }

    /// The extracted bytes of `entry`, checked against its size and CRC-32.
    ///
    /// - Parameters:
    ///   - entry: One of ``entries``.
    ///   - limit: The largest extracted size accepted; nothing larger is allocated.
    /// - Throws: ``ZipError`` when the entry is over the limit, its local header is damaged, or its
    ///   data does not match its size or CRC-32.
    public func extract(_ entry: Entry, limit: Int) throws -> [UInt8] {
        guard entry.uncompressedSize <= limit else {
            throw ZipError.tooLarge(archive: file, entry: "entry '\(entry.name)'", claimedBytes: entry.uncompressedSize,
                                    limitBytes: limit)
        }
        let data = try dataRange(of: entry)
        let compressed = bytes[data]
        let extracted: [UInt8]
        switch entry.method {
        case .stored:
            guard entry.compressedSize == entry.uncompressedSize else {
                throw ZipError.badEntry(archive: file, entry: entry.name, reason:
                    "stored with \(entry.compressedSize) bytes but claims \(entry.uncompressedSize) extracted")
            }
            extracted = Array(compressed)
        case .deflated:
            let (ceiling, overflow) = entry.compressedSize.multipliedReportingOverflow(by: ZipArchive.maximumDeflateRatio)
            guard overflow || entry.uncompressedSize <= ceiling + 64 else {
                throw ZipError.badEntry(archive: file, entry: entry.name, reason:
                    "claims \(entry.uncompressedSize) bytes from \(entry.compressedSize) compressed, more than deflate can expand")
            }
            do {
                extracted = try RawDeflate.inflate(compressed, expectedSize: entry.uncompressedSize)
            } catch {
                throw ZipError.badEntry(archive: file, entry: entry.name, reason: error.reason)
            }
        }
        let crc = RawDeflate.crc32(extracted[...])
        guard crc == entry.crc32 else {
            throw ZipError.badEntry(archive: file, entry: entry.name, reason:
                "CRC-32 \(DataError.hex(crc)) does not match the \(DataError.hex(entry.crc32)) recorded")
        }
        return extracted
    }

    // MARK: - Records

    private static let endRecordSignature: UInt32 = 0x0605_4B50
    private static let endRecordSize = 22
    private static let zip64LocatorSignature: UInt32 = 0x0706_4B50
    private static let centralRecordSignature: UInt32 = 0x0201_4B50
    private static let centralRecordSize = 46
    private static let localHeaderSignature: UInt32 = 0x0403_4B50
    private static let localHeaderSize = 30

    /// Finds the end-of-central-directory record (the last one whose comment ends the file) and
    /// reads every central directory record it points to.
    private static func readCentralDirectory(_ bytes: [UInt8], file: String) throws -> [Entry] {
        func corrupt(_ reason: String) -> ZipError { .corrupt(archive: file, reason: reason) }
        func unsupported(_ feature: String) -> ZipError { .unsupported(archive: file, feature: feature) }
        let reader = LittleEndianBytes(bytes)
        guard bytes.count >= endRecordSize else { throw corrupt("\(bytes.count) bytes, too short for a zip archive") }
        let lowest = max(0, bytes.count - endRecordSize - Int(UInt16.max))
        var end: Int?
        for candidate in stride(from: bytes.count - endRecordSize, through: lowest, by: -1)
        where reader.uint32(at: candidate) == endRecordSignature
            && candidate + endRecordSize + Int(reader.uint16(at: candidate + 20)!) == bytes.count {
            end = candidate
            break
        }
        guard let end else { throw corrupt("no end-of-central-directory record (not a zip archive?)") }
        if end >= 20, reader.uint32(at: end - 20) == zip64LocatorSignature {
            throw unsupported("zip64 (an archive over 4 GiB or 65,535 entries)")
        }
        let field = { (offset: Int) in Int(reader.uint16(at: end + offset)!) }
        guard field(4) == 0, field(6) == 0, field(8) == field(10) else {
            throw unsupported("an archive split over several disks")
        }
        let count = field(10)
        let directorySize = Int(reader.uint32(at: end + 12)!)
        let directoryOffset = Int(reader.uint32(at: end + 16)!)
        if count == 0xFFFF || directorySize == 0xFFFF_FFFF || directoryOffset == 0xFFFF_FFFF {
            throw unsupported("zip64 (an archive over 4 GiB or 65,535 entries)")
        }
        guard directoryOffset + directorySize <= end else {
            throw corrupt("the central directory (\(directorySize) bytes at offset \(directoryOffset)) runs past its end record at \(end)")
        }
        guard count * centralRecordSize <= directorySize else {
            throw corrupt("\(count) entries cannot fit a central directory of \(directorySize) bytes")
        }

        var entries: [Entry] = []
        var names = Set<String>()
        var position = directoryOffset
        let directoryEnd = directoryOffset + directorySize
        for index in 0..<count {
            guard position + centralRecordSize <= directoryEnd,
                  reader.uint32(at: position) == centralRecordSignature else {
                throw corrupt("central directory record \(index) at offset \(position) is missing or truncated")
            }
            let flags = reader.uint16(at: position + 8)!
            let methodCode = reader.uint16(at: position + 10)!
            let crc = reader.uint32(at: position + 16)!
            let compressedSize = Int(reader.uint32(at: position + 20)!)
            let uncompressedSize = Int(reader.uint32(at: position + 24)!)
            let nameLength = Int(reader.uint16(at: position + 28)!)
            let extraLength = Int(reader.uint16(at: position + 30)!)
            let commentLength = Int(reader.uint16(at: position + 32)!)
            let disk = reader.uint16(at: position + 34)!
            let localOffset = Int(reader.uint32(at: position + 42)!)
            let next = position + centralRecordSize + nameLength + extraLength + commentLength
            guard next <= directoryEnd else {
                throw corrupt("central directory record \(index) at offset \(position) runs past the directory")
            }
            let name = String(decoding: bytes[position + centralRecordSize ..< position + centralRecordSize + nameLength],
                              as: UTF8.self)
            if flags & 0x0001 != 0 || flags & 0x0040 != 0 { throw unsupported("entry '\(name)' is encrypted") }
            guard let method = ZipCompressionMethod(rawValue: methodCode) else {
                throw unsupported("entry '\(name)' uses compression method \(methodCode) (only 0, stored, and 8, deflated, are read)")
            }
            if compressedSize == 0xFFFF_FFFF || uncompressedSize == 0xFFFF_FFFF || localOffset == 0xFFFF_FFFF {
                throw unsupported("entry '\(name)' needs zip64 (over 4 GiB)")
            }
            guard disk == 0 else { throw unsupported("an archive split over several disks") }
            guard !name.isEmpty else { throw corrupt("central directory record \(index) has an empty name") }
            guard names.insert(name).inserted else { throw corrupt("two entries are named '\(name)'") }
            entries.append(Entry(name: name, method: method, compressedSize: compressedSize,
                                 uncompressedSize: uncompressedSize, crc32: crc, localHeaderOffset: localOffset))
            position = next
        }
        return entries
    }

    /// The range of `entry`'s stored data, after its local header, checked to lie before the central directory.
    private func dataRange(of entry: Entry) throws -> Range<Int> {
        func corrupt(_ reason: String) -> ZipError {
            .badEntry(archive: file, entry: entry.name, reason: "corrupt local header: \(reason)")
        }
        let reader = LittleEndianBytes(bytes)
        let offset = entry.localHeaderOffset
        guard offset <= bytes.count - ZipArchive.localHeaderSize,
              reader.uint32(at: offset) == ZipArchive.localHeaderSignature else {
            throw corrupt("no local header at offset \(offset)")
        }
        guard reader.uint16(at: offset + 8) == entry.method.rawValue else {
            throw corrupt("its method differs from the central directory's")
        }
        let nameLength = Int(reader.uint16(at: offset + 26)!)
        let extraLength = Int(reader.uint16(at: offset + 28)!)
        let start = offset + ZipArchive.localHeaderSize + nameLength + extraLength
        guard start <= bytes.count, entry.compressedSize <= bytes.count - start else {
            throw corrupt("the data (\(entry.compressedSize) bytes after offset \(offset)) runs past the end of the archive")
        }
        let localName = bytes[offset + ZipArchive.localHeaderSize ..< offset + ZipArchive.localHeaderSize + nameLength]
        guard localName.elementsEqual(entry.name.utf8) else { throw corrupt("its name differs from the central directory's") }
        return start ..< start + entry.compressedSize
    }
}

/// Little-endian integers read from a byte array; nil when the bytes are not all there.
private struct LittleEndianBytes {
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func uint16(at offset: Int) -> UInt16? {
        guard offset >= 0, offset <= bytes.count - 2 else { return nil }
        return UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
    }

    func uint32(at offset: Int) -> UInt32? {
        guard offset >= 0, offset <= bytes.count - 4 else { return nil }
        return UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8
            | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
    }
}
