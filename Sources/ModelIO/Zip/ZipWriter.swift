/// Builds a zip archive in memory: named entries, stored or deflated, then the central directory.
///
/// The output is deterministic: every entry carries the timestamp 1980-01-01 00:00 (the earliest
/// zip can say), UTF-8 names and Unix permissions `rw-r--r--`, so the same entries give the same
/// bytes. Archives stay within the classic format (no zip64): under 4 GiB and 65,535 entries.
///
/// ```swift
/// var writer = ZipWriter()
/// try writer.append("config.json", contents: Array(json.utf8))
/// try writer.append("model.weights.h5", contents: weights, method: .stored)
/// let archive = writer.finished()
/// ```
public struct ZipWriter: Sendable {
    private var body: [UInt8] = []
    private var directory: [UInt8] = []
    private var names = Set<String>()

    /// An empty archive.
    public init() {}

    /// The number of entries appended so far.
    public var count: Int { names.count }

    /// Appends an entry.
    ///
    /// - Parameters:
    ///   - name: The path inside the archive: non-empty, unique, at most 65,535 UTF-8 bytes.
    ///   - contents: The entry's bytes.
    ///   - method: Deflated (the default) or stored.
    /// - Throws: ``ZipError/unwritable(entry:reason:)`` for a bad or duplicate name, or when the
    ///   archive would outgrow the classic zip format.
    public mutating func append(_ name: String, contents: [UInt8], method: ZipCompressionMethod = .deflated) throws {
        let nameBytes = Array(name.utf8)
        guard !nameBytes.isEmpty, nameBytes.count <= Int(UInt16.max) else {
            throw ZipError.unwritable(entry: name, reason: "a name must have 1 to 65,535 UTF-8 bytes")
        }
        guard !names.contains(name) else { throw ZipError.unwritable(entry: name, reason: "an entry has this name already") }
        guard names.count < Int(UInt16.max) - 1 else {
            throw ZipError.unwritable(entry: name, reason: "an archive holds at most 65,534 entries without zip64")
        }
        let data = method == .deflated ? RawDeflate.deflate(contents) : contents
        let offset = body.count
        let projected = offset + 2 * (ZipWriter.headerBytes + nameBytes.count) + data.count + directory.count
        guard contents.count < Int(UInt32.max), projected < Int(UInt32.max) else {
            throw ZipError.unwritable(entry: name, reason: "the archive would exceed 4 GiB, which needs zip64")
        }
        let crc = RawDeflate.crc32(contents[...])
        // The fields local header and central record share, from "version needed" to "name length".
        var common: [UInt8] = []
        append16(20, to: &common)                       // version needed: 2.0 (deflate)
        append16(0x0800, to: &common)                   // flags: UTF-8 name
        append16(method.rawValue, to: &common)
        append16(0, to: &common)                        // time 00:00:00
        append16(0x21, to: &common)                     // date 1980-01-01
        append32(crc, to: &common)
        append32(UInt32(data.count), to: &common)
        append32(UInt32(contents.count), to: &common)
        append16(UInt16(nameBytes.count), to: &common)

        append32(0x0403_4B50, to: &body)
        body += common
        append16(0, to: &body)                          // extra length
        body += nameBytes
        body += data

        append32(0x0201_4B50, to: &directory)
        append16(0x0314, to: &directory)                // made by: Unix, zip 2.0
        directory += common
        append16(0, to: &directory)                     // extra length
        append16(0, to: &directory)                     // comment length
        append16(0, to: &directory)                     // disk
        append16(0, to: &directory)                     // internal attributes
        append32(0o100644 << 16, to: &directory)        // external attributes: a regular file, rw-r--r--
        append32(UInt32(offset), to: &directory)
        directory += nameBytes
        names.insert(name)
    }

    /// The archive: the entries, the central directory and its end record.
    public func finished() -> [UInt8] {
        var out = body + directory
        append32(0x0605_4B50, to: &out)
        append16(0, to: &out)                           // this disk
        append16(0, to: &out)                           // the directory's disk
        append16(UInt16(count), to: &out)
        append16(UInt16(count), to: &out)
        append32(UInt32(directory.count), to: &out)
        append32(UInt32(body.count), to: &out)
        append16(0, to: &out)                           // comment length
        return out
    }

    /// The bytes a local header and a central record add beside the name, and the end record's share.
    private static let headerBytes = 46 + 22

}

private func append16(_ value: UInt16, to bytes: inout [UInt8]) {
    bytes += [UInt8(value & 0xFF), UInt8(value >> 8)]
}

private func append32(_ value: UInt32, to bytes: inout [UInt8]) {
    bytes += [UInt8(value & 0xFF), UInt8((value >> 8) & 0xFF), UInt8((value >> 16) & 0xFF), UInt8(value >> 24)]
}
