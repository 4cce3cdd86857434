import CZlib

/// Streams the decompressed bytes of gzip data through zlib's `inflate`.
///
/// Output is produced only as it is asked for, in chunks of at most ``byteReaderChunk`` bytes, so
/// a header that claims gigabytes costs nothing until the stream really yields them. Concatenated
/// gzip members (as `cat a.gz b.gz` makes) are read as one stream.
final class GzipInflater: ByteReader {
    /// The two bytes every gzip stream starts with.
    static let magic: [UInt8] = [0x1F, 0x8B]

    private let stream: UnsafeMutablePointer<z_stream>
    private let input: UnsafeMutableBufferPointer<UInt8>
    private var inputOffset = 0
    private var finished = false
    private let file: String

    var knownTotalBytes: Int? { nil }

    /// Prepares to inflate `compressed`, the whole content of `file`.
    init(compressed: [UInt8], file: String) throws {
        self.file = file
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        input = .allocate(capacity: max(1, compressed.count))
        _ = input.initialize(from: compressed)
        // 15 window bits + 16 selects the gzip wrapper (header and CRC-32 trailer).
        let status = inflateInit2_(stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            input.deallocate()
            throw DataError.corruptCompression(file: file, reason: "zlib could not start (status \(status))")
        }
        refillInput()
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
        input.deallocate()
    }

    /// Points zlib at the next stretch of input (at most `UInt32.max` bytes at a time).
    private func refillInput() {
        let n = min(input.count - inputOffset, Int(UInt32.max))
        stream.pointee.next_in = input.baseAddress! + inputOffset
        stream.pointee.avail_in = UInt32(n)
        inputOffset += n
    }

    private var inputRemaining: Int { Int(stream.pointee.avail_in) + (input.count - inputOffset) }

    func read(_ count: Int, into buffer: inout [UInt8]) throws -> Int {
        var appended = 0
        while appended < count && !finished {
            let want = min(byteReaderChunk, count - appended)
            let start = buffer.count
            buffer.append(contentsOf: repeatElement(0, count: want))
            let got = try buffer.withUnsafeMutableBufferPointer { out in
                try inflate(into: out.baseAddress! + start, capacity: want)
            }
            buffer.removeLast(want - got)
            appended += got
        }
        return appended
    }

    /// Fills up to `capacity` bytes at `destination`; returns how many were written.
    private func inflate(into destination: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> Int {
        stream.pointee.next_out = destination
        stream.pointee.avail_out = UInt32(capacity)
        while stream.pointee.avail_out > 0 && !finished {
            if stream.pointee.avail_in == 0 { refillInput() }
            let status = CZlib.inflate(stream, Z_NO_FLUSH)
            switch status {
            case Z_OK:
                continue
            case Z_STREAM_END:
                if inputRemaining > 0 {
                    // Another gzip member follows.
                    guard inflateReset(stream) == Z_OK else {
                        throw DataError.corruptCompression(file: file, reason: "cannot restart after a member")
                    }
                } else {
                    finished = true
                }
            case Z_BUF_ERROR where inputRemaining == 0:
                throw DataError.corruptCompression(file: file, reason: "the compressed stream ends early")
            default:
                let message = stream.pointee.msg.map { String(cString: $0) } ?? "zlib status \(status)"
                throw DataError.corruptCompression(file: file, reason: message)
            }
        }
        return capacity - Int(stream.pointee.avail_out)
    }
}
