import Foundation

/// An IDX file: the container format of MNIST and Fashion-MNIST, read from plain or gzip data.
///
/// The header is a big-endian magic number `0x0000TTRR` (`TT` the element type, `RR` the rank)
/// followed by `RR` big-endian 32-bit extents; the elements follow in row-major order. Labels are
/// `0x00000801` (unsigned bytes, rank 1) or, for more than 256 classes, `0x00000C01` (big-endian
/// 32-bit integers, rank 1); images are `0x00000803` (unsigned bytes, rank 3).
///
/// Gzip is recognised by its magic bytes `1f 8b`, not by the file name. Every size the header
/// claims is checked before memory is allocated for it: against the file size for plain files,
/// and for gzip by inflating in bounded chunks, stopping as soon as the stream yields more or
/// fewer bytes than claimed.
///
/// ```swift
/// let labels = try IDXFile(contentsOf: URL(fileURLWithPath: "data/mnist/t10k-labels-idx1-ubyte.gz"))
/// print(labels.dimensions)   // [10000]
/// ```
public struct IDXFile: Equatable, Sendable {
    /// The element types the IDX format defines; ``unsignedByte`` and ``int32`` are read.
    public enum ElementType: UInt8, Sendable, CaseIterable {
        case unsignedByte = 0x08
        case signedByte = 0x09
        case int16 = 0x0B
        case int32 = 0x0C
        case float32 = 0x0D
        case float64 = 0x0E

        /// A readable name with the type code, e.g. `"0x08 (unsigned byte)"`.
        /// The size of one element in bytes.
        public var byteWidth: Int {
            switch self {
            case .unsignedByte, .signedByte: return 1
            case .int16: return 2
            case .int32, .float32: return 4
            case .float64: return 8
            }
        }

        public var name: String {
            let code = "0x" + (rawValue < 0x10 ? "0" : "") + String(rawValue, radix: 16)
            switch self {
            case .unsignedByte: return "\(code) (unsigned byte)"
            case .signedByte: return "\(code) (signed byte)"
            case .int16: return "\(code) (16-bit integer)"
            case .int32: return "\(code) (32-bit integer)"
            case .float32: return "\(code) (32-bit float)"
            case .float64: return "\(code) (64-bit float)"
            }
        }
    }

    /// The magic number of an unsigned-byte label file (rank 1).
    public static let labelMagic: UInt32 = 0x0000_0801
    /// The magic number of a 32-bit integer label file (rank 1), for more than 256 classes.
    public static let wideLabelMagic: UInt32 = 0x0000_0C01
    /// The magic number of an unsigned-byte image file (rank 3).
    public static let imageMagic: UInt32 = 0x0000_0803
    /// The default limit on the element bytes of one file: 1 GiB, twenty times MNIST's training images.
    public static let defaultByteLimit = 1 << 30

    /// The file the data came from, as named in errors.
    public let file: String
    /// The element type: ``ElementType/unsignedByte`` or ``ElementType/int32`` for a file that was read.
    public let elementType: ElementType
    /// The extent of each axis, outermost first.
    public let dimensions: [Int]
    /// The elements in row-major order as stored (big-endian);
    /// `bytes.count == dimensions.reduce(1, *) * elementType.byteWidth`.
    public let bytes: [UInt8]

    /// The elements as integers: the bytes, or the big-endian 32-bit values of an ``ElementType/int32`` file.
    public var integers: [Int64] {
        guard elementType == .int32 else { return bytes.map { Int64($0) } }
        return stride(from: 0, to: bytes.count, by: 4).map { Int64(Int32(bitPattern: IDXFile.bigEndianUInt32(bytes, at: $0))) }
    }

    /// The magic number this file's header carries.
    public var magic: UInt32 { UInt32(elementType.rawValue) << 8 | UInt32(dimensions.count) }

    /// Creates an unsigned-byte IDX file in memory, e.g. to write it with ``encoded()``.
    public init(dimensions: [Int], bytes: [UInt8], file: String = "<memory>") {
        precondition(dimensions.count <= 255 && dimensions.allSatisfy { $0 >= 0 && $0 <= Int(UInt32.max) },
                     "IDXFile: dimensions \(dimensions) do not fit the header")
        precondition(dimensions.reduce(1, *) == bytes.count,
                     "IDXFile: dimensions \(dimensions) need \(dimensions.reduce(1, *)) bytes, got \(bytes.count)")
        self.file = file
        self.elementType = .unsignedByte
        self.dimensions = dimensions
        self.bytes = bytes
    }

    /// Reads a plain or gzip IDX file.
    ///
    /// - Parameters:
    ///   - url: The file to read.
    ///   - byteLimit: The most element bytes the header may claim.
    /// - Throws: ``DataError`` naming the file: missing, wrong magic, unsupported type, too large,
    ///   truncated, trailing bytes, or corrupt gzip data.
    public init(contentsOf url: URL, byteLimit: Int = IDXFile.defaultByteLimit) throws {
        let file = url.path
        let plain = try FileByteReader(url: url, missingHint: "expected an IDX file")
        let total = plain.knownTotalBytes ?? 0
        let start = try plain.read(2)
        if start == GzipInflater.magic {
            // Deflate never grows data by more than a few bytes per 16 KiB block, so a compressed
            // file much larger than the limit cannot hold an acceptable payload.
            let compressedLimit = byteLimit + byteLimit / 64 + (1 << 16)
            guard total <= compressedLimit else {
                throw DataError.tooLarge(file: file, field: "the compressed file", claimedBytes: String(total),
                                         limitBytes: compressedLimit)
            }
            let compressed = start + (try plain.readToEnd())
            self = try IDXFile.parse(GzipInflater(compressed: compressed, file: file), prefix: [],
                                     file: file, byteLimit: byteLimit)
        } else {
            self = try IDXFile.parse(plain, prefix: start, file: file, byteLimit: byteLimit)
        }
    }

    /// Parses plain or gzip IDX data held in memory; `file` names it in errors.
    public init(data: [UInt8], file: String = "<memory>", byteLimit: Int = IDXFile.defaultByteLimit) throws {
        if data.starts(with: GzipInflater.magic) {
            self = try IDXFile.parse(GzipInflater(compressed: data, file: file), prefix: [],
                                     file: file, byteLimit: byteLimit)
        } else {
            self = try IDXFile.parse(MemoryByteReader(data), prefix: [], file: file, byteLimit: byteLimit)
        }
    }

    /// Creates a 32-bit integer IDX file in memory (labels of more than 256 classes).
    public init(dimensions: [Int], int32Values values: [Int32], file: String = "<memory>") {
        precondition(dimensions.count <= 255 && dimensions.allSatisfy { $0 >= 0 && $0 <= Int(UInt32.max) }
                     && dimensions.reduce(1, *) == values.count,
                     "IDXFile: dimensions \(dimensions) do not fit \(values.count) values")
        self.file = file
        self.elementType = .int32
        self.dimensions = dimensions
        self.bytes = values.flatMap { value in (0..<4).reversed().map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
    }

    private init(file: String, elementType: ElementType, dimensions: [Int], bytes: [UInt8]) {
        self.file = file
        self.elementType = elementType
        self.dimensions = dimensions
        self.bytes = bytes
    }

    /// Reads header and elements from `reader`, whose first bytes `prefix` were already consumed.
    private static func parse(_ reader: ByteReader, prefix: [UInt8], file: String, byteLimit: Int) throws -> IDXFile {
        var header = prefix
        _ = try reader.read(4 - header.count, into: &header)
        guard header.count == 4 else {
            throw DataError.truncated(file: file, expectedBytes: 4, actualBytes: header.count)
        }
        let magic = bigEndianUInt32(header, at: 0)
        guard header[0] == 0, header[1] == 0 else {
            throw DataError.wrongMagic(file: file, found: magic,
                                       expected: "0x00000801 (labels) or 0x00000803 (images)")
        }
        guard let type = ElementType(rawValue: header[2]) else {
            throw DataError.wrongMagic(file: file, found: magic,
                                       expected: "an IDX type code 0x08, 0x09 or 0x0b-0x0e in the third byte")
        }
        guard type == .unsignedByte || type == .int32 else {
            throw DataError.unsupportedDataType(file: file, field: "element", found: type.name,
                                                supported: "\(ElementType.unsignedByte.name) or \(ElementType.int32.name)")
        }
        let rank = Int(header[3])
        let headerBytes = 4 + 4 * rank
        _ = try reader.read(4 * rank, into: &header)
        guard header.count == headerBytes else {
            throw DataError.truncated(file: file, expectedBytes: headerBytes, actualBytes: header.count)
        }
        var dimensions: [Int] = []
        var byteCount = type.byteWidth
        var overflow = false
        for axis in 0..<rank {
            let extent = Int(bigEndianUInt32(header, at: 4 + 4 * axis))
            dimensions.append(extent)
            if !overflow {
                let (product, didOverflow) = byteCount.multipliedReportingOverflow(by: extent)
                overflow = didOverflow
                byteCount = product
            }
        }
        let shapeText = dimensions.map(String.init).joined(separator: " x ")
        guard !overflow, byteCount <= byteLimit else {
            throw DataError.tooLarge(file: file, field: "the data of header dimensions \(shapeText)",
                                     claimedBytes: overflow ? "more than \(Int.max)" : String(byteCount),
                                     limitBytes: byteLimit)
        }
        let expectedTotal = headerBytes + byteCount
        if let onDisk = reader.knownTotalBytes {  // the whole source, `prefix` included
            if onDisk < expectedTotal {
                throw DataError.truncated(file: file, expectedBytes: expectedTotal, actualBytes: onDisk)
            }
            if onDisk > expectedTotal {
                throw DataError.trailingBytes(file: file, expectedBytes: expectedTotal)
            }
        }
        var elements: [UInt8] = []
        if reader.knownTotalBytes != nil { elements.reserveCapacity(byteCount) }
        let got = try reader.read(byteCount, into: &elements)
        guard got == byteCount else {
            throw DataError.truncated(file: file, expectedBytes: expectedTotal, actualBytes: headerBytes + got)
        }
        guard try reader.read(1).isEmpty else {
            throw DataError.trailingBytes(file: file, expectedBytes: expectedTotal)
        }
        return IDXFile(file: file, elementType: type, dimensions: dimensions, bytes: elements)
    }

    private static func bigEndianUInt32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16
            | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
    }

    /// The file's bytes in IDX format (uncompressed): header, then elements.
    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(4 + 4 * dimensions.count + bytes.count)
        out += [0, 0, elementType.rawValue, UInt8(dimensions.count)]
        for extent in dimensions {
            let e = UInt32(extent)
            out += [UInt8(e >> 24), UInt8((e >> 16) & 0xFF), UInt8((e >> 8) & 0xFF), UInt8(e & 0xFF)]
        }
        out += bytes
        return out
    }
}
