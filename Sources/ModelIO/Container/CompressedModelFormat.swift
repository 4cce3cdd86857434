import CZlib
import Foundation

/// Constants of the compressed model file (`.dcz`), specified in docs/FORMAT.md.
public enum CompressedModelFormat {
    /// The first four bytes: 0x89 then "DCZ" (the high byte catches 7-bit transfers, as PNG's).
    public static let magic: [UInt8] = [0x89, 0x44, 0x43, 0x5A]
    /// The format version this code writes and reads.
    public static let version: UInt8 = 2
    /// The file name extension.
    public static let fileExtension = "dcz"
    /// Bytes of magic and version before the first section.
    static let headerBytes = 5
    /// Bytes of a section's CRC32.
    static let checksumBytes = 4

    /// A reader refuses a file whose architecture holds more than this many weights per byte
    /// of file: a writer's densest encoding (a sparse layer's fillers, at most 255 elements per
    /// bit) stays below it, so the limit only stops files whose size cannot justify the memory.
    public static let maxElementsPerFileByte = 2048

    /// Whether the file at `path` starts with the compressed model magic.
    public static func hasMagic(path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        guard let head = try? handle.read(upToCount: magic.count) else { return false }
        return [UInt8](head) == magic
    }

    /// The CRC-32 (ISO-HDLC, as zlib and PNG) of `bytes[range]`.
    static func crc32(_ bytes: [UInt8], range: Range<Int>) -> UInt32 {
        bytes.withUnsafeBufferPointer { buffer in
            var crc = CZlib.crc32(0, nil, 0)
            var offset = range.lowerBound
            while offset < range.upperBound {
                let chunk = min(range.upperBound - offset, Int(UInt32.max))
                crc = CZlib.crc32(crc, buffer.baseAddress! + offset, uInt(chunk))
                offset += chunk
            }
            return UInt32(truncatingIfNeeded: crc)
        }
    }
}
