import CZlib

/// Raw deflate streams (RFC 1951, no zlib or gzip wrapper), the data of a zip entry with method 8.
enum RawDeflate {
    /// Why ``inflate(_:expectedSize:)`` failed, told in words for a ``ZipError``.
    struct Failure: Error {
        let reason: String
    }

    /// `bytes` compressed at zlib's default level.
    static func deflate(_ bytes: [UInt8]) -> [UInt8] {
        var stream = z_stream()
        // -15 window bits: a raw stream with a 32 KiB window.
        let status = deflateInit2_(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY,
                                   zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        precondition(status == Z_OK, "RawDeflate: zlib's deflateInit2 failed with status \(status)")
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, uLong(bytes.count)))
        var output = [UInt8](repeating: 0, count: bound)
        let written = bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                stream.avail_in = uInt(input.count)
                stream.next_out = out.baseAddress
                stream.avail_out = uInt(out.count)
                let result = CZlib.deflate(&stream, Z_FINISH)
                // deflateBound guarantees room for the whole stream in one call.
                precondition(result == Z_STREAM_END, "RawDeflate: deflate ended with status \(result)")
                return out.count - Int(stream.avail_out)
            }
        }
        output.removeLast(output.count - written)
        return output
    }

    /// Inflates `compressed`, which must hold one complete raw deflate stream of exactly
    /// `expectedSize` bytes; at most `expectedSize + 1` bytes are ever allocated.
    ///
    /// - Throws: ``Failure`` when the stream is damaged, ends early, or yields more or fewer bytes.
    static func inflate(_ compressed: ArraySlice<UInt8>, expectedSize: Int) throws(Failure) -> [UInt8] {
        guard compressed.count <= Int(uInt.max) else { throw Failure(reason: "the compressed data exceeds 4 GiB") }
        var stream = z_stream()
        let status = inflateInit2_(&stream, -15, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { throw Failure(reason: "zlib could not start (status \(status))") }
        defer { inflateEnd(&stream) }
        // One spare byte tells a stream that runs past the expected size from one that ends there.
        var output = [UInt8](repeating: 0, count: expectedSize + 1)
        let outcome: Result<Int, Failure> = compressed.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                stream.avail_in = uInt(input.count)
                stream.next_out = out.baseAddress
                stream.avail_out = uInt(out.count)
                while true {
                    let result = CZlib.inflate(&stream, Z_NO_FLUSH)
                    switch result {
                    case Z_STREAM_END:
                        return .success(out.count - Int(stream.avail_out))
                    case Z_OK:
                        continue
                    case Z_BUF_ERROR where stream.avail_out == 0:
                        return .failure(Failure(reason: "the data inflates to more than the \(expectedSize) bytes its header claims"))
                    case Z_BUF_ERROR:
                        return .failure(Failure(reason: "the compressed data ends early"))
                    default:
                        let message = stream.msg.map { String(cString: $0) } ?? "zlib status \(result)"
                        return .failure(Failure(reason: "corrupt deflate data: \(message)"))
                    }
                }
            }
        }
        let produced = try outcome.get()
        guard produced == expectedSize else {
            throw Failure(reason: produced > expectedSize
                ? "the data inflates to more than the \(expectedSize) bytes its header claims"
                : "the data inflates to \(produced) bytes, its header claims \(expectedSize)")
        }
        guard stream.avail_in == 0 else { throw Failure(reason: "bytes follow the end of the deflate stream") }
        output.removeLast()
        return output
    }

    /// The CRC-32 (ISO-HDLC, as zip and gzip use it) of `bytes`.
    static func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        bytes.withUnsafeBufferPointer { buffer in
            var crc = CZlib.crc32(0, nil, 0)
            var offset = 0
            while offset < buffer.count {
                let n = min(buffer.count - offset, 1 << 30)
                crc = CZlib.crc32(crc, buffer.baseAddress! + offset, uInt(n))
                offset += n
            }
            return UInt32(truncatingIfNeeded: crc)
        }
    }
}
