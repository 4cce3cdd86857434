import Compression
import Foundation
import ModelIO
import Testing

/// A `.dcz` file whose sparse layer is all filler spans 2040 weights per byte; `inspect` reads
/// it without expanding them, in memory proportional to the file.
@Suite("Compressed files of fillers")
struct ContainerFillerTests {
    /// A file with one Dense layer `inputs x units`, no bias, whose kernel stores nothing: a
    /// Huffman-coded index stream of fillers only (b = 8, 255 elements each).
    static func allFiller(inputs: Int, units: Int) -> [UInt8] {
        var architecture = ByteWriter()
        architecture.appendVarint(0)   // no model name
        architecture.appendVarint(1)
        architecture.appendVarint(inputs)
        architecture.appendVarint(1)   // one layer
        architecture.append(1)         // dense
        architecture.appendVarint(0)   // default name
        architecture.appendVarint(units)
        architecture.append(0)         // linear, no bias
        var record = ByteWriter()
        record.append(0x04)            // float32, sparse
        record.append(0xC1)            // b = 8, index stream Huffman-coded, value planes raw
        let fillers = [UInt8](repeating: 255, count: inputs * units / 255)
        record.appendVarint(fillers.count)
        _ = SymbolStream.write(fillers, alphabetSize: 256, to: &record)
        var file = ByteWriter()
        file.append(contentsOf: CompressedModelFormat.magic)
        file.append(CompressedModelFormat.version)
        for body in [architecture, record] {
            file.appendVarint(body.count)
            file.append(contentsOf: body.bytes)
            file.appendUInt32(ContainerCorruptionTests.crc32(body.bytes[...]))
        }
        return file.bytes
    }

    @Test("the summary of 67 million filler weights comes from a 33 KB file without expanding them")
    func summaryWithoutExpanding() throws {
        let bytes = Self.allFiller(inputs: 8192, units: 8160)
        #expect(bytes.count < 40_000)
        let summary = try decodeCompressedModelSummary(bytes, file: "filler.dcz")
        #expect(summary.parameterCount == 8192 * 8160)
        #expect(summary.layers.first?.parameters.first?.stored == 0)
        #expect(summary.fileBytes == bytes.count)
    }

    @Test("summary and full decoding agree on a small file")
    func summaryMatchesFullDecoding() throws {
        let bytes = Self.allFiller(inputs: 100, units: 51)
        let full = try decodeCompressedModel(bytes, file: "filler.dcz")
        #expect(try decodeCompressedModelSummary(bytes, file: "filler.dcz") == full.summary)
        #expect(full.model.parameter(named: "dense.kernel")?.value.scalars.allSatisfy { $0 == 0 } == true)
    }
}
