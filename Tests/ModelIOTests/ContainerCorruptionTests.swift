import Compression
import Foundation
import ModelIO
import NN
import TensorCore
import Testing

/// The decoder treats its input as hostile: truncations, bit flips and inconsistent counts give
/// a one-line `ModelFileError`, never a trap or an allocation the file does not justify.
@Suite("Compressed model corruption")
struct ContainerCorruptionTests {
    /// A small file with a sparse k-means kernel and a float bias.
    static let sample: [UInt8] = {
        let (model, state) = ContainerSamples.denseModel(inputs: 30, units: 8, kind: .sparseKMeans, seed: 11)
        return try! encodeCompressedModel(model, name: "sample", state: state).bytes
    }()

    /// The sections of a file: `(length varint start, body range, crc offset)`.
    static func sections(_ bytes: [UInt8]) -> [(start: Int, body: Range<Int>)] {
        var result: [(Int, Range<Int>)] = []
        var position = 5
        while position < bytes.count {
            let start = position
            var length = 0, shift = 0
            while true {
                let byte = bytes[position]
                position += 1
                length |= Int(byte & 0x7F) << shift
                if byte & 0x80 == 0 { break }
                shift += 7
            }
            result.append((start, position..<(position + length)))
            position += length + 4
        }
        return result
    }

    /// The CRC-32 of zlib and PNG, bit by bit.
    /// A file of magic, version and one architecture section holding `body` (nothing after it).
    static func file(architecture body: ByteWriter) -> [UInt8] {
        var file = ByteWriter()
        file.append(contentsOf: CompressedModelFormat.magic)
        file.append(CompressedModelFormat.version)
        file.appendVarint(body.count)
        file.append(contentsOf: body.bytes)
        file.appendUInt32(crc32(body.bytes[...]))
        return file.bytes
    }

    static func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    /// Recomputes every section's CRC, so a change to a body reaches the decoder past the CRC check.
    static func resealed(_ bytes: [UInt8]) -> [UInt8] {
        var bytes = bytes
        for section in sections(bytes) {
            let crc = crc32(bytes[section.body])
            for i in 0..<4 { bytes[section.body.upperBound + i] = UInt8(truncatingIfNeeded: crc >> (8 * i)) }
        }
        return bytes
    }

    func expectFileError(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(sourceLocation: sourceLocation) {
            try decodeCompressedModel(bytes, file: "bad.dcz")
        } throws: { error in
            guard let error = error as? ModelFileError else { return false }
            return error.file == "bad.dcz" && !error.description.contains("\n")
        }
    }

    @Test("every truncation is an error")
    func truncations() {
        let bytes = Self.sample
        for length in 0..<bytes.count { expectFileError(Array(bytes.prefix(length))) }
        expectFileError(bytes + [0])
    }

    @Test("every single flipped bit is an error (magic, version, lengths or a section's CRC)")
    func bitFlips() {
        let bytes = Self.sample
        for bit in 0..<(bytes.count * 8) {
            var flipped = bytes
            flipped[bit / 8] ^= 1 << (bit % 8)
            expectFileError(flipped)
        }
    }

    @Test("a flipped bit reports the CRC of the layer's section")
    func crcMessage() {
        var bytes = Self.sample
        let layer = Self.sections(bytes)[1]
        bytes[layer.body.lowerBound + 3] ^= 0x10
        #expect {
            try decodeCompressedModel(bytes, file: "bad.dcz")
        } throws: { error in
            String(describing: error).contains("layer 'fc'") && String(describing: error).contains("CRC32")
        }
    }

    @Test("random changes behind valid CRCs decode or fail cleanly", arguments: [1, 2, 3])
    func resealedMutations(seed: UInt64) throws {
        var generator = RandomGenerator(seed: seed)
        let bytes = Self.sample
        let bodies = Self.sections(bytes).map(\.body)
        var failures = 0
        for _ in 0..<1000 {
            var mutated = bytes
            let body = bodies[generator.nextInt(below: bodies.count)]
            for _ in 0..<(1 + generator.nextInt(below: 3)) where !body.isEmpty {
                mutated[body.lowerBound + generator.nextInt(below: body.count)] = UInt8(generator.nextInt(below: 256))
            }
            do {
                _ = try decodeCompressedModel(Self.resealed(mutated), file: "bad.dcz")
            } catch is ModelFileError {
                failures += 1
            }
        }
        #expect(failures > 500)
    }

    @Test("an architecture larger than the file can justify is refused before anything is allocated")
    func hugeArchitecture() throws {
        // One Dense layer of 2^24 units on an input of 2^20: 2^44 weights claimed by a tiny file.
        var body = ByteWriter()
        body.appendString("huge")
        body.appendVarint(1)
        body.appendVarint(1 << 20)
        body.appendVarint(1)
        body.append(1)                // dense
        body.appendVarint(0)          // the default name
        body.appendVarint(1 << 24)
        body.append(0x08)
        #expect {
            try decodeCompressedModel(Self.file(architecture: body), file: "bad.dcz")
        } throws: { error in
            String(describing: error).contains("architecture")
        }
        // 300 x 300 weights in a file of a few dozen bytes: within the extents, but not justified.
        var small = ByteWriter()
        small.appendString("m")
        small.appendVarint(1)
        small.appendVarint(3000)
        small.appendVarint(1)
        small.append(1)
        small.appendVarint(0)
        small.appendVarint(3000)
        small.append(0x08)
        #expect {
            try decodeCompressedModel(Self.file(architecture: small), file: "bad.dcz")
        } throws: { error in
            String(describing: error).contains("more than a file of")
        }
    }

    @Test("a layer name that counts on from no earlier layer of its type, or from a name without a number, is an error")
    func countedOnNameWithoutNumber() throws {
        for (layers, expected) in [([(7, 1)], "no earlier layer of its type"), ([(9, 0), (7, 1)], "no earlier layer of its type"),
                                   ([(7, 0), (7, 1)], "'flatten', which does not end in a number")] {
            var body = ByteWriter()
            body.appendString("")
            body.appendVarint(1)
            body.appendVarint(4)
            body.appendVarint(layers.count)
            for (type, nameCode) in layers {
                body.append(UInt8(type))   // 7 flatten, 9 dropout (then its rate)
                body.appendVarint(nameCode)
                if type == 9 { body.appendFloat32(0.5) }
            }
            #expect { try decodeCompressedModel(Self.file(architecture: body), file: "bad.dcz") } throws: {
                String(describing: $0).contains("name") && String(describing: $0).contains(expected)
            }
        }
    }

    @Test("centroids listed by use that are not distinct numbers are an error")
    func byUseCentroidsMustBeDistinct() throws {
        let model = try Architecture(name: "", inputShape: [40], layers: [LayerSpec("fc", Dense.self, ["units": 10, "use_bias": false])]).build(seed: 1)
        let kernel = model.parameter(named: "fc.kernel")!
        // 16 ascending halves used unevenly, so listing them by use makes the smaller record.
        let centroids: [Float] = (0..<16).map { Float($0) / 64 - 0.125 }
        let uses = [1, 40, 3, 100, 7, 60, 2, 30, 5, 80, 4, 20, 6, 12, 9, 21]   // 400 in all
        let assignments: [Int32] = uses.enumerated().flatMap { [Int32](repeating: Int32($0.offset), count: $0.element) }
        let codebook = Codebook(assignments: assignments, centroids: centroids)
        kernel.codebook = codebook
        kernel.value = codebook.decoded(shape: kernel.shape)
        var bytes = try encodeCompressedModel(model, name: "").bytes
        // magic, version, the architecture section (a one-byte length), then the layer section.
        var cursor = ByteCursor(bytes)
        _ = try cursor.skip("head", count: 5)
        _ = try cursor.skip("architecture", count: try cursor.readVarint("length", max: 127) + 4)
        let bodyLength = try cursor.readVarint("length", max: bytes.count)
        let body = cursor.position
        // The record: flags, modes, codebook header (by use, f16 centroids), k = 16, centroids.
        #expect(bytes[body + 2] & 0x60 == 0x60)
        #expect(bytes[body + 3] == 16)
        bytes[body + 6] = bytes[body + 4]   // the second listed centroid equals the first
        bytes[body + 7] = bytes[body + 5]
        let crc = Self.crc32(bytes[body..<(body + bodyLength)])
        for i in 0..<4 { bytes[body + bodyLength + i] = UInt8(truncatingIfNeeded: crc >> (8 * i)) }
        #expect { try decodeCompressedModel(bytes, file: "bad.dcz") } throws: {
            String(describing: $0).contains("must be distinct numbers")
        }
    }

    @Test("a wrong version and a foreign file are named as such")
    func versionAndMagic() {
        var bytes = Self.sample
        bytes[4] = 9
        #expect { try decodeCompressedModel(bytes, file: "bad.dcz") } throws: { String(describing: $0).contains("version 9") }
        #expect { try decodeCompressedModel(Array("not a model".utf8), file: "bad.dcz") } throws: {
            String(describing: $0).contains("not a compressed model file")
        }
    }
}
