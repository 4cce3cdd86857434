import Compression
import Foundation
import FuzzSupport
import ModelIO
import NN
import TensorCore

/// Fuzz target for the compressed model decoder (`Scripts/fuzz-container.sh`).
///
/// Built with `-sanitize=fuzzer -D FUZZING`, `main` hands over to libFuzzer's driver, which calls
/// the check with each input. Each input is decoded as it is and, so that mutations reach the
/// parser behind the checksums, once more with every section's CRC32 recomputed. The decoder must
/// either throw a `ModelFileError` or give a model; a model it gives must encode again, and decode
/// to the same weights. Anything else (a trap, a mismatch) is a crash libFuzzer records.
///
/// Built normally, the executable replays files through the same check (`ContainerFuzz FILE...`).
/// Either way, `ContainerFuzz --write-seeds DIR` writes the seed corpus of small valid files.
func checkDecoder(_ bytes: [UInt8]) {
    checkDecoding(bytes)
    let resealed = resealingSections(bytes)
    if resealed != bytes { checkDecoding(resealed) }
}

func checkDecoding(_ bytes: [UInt8]) {
    guard let decoded = try? decodeCompressedModel(bytes, file: "fuzz") else { return }
    let again: [UInt8]
    do {
        again = try encodeCompressedModel(decoded.model, name: decoded.name, state: decoded.state).bytes
    } catch {
        fatalError("a decoded model does not encode again: \(error)")
    }
    guard let redecoded = try? decodeCompressedModel(again, file: "fuzz-again") else {
        fatalError("a re-encoded model does not decode")
    }
    for ((key, a), (_, b)) in zip(decoded.model.namedParameters, redecoded.model.namedParameters) {
        guard a.value.scalars.map(\.bitPattern) == b.value.scalars.map(\.bitPattern), a.mask == b.mask else {
            fatalError("\(key) differs after encoding a decoded model again")
        }
    }
}

/// `bytes` with the CRC32 of every section that its framing delimits recomputed.
func resealingSections(_ bytes: [UInt8]) -> [UInt8] {
    var bytes = bytes
    var position = 5
    while position < bytes.count {
        var length = 0, shift = 0
        while position < bytes.count, shift < 35 {
            let byte = bytes[position]
            position += 1
            length |= Int(byte & 0x7F) << shift
            shift += 7
            if byte & 0x80 == 0 { break }
        }
        guard length <= bytes.count - position - 4 else { break }
        let crc = crc32(bytes[position..<(position + length)])
        position += length
        for i in 0..<4 { bytes[position + i] = UInt8(truncatingIfNeeded: crc >> (8 * i)) }
        position += 4
    }
    return bytes
}

/// The CRC-32 of zlib and PNG.
func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
    }
    return ~crc
}

@main
enum ContainerFuzzMain {
    static func main() throws {
        try fuzzMain("ContainerFuzz", check: checkDecoder) { try writeSeeds(to: $0) }
    }

    /// Small valid files with every encoding: sparse k-means, int8 per channel, FP16, plain and
    /// sparse floats, surgery masks, and a network with every layer type.
    static func writeSeeds(to directory: String) throws {
        var generator = RandomGenerator(seed: 1)
        func dense(_ inputs: Int, _ units: Int) -> Model {
            let kernel = generator.normal(shape: [inputs, units], standardDeviation: 0.1)
            let bias = generator.normal(shape: [units], standardDeviation: 0.01)
            return Model(inputShape: [inputs], layers: [("fc", Dense(kernel: kernel, bias: bias, activation: .relu))])
        }
        func mask(_ parameter: Parameter, keep: Int, mode: MaskMode = .pruned) {
            parameter.mask = Tensor(shape: parameter.shape, scalars: (0..<parameter.count).map { _ in generator.nextInt(below: 100) < keep ? 1 : 0 })
            parameter.maskMode = mode
            if mode == .pruned { parameter.applyMask() }
        }
        var seeds: [(String, Model, CompressionState)] = []

        let plain = dense(20, 8)
        seeds.append(("plain", plain, CompressionState()))

        let sparse = dense(40, 10)
        mask(sparse.parameter(named: "fc.kernel")!, keep: 10)
        seeds.append(("sparse", sparse, CompressionState()))

        let surgery = dense(16, 6)
        mask(surgery.parameter(named: "fc.kernel")!, keep: 30, mode: .surgery)
        seeds.append(("surgery", surgery, CompressionState()))

        let kmeans = dense(50, 12)
        let kernel = kmeans.parameter(named: "fc.kernel")!
        mask(kernel, keep: 20)
        let centroids = (0..<16).map { Float($0 - 8) / 32 }
        // Uneven use, most of it away from the lowest centroids: the file lists them by use.
        kernel.codebook = Codebook(assignments: kernel.mask!.scalars.map {
            $0 == 0 ? -1 : Int32(generator.nextInt(below: 4) * generator.nextInt(below: 4) * 7 % 16)
        }, centroids: centroids)
        seeds.append(("kmeans", kmeans, CompressionState(quantization: ["fc.kernel": .weightSharing(bits: 4)])))

        let int8 = dense(12, 8)
        let quantized = Int8QuantizedTensor(quantizing: int8.parameter(named: "fc.kernel")!.value, symmetric: false, axis: 1)
        int8.parameter(named: "fc.kernel")!.value = quantized.dequantized()
        seeds.append(("int8", int8, CompressionState(quantization: ["fc.kernel": .int8(quantized)])))

        let half = dense(10, 10)
        let halfKernel = half.parameter(named: "fc.kernel")!
        halfKernel.value = Tensor(shape: halfKernel.shape, scalars: halfKernel.value.scalars.map { Float16Bits.decode(Float16Bits.encode($0)) })
        seeds.append(("float16", half, CompressionState(quantization: ["fc.kernel": .float16])))

        let zoo = try Architecture(name: "zoo", inputShape: [8, 8, 2], layers: [
            LayerSpec("pad", ZeroPadding2D.self, ["padding": [1, 1, 0, 1]]),
            LayerSpec("conv", Conv2D.self, ["filters": 3, "kernel_size": 3, "padding": "same", "activation": "relu"]),
            LayerSpec("norm", BatchNormalization.self),
            LayerSpec("depthwise", DepthwiseConv2D.self, ["kernel_size": 2, "depth_multiplier": 2]),
            LayerSpec("pool", MaxPool2D.self, ["pool_size": 2]),
            LayerSpec("avg", AveragePool2D.self, ["pool_size": 2, "strides": 1, "padding": "same"]),
            LayerSpec("reshape", Reshape.self, ["target_shape": [-1, 6]]),
            LayerSpec("drop1", Dropout.self, ["rate": 0.5]),
            LayerSpec("act", ActivationLayer.self, ["activation": "tanh"]),
            LayerSpec("drop2", Dropout.self, ["rate": 0.25]),
            LayerSpec("flatten", Flatten.self),
            LayerSpec("dense", Dense.self, ["units": 4, "activation": "softmax"]),
        ]).build(seed: 2)
        mask(zoo.parameter(named: "conv.kernel")!, keep: 40)
        seeds.append(("zoo", zoo, CompressionState()))

        for (name, model, state) in seeds {
            let bytes = try encodeCompressedModel(model, name: name, state: state, settings: CompressedModelSettings(keepModelName: true)).bytes
            try Data(bytes).write(to: URL(fileURLWithPath: directory).appendingPathComponent("\(name).dcz"))
        }
        print("wrote \(seeds.count) seeds to \(directory)")
    }
}
