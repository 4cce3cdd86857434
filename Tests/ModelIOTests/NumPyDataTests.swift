import Foundation
import TensorCore
import Testing
@testable import ModelIO

/// A `.npy` file of `shape` and NumPy type `descr` (`<f4`, `|u1`, `>f4`, ...) holding `payload`,
/// written by ``NumPyArray/encoded()`` with its type code replaced.
func npyFile(_ descr: String, shape: [Int], _ payload: [UInt8], fortranOrder: Bool = false) -> [UInt8] {
    let placeholder = NumPyArray(shape: [0] + shape, elementType: .uint8, littleEndianBytes: []).encoded()
    var header = String(decoding: placeholder[10...], as: UTF8.self)
        .replacingOccurrences(of: "'|u1'", with: "'\(descr)'")
        .replacingOccurrences(of: "(0, ", with: "(").replacingOccurrences(of: "(0,)", with: "()")
        .replacingOccurrences(of: "False", with: fortranOrder ? "True" : "False")
    header = header.trimmingCharacters(in: .whitespacesAndNewlines)
    header += String(repeating: " ", count: 63 - (10 + header.utf8.count) % 64) + "\n"
    let length = header.utf8.count
    return Array(placeholder[0..<8]) + [UInt8(length & 0xFF), UInt8(length >> 8)] + Array(header.utf8) + payload
}

/// Little-endian bytes of `values`.
func littleEndianBytes<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
    values.flatMap { value in (0..<MemoryLayout<T>.size).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
}

/// Little-endian float32 bytes of `values`.
func float32Bytes(_ values: [Float]) -> [UInt8] { littleEndianBytes(values.map(\.bitPattern)) }

@Suite("NumPy data")
struct NumPyDataTests {
    @Test func npzArchivesNumPyWroteLoadBothLayouts() throws {
        // np.savez_compressed(x=uint8 [3, 2, 2], y=int64 [0, 42, 99]): one split serving both.
        let deflated = KerasFixtures.root.appendingPathComponent("numpy-deflated.npz")
        for split in DataSplit.allCases {
            let data = try DataSource(argument: deflated.path).load(split: split, normalization: .raw)
            #expect(data.images.shape == [3, 2, 2, 1])
            #expect(data.images.scalars == (0..<12).map { Float($0 * 20) })
            #expect(data.labels == [0, 42, 99] && data.classCount == 100)
            #expect(data.labelsFile == "\(deflated.path): y")
        }
        // np.savez(x_train=float32, y_train=int32, x_test=float64, y_test=uint8).
        let stored = KerasFixtures.root.appendingPathComponent("numpy-stored.npz")
        let train = try Dataset(npzFile: stored, split: .train)
        #expect(train.images.shape == [3, 2, 2, 1] && train.labels == [0, 42, 99])
        #expect(train.images.scalars == (0..<12).map { Float(UInt8($0 * 20)) / 255 })
        let test = try Dataset(npzFile: stored, split: .test, normalization: .raw)
        #expect(test.images.shape == [2, 2, 2, 1] && test.labels == [0, 42])
        #expect(test.images.scalars == (0..<8).map { Float($0 * 20) })   // floats are used as stored
    }

    @Test func npzWrittenByZipWriterLoads() throws {
        let fixture = try IDXFixture()
        defer { fixture.remove() }
        var writer = ZipWriter()
        try writer.append("x_test.npy", contents: npyFile("<f4", shape: [2, 1, 1, 3], float32Bytes([0, 0.5, 1, 1, 0.5, 0])))
        try writer.append("y_test.npy", contents: npyFile("<i8", shape: [2, 1], littleEndianBytes([Int64(150), 7])))
        let url = try fixture.write("set.npz", writer.finished())
        let test = try Dataset(npzFile: url, split: .test)
        #expect(test.images.shape == [2, 1, 1, 3] && test.labels == [150, 7])
        let missing = dataError { _ = try Dataset(npzFile: url, split: .train) }
        guard case .missingFile(file: url.path, let hint) = missing else { Issue.record("\(String(describing: missing))"); return }
        #expect(hint.contains("x_train.npy and y_train.npy"))
    }

    @Test func npyPairsAndDirectories() throws {
        let fixture = try IDXFixture()
        defer { fixture.remove() }
        try fixture.write("x_test.npy", npyFile("|u1", shape: [2, 2, 2, 3], (0..<24).map(UInt8.init)))
        let labels = try fixture.write("y_test.npy", npyFile("<i4", shape: [2], littleEndianBytes([Int32(3), 99])))
        let pair = try DataSource(argument: "x_test.npy", currentDirectory: fixture.directory)
        #expect(pair == .npyFiles(images: fixture.directory.appendingPathComponent("x_test.npy"), labels: labels))
        #expect(try pair.load(split: .train).labels == [3, 99])
        let directory = try DataSource(argument: fixture.directory.path)
        guard case .npyDirectory(let url) = directory, url.path == fixture.directory.path else {
            Issue.record("got \(directory)"); return
        }
        #expect(try directory.load(split: .test, normalization: .raw).images.scalars == (0..<24).map(Float.init))
        #expect(directory.files.count == 2)
        // No training arrays and no x.npy/y.npy: the error says what was looked for.
        guard case .missingFile = dataError({ _ = try directory.load(split: .train) }) else {
            Issue.record("a missing training split was accepted"); return
        }
        try fixture.write("images.npy", npyFile("|u1", shape: [1, 1], [0]))
        guard case .unknownSource = dataError({ _ = try DataSource(argument: "images.npy", currentDirectory: fixture.directory) }) else {
            Issue.record("a .npy not named x… was accepted"); return
        }
        try fixture.write("x.npy", npyFile("|u1", shape: [1, 1], [0]))
        guard case .missingFile(let file, _) = dataError({ _ = try DataSource(argument: "x.npy", currentDirectory: fixture.directory) }),
              file.hasSuffix("/y.npy") else {
            Issue.record("x.npy without y.npy was accepted"); return
        }
    }

    @Test func refusedLayoutsAndTypesSayWhy() throws {
        func refusal(_ bytes: [UInt8]) -> String {
            do {
                _ = try NumPyArray(bytes: bytes, file: "a.npy")
                return "accepted"
            } catch {
                return "\(error)"
            }
        }
        #expect(refusal(npyFile("<f4", shape: [1], [0, 0, 0, 0], fortranOrder: true)).contains("Fortran order"))
        #expect(refusal(npyFile(">f4", shape: [1], [0, 0, 0, 0])).contains("big-endian >f4"))
        #expect(refusal(npyFile("|O", shape: [1], [0, 0, 0, 0, 0, 0, 0, 0])).contains("'|O'"))
        #expect(refusal(npyFile("<c8", shape: [1], [UInt8](repeating: 0, count: 8))).contains("'<c8'"))
        #expect(refusal(npyFile("<f4", shape: [2], [0, 0, 0, 0])).contains("truncated"))
        #expect(refusal(npyFile("<f4", shape: [1], [0, 0, 0, 0, 0])).contains("more bytes"))
        #expect(refusal(npyFile("<f4", shape: [1 << 40, 1 << 40], [])).contains("truncated"))
        #expect(refusal(Array("not numpy".utf8)).contains("not a NumPy .npy array"))
    }

    @Test func negativeAndFractionalLabelsNameFileAndIndex() throws {
        let images = try NumPyArray(bytes: npyFile("|u1", shape: [3, 1, 1], [0, 1, 2]), file: "x.npy")
        let negative = try NumPyArray(bytes: npyFile("<i8", shape: [3], littleEndianBytes([Int64(1), 2, -4])), file: "y.npy")
        #expect(dataError { _ = try Dataset(numPyImages: images, labels: negative) }
                == .invalidLabel(file: "y.npy", index: 2, value: "-4.0"))
        let fractional = try NumPyArray(bytes: npyFile("<f8", shape: [3], littleEndianBytes([1.0, 2.5, 3].map(\.bitPattern))),
                                        file: "y.npy")
        #expect(dataError { _ = try Dataset(numPyImages: images, labels: fractional) }
                == .invalidLabel(file: "y.npy", index: 1, value: "2.5"))
        let int16Images = try NumPyArray(bytes: npyFile("<i2", shape: [3, 1], [UInt8](repeating: 0, count: 6)), file: "x.npy")
        guard case .unsupportedDataType = dataError({ _ = try Dataset(numPyImages: int16Images, labels: negative) }) else {
            Issue.record("int16 images were accepted"); return
        }
    }

    @Test func encodedArraysReadBack() throws {
        let floats = NumPyArray(shape: [2, 3], floats: [1, 2, 3, 4, 5, -6])
        let read = try NumPyArray(bytes: floats.encoded(), file: "f.npy")
        #expect(read.shape == [2, 3] && read.elementType == .float32 && read.floats() == [1, 2, 3, 4, 5, -6])
        #expect((floats.encoded().count - 6 * 4) % 64 == 0)
        let integers = try NumPyArray(bytes: NumPyArray(shape: [3], integers: [0, 99, -1]).encoded(), file: "i.npy")
        #expect(integers.shape == [3] && integers.doubles() == [0, 99, -1])
    }

    @Test func mutatedHeadersNeverCrash() {
        let original = npyFile("<f4", shape: [2, 3], float32Bytes([1, 2, 3, 4, 5, 6]))
        var generator = RandomGenerator(seed: 7)
        for _ in 0..<2000 {
            var bytes = original
            for _ in 0..<(1 + generator.nextInt(below: 3)) {
                bytes[generator.nextInt(below: 74)] = UInt8(generator.nextInt(below: 256))
            }
            if let array = try? NumPyArray(bytes: bytes, file: "a.npy") { _ = array.floats() }
        }
    }
}
