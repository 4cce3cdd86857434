import CZlib
import Foundation
import Testing
@testable import ModelIO

/// Small IDX files written to a fresh temporary directory, plain or gzip.
struct IDXFixture {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("idx-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }

    /// Writes `bytes` as `name` and returns its URL.
    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) throws -> URL {
        let url = directory.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url
    }

    /// `count` images of `height x width` whose pixel `p` of image `i` is `(i * 7 + p) % 256`.
    static func images(count: Int, height: Int, width: Int) -> IDXFile {
        let bytes = (0..<count * height * width).map { k in
            UInt8((k / (height * width) * 7 + k % (height * width)) % 256)
        }
        return IDXFile(dimensions: [count, height, width], bytes: bytes)
    }

    /// `count` labels `i % classes`.
    static func labels(count: Int, classes: Int = 10) -> IDXFile {
        IDXFile(dimensions: [count], bytes: (0..<count).map { UInt8($0 % classes) })
    }

    /// A raw IDX header with the given magic and extents (no elements).
    static func header(magic: UInt32, dimensions: [UInt32]) -> [UInt8] {
        ([magic] + dimensions).flatMap { v in
            [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)]
        }
    }
}

/// Compresses `bytes` into a gzip stream with zlib's `deflate`.
func gzip(_ bytes: [UInt8]) -> [UInt8] {
    var stream = z_stream()
    let status = deflateInit2_(&stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY,
                               zlibVersion(), Int32(MemoryLayout<z_stream>.size))
    precondition(status == Z_OK)
    defer { deflateEnd(&stream) }
    var input = bytes
    var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(bytes.count))) + 64)
    let written = input.withUnsafeMutableBufferPointer { inBuffer in
        output.withUnsafeMutableBufferPointer { outBuffer in
            stream.next_in = inBuffer.baseAddress
            stream.avail_in = UInt32(inBuffer.count)
            stream.next_out = outBuffer.baseAddress
            stream.avail_out = UInt32(outBuffer.count)
            let result = deflate(&stream, Z_FINISH)
            precondition(result == Z_STREAM_END)
            return outBuffer.count - Int(stream.avail_out)
        }
    }
    return Array(output[0..<written])
}

/// Runs `body` and returns the `DataError` it throws, or records an issue.
func dataError(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> DataError? {
    do {
        try body()
        Issue.record("expected a DataError, nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as DataError {
        return error
    } catch {
        Issue.record("expected a DataError, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

@Suite("IDX files")
struct IDXFileTests {
    @Test func readsPlainFileBack() throws {
        let fixture = try IDXFixture()
        defer { fixture.remove() }
        let images = IDXFixture.images(count: 3, height: 4, width: 5)
        let url = try fixture.write("images", images.encoded())
        let read = try IDXFile(contentsOf: url)
        #expect(read.dimensions == [3, 4, 5])
        #expect(read.bytes == images.bytes)
        #expect(read.magic == IDXFile.imageMagic)
        #expect(read.file == url.path)
    }

    @Test func readsGzipFileDetectedByMagicNotName() throws {
        let fixture = try IDXFixture()
        defer { fixture.remove() }
        let labels = IDXFixture.labels(count: 1000)
        let plainName = try fixture.write("labels-no-extension", gzip(labels.encoded()))
        let read = try IDXFile(contentsOf: plainName)
        #expect(read.dimensions == [1000])
        #expect(read.bytes == labels.bytes)
        #expect(read.magic == IDXFile.labelMagic)
        // A plain file named .gz is read as plain.
        let misnamed = try fixture.write("labels.gz", labels.encoded())
        #expect(try IDXFile(contentsOf: misnamed).bytes == labels.bytes)
    }

    @Test func readsLargeGzipAcrossChunks() throws {
        // 2.4 MB of elements spans several of the inflater's 1 MiB chunks.
        let images = IDXFixture.images(count: 3000, height: 28, width: 28)
        let read = try IDXFile(data: gzip(images.encoded()), file: "big.gz")
        #expect(read.bytes == images.bytes)
    }

    @Test func readsConcatenatedGzipMembers() throws {
        let encoded = IDXFixture.labels(count: 50).encoded()
        let joined = gzip(Array(encoded[0..<20])) + gzip(Array(encoded[20...]))
        #expect(try IDXFile(data: joined).bytes == IDXFixture.labels(count: 50).bytes)
    }

    @Test func wrongMagicNamesTheFile() throws {
        let fixture = try IDXFixture()
        defer { fixture.remove() }
        let url = try fixture.write("not-idx.png", [0x89, 0x50, 0x4E, 0x47, 0, 0, 0, 0])
        let error = dataError { _ = try IDXFile(contentsOf: url) }
        guard case let .wrongMagic(file, found, _) = error else {
            Issue.record("got \(String(describing: error))"); return
        }
        #expect(file == url.path)
        #expect(found == 0x8950_4E47)
        #expect(error!.description.contains(url.path))
        #expect(error!.description.contains("0x89504e47"))
    }

    @Test func unknownTypeCodeIsWrongMagic() {
        let error = dataError { _ = try IDXFile(data: [0, 0, 0x42, 1, 0, 0, 0, 0], file: "f") }
        guard case .wrongMagic = error else { Issue.record("got \(String(describing: error))"); return }
    }

    @Test func nonByteTypesAreRejectedClearly() {
        let floats = IDXFixture.header(magic: 0x0000_0D01, dimensions: [2]) + [UInt8](repeating: 0, count: 8)
        let error = dataError { _ = try IDXFile(data: floats, file: "floats") }
        #expect(error == .unsupportedDataType(file: "floats", field: "element", found: "0x0d (32-bit float)",
                                              supported: "0x08 (unsigned byte) or 0x0c (32-bit integer)"))
    }

    @Test func truncatedPlainAndGzipFiles() throws {
        let fixture = try IDXFixture()
        defer { fixture.remove() }
        let encoded = IDXFixture.images(count: 2, height: 3, width: 3).encoded()  // 16 + 18 bytes
        let cut = Array(encoded.dropLast(5))
        let plain = try fixture.write("cut", cut)
        #expect(dataError { _ = try IDXFile(contentsOf: plain) }
                == .truncated(file: plain.path, expectedBytes: 34, actualBytes: 29))
        let zipped = try fixture.write("cut.gz", gzip(cut))
        #expect(dataError { _ = try IDXFile(contentsOf: zipped) }
                == .truncated(file: zipped.path, expectedBytes: 34, actualBytes: 29))
        // Cut inside the header.
        #expect(dataError { _ = try IDXFile(data: Array(encoded[0..<10]), file: "h") }
                == .truncated(file: "h", expectedBytes: 16, actualBytes: 10))
        #expect(dataError { _ = try IDXFile(data: [0, 0], file: "h") }
                == .truncated(file: "h", expectedBytes: 4, actualBytes: 2))
    }

    @Test func truncatedCompressedStreamIsCorrupt() {
        let zipped = gzip(IDXFixture.images(count: 20, height: 28, width: 28).encoded())
        let error = dataError { _ = try IDXFile(data: Array(zipped.prefix(zipped.count / 2)), file: "half.gz") }
        guard case .corruptCompression(file: "half.gz", _) = error else {
            Issue.record("got \(String(describing: error))"); return
        }
    }

    @Test func damagedCompressedStreamIsCorrupt() {
        var zipped = gzip(IDXFixture.images(count: 20, height: 28, width: 28).encoded())
        for i in 20..<40 { zipped[i] ^= 0xA5 }
        let error = dataError { _ = try IDXFile(data: zipped, file: "bad.gz") }
        guard case .corruptCompression(file: "bad.gz", _) = error else {
            Issue.record("got \(String(describing: error))"); return
        }
    }

    @Test func trailingBytesAreRejected() throws {
        let fixture = try IDXFixture()
        defer { fixture.remove() }
        let extra = IDXFixture.labels(count: 4).encoded() + [1, 2]
        let plain = try fixture.write("long", extra)
        #expect(dataError { _ = try IDXFile(contentsOf: plain) } == .trailingBytes(file: plain.path, expectedBytes: 12))
        let zipped = try fixture.write("long.gz", gzip(extra))
        #expect(dataError { _ = try IDXFile(contentsOf: zipped) } == .trailingBytes(file: zipped.path, expectedBytes: 12))
    }

    @Test func hugeHeaderClaimsFailBeforeAllocating() throws {
        let fixture = try IDXFixture()
        defer { fixture.remove() }
        // 4 G x 4 G x 4 G overflows Int: refused from the header alone.
        let overflow = try fixture.write("overflow", IDXFixture.header(magic: 0x803, dimensions: [.max, .max, .max]))
        guard case .tooLarge(file: overflow.path, _, _, _) = dataError({ _ = try IDXFile(contentsOf: overflow) }) else {
            Issue.record("overflowing dimensions accepted"); return
        }
        // 1e9 x 28 x 28 exceeds the byte limit.
        let huge = try fixture.write("huge", IDXFixture.header(magic: 0x803, dimensions: [1_000_000_000, 28, 28]) + [1, 2, 3])
        guard case .tooLarge = dataError({ _ = try IDXFile(contentsOf: huge) }) else {
            Issue.record("huge claim accepted"); return
        }
        // Within the limit but far beyond the tiny file: truncated, decided from the file size.
        let tiny = try fixture.write("tiny", IDXFixture.header(magic: 0x803, dimensions: [60_000, 100, 100]) + [1, 2, 3])
        #expect(dataError { _ = try IDXFile(contentsOf: tiny) }
                == .truncated(file: tiny.path, expectedBytes: 16 + 600_000_000, actualBytes: 19))
        // The same claim gzip-compressed: inflating stops when the stream ends.
        let tinyZipped = try fixture.write("tiny.gz", gzip(IDXFixture.header(magic: 0x803, dimensions: [60_000, 100, 100]) + [1, 2, 3]))
        #expect(dataError { _ = try IDXFile(contentsOf: tinyZipped) }
                == .truncated(file: tinyZipped.path, expectedBytes: 16 + 600_000_000, actualBytes: 19))
    }

    @Test func gzipBombStopsAtTheHeaderClaim() {
        // The header claims 10 bytes; the stream would inflate to 50 MB of zeros.
        let bomb = gzip(IDXFixture.header(magic: 0x801, dimensions: [10]) + [UInt8](repeating: 0, count: 50_000_000))
        #expect(bomb.count < 100_000)
        #expect(dataError { _ = try IDXFile(data: bomb, file: "bomb.gz") } == .trailingBytes(file: "bomb.gz", expectedBytes: 18))
    }

    @Test func byteLimitIsConfigurable() {
        let images = IDXFixture.images(count: 10, height: 10, width: 10).encoded()
        guard case .tooLarge(file: "f", _, claimedBytes: "1000", limitBytes: 999) =
            dataError({ _ = try IDXFile(data: images, file: "f", byteLimit: 999) }) else {
            Issue.record("limit not applied"); return
        }
        #expect(throws: Never.self) { try IDXFile(data: images, file: "f", byteLimit: 1000) }
    }

    @Test func missingFileAndDirectory() throws {
        let fixture = try IDXFixture()
        defer { fixture.remove() }
        let missing = fixture.directory.appendingPathComponent("nope")
        guard case .missingFile(file: missing.path, _) = dataError({ _ = try IDXFile(contentsOf: missing) }) else {
            Issue.record("missing file not reported"); return
        }
        guard case .unreadable(file: fixture.directory.path, _) = dataError({ _ = try IDXFile(contentsOf: fixture.directory) }) else {
            Issue.record("directory not reported"); return
        }
    }

    @Test func emptyExtentsAreFine() throws {
        let empty = try IDXFile(data: IDXFixture.header(magic: 0x803, dimensions: [0, 28, 28]))
        #expect(empty.dimensions == [0, 28, 28])
        #expect(empty.bytes.isEmpty)
    }
}
