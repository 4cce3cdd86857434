import Compression
import DCZRuntime
import ModelIO
import NN
import TensorCore
import Testing

/// The C runtime (Sources/DCZRuntime) refuses what compress's own reader refuses, with a status
/// and one line naming the layer, and measures its arena exactly.
@Suite("C runtime validation")
struct RuntimeValidationTests {
    /// A small model with a sparse k-means convolution, a batch normalization with a half-precision
    /// gamma and an int8 dense layer.
    static func sampleFile() throws -> [UInt8] {
        let model = try Architecture(parsing: """
            input 6x6x2
            conv2d conv1 filters=3 kernel=3 activation=relu
            maxpool2d pool1 size=2
            flatten
            batchnorm bn1
            dense fc1 units=4 activation=softmax
            """).build(seed: 3)
        var state = CompressionState()
        let kernel = model.parameter(named: "conv1.kernel")!
        let centroids: [Float] = [-0.25, -0.125, 0.125, 0.25]
        let assignments = (0..<kernel.count).map { Int32($0 % 3 == 0 ? -1 : $0 % 4) }
        kernel.mask = Tensor(shape: kernel.shape, scalars: assignments.map { $0 < 0 ? 0 : 1 })
        kernel.codebook = Codebook(assignments: assignments, centroids: centroids)
        kernel.value = Tensor(shape: kernel.shape, scalars: assignments.map { $0 < 0 ? 0 : centroids[Int($0)] })
        state.quantization["conv1.kernel"] = .weightSharing(bits: 2)
        let gamma = model.parameter(named: "bn1.gamma")!
        gamma.value = Tensor(shape: gamma.shape, scalars: (0..<gamma.count).map { 1 + Float($0 % 5) / 8 })
        state.quantization["bn1.gamma"] = .float16
        let dense = model.parameter(named: "fc1.kernel")!
        let quantized = Int8QuantizedTensor(quantizing: dense.value, symmetric: false, axis: 1)
        dense.value = quantized.dequantized()
        state.quantization["fc1.kernel"] = .int8(quantized)
        return try encodeCompressedModel(model, name: "sample", state: state).bytes
    }

    /// The runtime's verdict: its status in streaming mode and its error line.
    static func runtimeVerdict(_ bytes: [UInt8]) -> (status: dcz_status, error: String) {
        var model = dcz_model()
        let size = dcz_arena_size_needed(bytes, bytes.count, DCZ_MODE_STREAMING)
        var arena = [UInt8](repeating: 0, count: max(size, 1))
        let status = dcz_model_init(&model, bytes, bytes.count, &arena, size, DCZ_MODE_STREAMING)
        return (status, String(cString: dcz_model_error(&model)))
    }

    /// `bytes` with every section's CRC-32 made right again, so that a change reaches the parser.
    static func resealed(_ bytes: [UInt8]) -> [UInt8] {
        var bytes = bytes
        var position = 5
        while position < bytes.count {
            var length = 0, shift = 0
            while position < bytes.count, shift < 63 {
                let byte = bytes[position]
                position += 1
                length |= Int(byte & 0x7F) << shift
                shift += 7
                if byte & 0x80 == 0 { break }
            }
            guard length >= 0, length <= bytes.count - position - 4 else { break }
            let crc = crc32(bytes[position..<(position + length)])
            position += length
            for i in 0..<4 { bytes[position + i] = UInt8(truncatingIfNeeded: crc >> (8 * i)) }
            position += 4
        }
        return bytes
    }

    /// CRC-32 (ISO-HDLC, as zlib), bit by bit.
    static func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    @Test("the arena it measures is exactly what init needs, in both modes")
    func arenaIsExact() throws {
        let bytes = try Self.sampleFile()
        for mode in [DCZ_MODE_STREAMING, DCZ_MODE_DECODED] {
            let size = dcz_arena_size_needed(bytes, bytes.count, mode)
            #expect(size > 0)
            var model = dcz_model()
            var arena = [UInt8](repeating: 0, count: size)
            #expect(dcz_model_init(&model, bytes, bytes.count, &arena, size - 1, mode) == DCZ_E_ARENA)
            #expect(dcz_model_init(&model, bytes, bytes.count, &arena, size, mode) == DCZ_OK)
            #expect(dcz_model_input_count(&model) == 72 && dcz_model_output_count(&model) == 4)
        }
    }

    @Test("a corrupt layer section is refused naming the layer, and every truncation is refused")
    func corruptionIsNamed() throws {
        let bytes = try Self.sampleFile()
        var flipped = bytes
        flipped[bytes.count - 10] ^= 0x40   // inside fc1's section, the last one
        let verdict = Self.runtimeVerdict(flipped)
        #expect(verdict.status == DCZ_E_CRC)
        #expect(verdict.error.hasPrefix("layer 4 'fc1': section: "), "\(verdict.error)")
        for length in 0..<bytes.count {
            #expect(Self.runtimeVerdict(Array(bytes.prefix(length))).status != DCZ_OK, "truncated to \(length) bytes")
        }
    }

    @Test("with CRCs made right, it accepts a changed file exactly when compress's reader does")
    func agreesWithTheSwiftReader() throws {
        let bytes = try Self.sampleFile()
        var disagreements: [String] = []
        var accepted = 0, cases = 0
        for position in 5..<bytes.count {
            for flip: UInt8 in [0x01, 0x10, 0x80, 0xFF] {
                var changed = bytes
                changed[position] ^= flip
                changed = Self.resealed(changed)
                let swift = (try? decodeCompressedModel(changed, file: "m.dcz")) != nil
                let runtime = Self.runtimeVerdict(changed)
                cases += 1
                if swift { accepted += 1 }
                if swift != (runtime.status == DCZ_OK) {
                    disagreements.append("byte \(position) ^ \(flip): compress \(swift ? "accepts" : "refuses"), runtime \(runtime.error)")
                }
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(5))")
        #expect(accepted > cases / 10 && accepted < cases * 9 / 10, "\(accepted) of \(cases) changed files decode")
    }
}
