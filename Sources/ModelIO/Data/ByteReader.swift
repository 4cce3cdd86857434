import Foundation

/// A forward-only source of bytes: a plain file, a gzip stream or a buffer in memory.
///
/// Readers append what they read to a caller's array in bounded chunks, so a caller that asks
/// for more bytes than exist only ever holds the bytes that really were there.
protocol ByteReader: AnyObject {
    /// The total number of bytes the source will yield, when known before reading (plain files).
    var knownTotalBytes: Int? { get }
    /// Appends up to `count` bytes to `buffer`; returns how many were appended, fewer only at the end.
    func read(_ count: Int, into buffer: inout [UInt8]) throws -> Int
}

extension ByteReader {
    /// Reads up to `count` bytes into a new array.
    func read(_ count: Int) throws -> [UInt8] {
        var buffer: [UInt8] = []
        _ = try read(count, into: &buffer)
        return buffer
    }
}

/// The largest chunk a reader appends at once; a lying size can waste at most this much.
let byteReaderChunk = 1 << 20

/// Reads a plain file through a `FileHandle`, whose size is known up front.
final class FileByteReader: ByteReader {
    private let handle: FileHandle
    private let file: String
    let knownTotalBytes: Int?

    /// Opens `url`, failing with ``DataError/missingFile(file:hint:)`` or ``DataError/unreadable(file:reason:)``.
    init(url: URL, missingHint: String) throws {
        file = url.path
        switch FileStatus(path: url.path) {
        case .regular: break
        case .missing: throw DataError.missingFile(file: file, hint: missingHint)
        case let status: throw DataError.unreadable(file: file, reason: status.problemAsInput ?? "is not a regular file")
        }
        do {
            handle = try FileHandle(forReadingFrom: url)
            let size = try handle.seekToEnd()
            try handle.seek(toOffset: 0)
            knownTotalBytes = Int(clamping: size)
        } catch {
            throw DataError.unreadable(file: file, reason: String(describing: error))
        }
    }

    deinit { try? handle.close() }

    func read(_ count: Int, into buffer: inout [UInt8]) throws -> Int {
        var appended = 0
        while appended < count {
            let want = min(byteReaderChunk, count - appended)
            let data: Data?
            do { data = try handle.read(upToCount: want) } catch {
                throw DataError.unreadable(file: file, reason: String(describing: error))
            }
            guard let data, !data.isEmpty else { break }
            buffer.append(contentsOf: data)
            appended += data.count
        }
        return appended
    }

    /// Reads the rest of the file.
    func readToEnd() throws -> [UInt8] {
        do { return [UInt8](try handle.readToEnd() ?? Data()) } catch {
            throw DataError.unreadable(file: file, reason: String(describing: error))
        }
    }
}

/// Reads bytes already in memory.
final class MemoryByteReader: ByteReader {
    private let bytes: [UInt8]
    private var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var knownTotalBytes: Int? { bytes.count }

    func read(_ count: Int, into buffer: inout [UInt8]) throws -> Int {
        let n = min(count, bytes.count - position)
        buffer.append(contentsOf: bytes[position..<position + n])
        position += n
        return n
    }
}
