import Compression
import Foundation
import HDF5
import NN
import TensorCore

/// The group a model file keeps compression state in, which Keras ignores when loading.
///
/// Layout, one group per parameter that has state:
/// ```text
/// /compression                       @format = "compress", @version = 1
/// /compression/<layer>/<parameter>   @mask_mode = "pruned" | "surgery"   (when masked)
///     mask          uint8, the parameter's shape, 0 = cut, 1 = kept
///   k-means weight sharing:
///     centroids     float32 [k]
///     assignments   int32, the parameter's shape, -1 = fixed at zero (a pruned weight)
///     @bits         int32 scalar, bits per index; k <= 2^bits (absent: ceil(log2 k))
///   int8 (`compress quantize --method int8`):
///     int8_values   int8, the parameter's shape, the codes q
///     scales        float32 [channels] per channel, or [1] per tensor
///     zero_points   int32, as many as scales (all 0 when symmetric)
///     @int8_axis    int32 scalar: -1 per tensor, else the channel axis (the last, output-channel
///                   axis of Dense [in, out] and Conv2D [h, w, in, out] kernels)
///   FP16 (`compress quantize --method fp16`):
///     @storage      "float16"
/// ```
/// The weights under `model_weights` always hold what the model computes with, so the file stays
/// a working Keras model: the centroid of each weight for k-means, `scale[c] * (q - zero_point[c])`
/// (in float32) for int8, exactly the rounded halves for FP16.
///
/// A later `prune`, `quantize` or `train` reads masks and codebooks back, so pruned weights stay at
/// zero and shared weights stay on their codebook. The rest (bits, int8 codes, FP16 storage) is a
/// ``CompressionState`` returned by ``loadModelWithCompressionState(path:)``; a model saved without
/// it (retrained, say) drops those entries, since its weights no longer match them.
enum CompressionMetadata {
    static let groupName = "compression"
    static let version: Int32 = 1

    /// Writes the masks and codebooks of `model`'s parameters and the quantization of `state`;
    /// nothing when there is none.
    static func write(_ model: Sequential, state: CompressionState = CompressionState(), to file: HDF5File) throws {
        let stateful = model.namedParameters.filter {
            $0.parameter.mask != nil || $0.parameter.codebook != nil || state.quantization[$0.key] != nil
        }
        guard !stateful.isEmpty else { return }
        let root = try file.root.createGroup(groupName)
        try root.setAttribute("format", string: "compress")
        try root.setAttribute("version", values: [version], shape: [])
        for (key, parameter) in stateful {
            var group = root
            for component in key.split(separator: ".") { group = try group.groupCreatingIfNeeded(String(component)) }
            if let mask = parameter.mask {
                try group.setAttribute("mask_mode", string: parameter.maskMode.rawValue)
                try group.createDataset("mask", values: mask.scalars.map { $0 != 0 ? UInt8(1) : 0 }, shape: mask.shape)
            }
            if let codebook = parameter.codebook {
                try group.createDataset("centroids", values: codebook.centroids, shape: [codebook.centroids.count])
                try group.createDataset("assignments", values: codebook.assignments, shape: parameter.shape)
            }
            switch state.quantization[key] {
            case .weightSharing(let bits)?:
                if parameter.codebook != nil { try group.setAttribute("bits", values: [Int32(bits)], shape: []) }
            case .int8(let quantized)?:
                try group.createDataset("int8_values", values: quantized.codes, shape: quantized.shape)
                try group.createDataset("scales", values: quantized.scales, shape: [quantized.scales.count])
                try group.createDataset("zero_points", values: quantized.zeroPoints, shape: [quantized.zeroPoints.count])
                try group.setAttribute("int8_axis", values: [Int32(quantized.axis ?? -1)], shape: [])
            case .float16?:
                try group.setAttribute("storage", string: "float16")
            case nil:
                break
            }
        }
    }

    /// Restores masks and codebooks written by ``write(_:to:)`` onto the parameters of `model`.
    static func read(from file: HDF5File, into model: Sequential) throws {
        guard file.root.contains(groupName) else { return }
        let root = try file.root.group(groupName)
        for (key, parameter) in model.namedParameters {
            let path = key.replacingOccurrences(of: ".", with: "/")
            guard root.contains(path), try root.kind(of: path) == .group else { continue }
            let group = try root.group(path)
            let layer = String(key.split(separator: ".").first ?? "")
            func fail(_ field: String, _ message: String) -> ModelFileError {
                ModelFileError(file: file.path, layer: layer, field: "\(groupName)/\(path)/\(field)", message)
            }
            if group.contains("mask") {
                let dataset = try group.dataset("mask")
                guard dataset.shape == parameter.shape else { throw fail("mask", "has shape \(dataset.shape), the weight has \(parameter.shape)") }
                let bits = try dataset.read(as: UInt8.self)
                guard bits.allSatisfy({ $0 <= 1 }) else { throw fail("mask", "must hold only 0 and 1") }
                let modeName = try group.hasAttribute("mask_mode") ? group.attribute("mask_mode").readString() : MaskMode.pruned.rawValue
                guard let mode = MaskMode(rawValue: modeName) else { throw fail("mask_mode", "unknown mode '\(modeName)'") }
                parameter.maskMode = mode
                parameter.mask = Tensor(shape: parameter.shape, scalars: bits.map(Float.init))
                if mode == .pruned { parameter.applyMask() }
            }
            if group.contains("centroids") || group.contains("assignments") {
                guard group.contains("centroids"), group.contains("assignments") else {
                    throw fail("centroids", "centroids and assignments must come together")
                }
                let centroids = try group.dataset("centroids").read(as: Float.self)
                let assignmentsSet = try group.dataset("assignments")
                guard assignmentsSet.shape == parameter.shape else {
                    throw fail("assignments", "has shape \(assignmentsSet.shape), the weight has \(parameter.shape)")
                }
                let assignments = try assignmentsSet.read(as: Int32.self)
                guard assignments.allSatisfy({ $0 >= -1 && $0 < Int32(centroids.count) }) else {
                    throw fail("assignments", "an index is outside the \(centroids.count) centroids")
                }
                guard centroids.allSatisfy(\.isFinite) else { throw fail("centroids", "must be finite") }
                parameter.codebook = Codebook(assignments: assignments, centroids: centroids)
            }
        }
    }
}

extension CompressionMetadata {
    /// Reads the quantization written by ``write(_:state:to:)`` for the parameters of `model`
    /// (already loaded, with its codebooks), checking that it fits them.
    static func readState(from file: HDF5File, model: Sequential) throws -> CompressionState {
        var state = CompressionState()
        guard file.root.contains(groupName) else { return state }
        let root = try file.root.group(groupName)
        for (key, parameter) in model.namedParameters {
            let path = key.replacingOccurrences(of: ".", with: "/")
            guard root.contains(path), try root.kind(of: path) == .group else { continue }
            let group = try root.group(path)
            let layer = String(key.split(separator: ".").first ?? "")
            func fail(_ field: String, _ message: String) -> ModelFileError {
                ModelFileError(file: file.path, layer: layer, field: "\(groupName)/\(path)/\(field)", message)
            }
            var found: [ParameterQuantization] = []
            if try group.hasAttribute("bits") {
                guard let codebook = parameter.codebook else { throw fail("bits", "is set without centroids and assignments") }
                let values = try group.attribute("bits").read(as: Int32.self)
                guard values.count == 1, BitWidths.allowedRange.contains(Int(values[0])) else {
                    throw fail("bits", "must be one integer in \(BitWidths.allowedRange.lowerBound)...\(BitWidths.allowedRange.upperBound)")
                }
                let bits = Int(values[0])
                guard codebook.centroids.count <= 1 << bits else {
                    throw fail("centroids", "\(codebook.centroids.count) centroids do not fit in \(bits) bits")
                }
                found.append(.weightSharing(bits: bits))
            }
            let int8Fields = ["int8_values", "scales", "zero_points"]
            let hasAxis = try group.hasAttribute("int8_axis")
            if hasAxis || int8Fields.contains(where: group.contains) {
                for field in int8Fields where !group.contains(field) {
                    throw fail(field, "is missing; int8 needs int8_values, scales, zero_points and @int8_axis")
                }
                guard hasAxis else { throw fail("int8_axis", "is missing; int8 needs int8_values, scales, zero_points and @int8_axis") }
                let codes = try group.dataset("int8_values")
                guard codes.elementType == .int8 else { throw fail("int8_values", "is \(codes.elementType), expected int8") }
                guard codes.shape == parameter.shape else {
                    throw fail("int8_values", "has shape \(codes.shape), the weight has \(parameter.shape)")
                }
                let axisValues = try group.attribute("int8_axis").read(as: Int32.self)
                guard axisValues.count == 1 else { throw fail("int8_axis", "must be one integer") }
                let quantized: Int8QuantizedTensor
                do {
                    quantized = try Int8QuantizedTensor(
                        shape: parameter.shape, codes: codes.read(as: Int8.self),
                        scales: group.dataset("scales").read(as: Float.self),
                        zeroPoints: group.dataset("zero_points").read(as: Int32.self),
                        axis: axisValues[0] == -1 ? nil : Int(axisValues[0]))
                } catch let error as CompressionError {
                    throw ModelFileError(file: file.path, layer: layer, field: "\(groupName)/\(path)", error.description)
                }
                guard quantized.dequantized().scalars == parameter.value.scalars else {
                    throw fail("int8_values", "the weights in model_weights are not the dequantized int8 values")
                }
                found.append(.int8(quantized))
            }
            if try group.hasAttribute("storage") {
                let storage = try group.attribute("storage").readString()
                guard storage == "float16" else { throw fail("storage", "unknown storage '\(storage)' (known: float16)") }
                if let index = parameter.value.scalars.firstIndex(where: { Float16Bits.decode(Float16Bits.encode($0)) != $0 }) {
                    throw fail("storage", "is float16 but weight element \(index) is not a half-precision value")
                }
                found.append(.float16)
            }
            guard found.count <= 1 else {
                throw ModelFileError(file: file.path, layer: layer, field: "\(groupName)/\(path)",
                                     "holds more than one quantization (k-means bits, int8, float16)")
            }
            if let quantization = found.first { state.quantization[key] = quantization }
        }
        return state
    }
}

/// Loads a model file with its compression state: the model as ``loadModel(path:)`` gives it
/// (masks and codebooks on its parameters) and the quantization kept beside it (k-means bits,
/// int8 codes and scales, FP16 storage), checked against the weights.
///
/// ```swift
/// let (model, state) = try loadModelWithCompressionState(path: "lenet5-int8.h5")
/// ```
public func loadModelWithCompressionState(path: String) throws -> (model: Sequential, state: CompressionState) {
    guard FileManager.default.fileExists(atPath: path) else {
        throw ModelFileError(file: path, "no such file")
    }
    let file = try KerasModelFile(path: path)
    let model = try file.loadModel()
    return (model, try CompressionMetadata.readState(from: file.hdf5, model: model))
}
