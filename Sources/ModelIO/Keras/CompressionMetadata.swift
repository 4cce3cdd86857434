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
    static func write(_ model: Model, state: CompressionState = CompressionState(), to file: HDF5File) throws {
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

    /// Restores masks and codebooks written by ``write(_:state:to:)`` onto the parameters of
    /// `model` and returns the quantization beside them, after checking all of it: the group's
    /// format and version, that every entry names a parameter of the model, masks of 0 and 1,
    /// codebooks that fit their bits, int8 codes that give the weights, FP16 weights that are halves.
    ///
    /// This is the one place compression metadata is validated: every command that reads a
    /// Keras model goes through it (``KerasModelFile/loadModel()``).
    static func read(from file: HDF5File, into model: Model) throws -> CompressionState {
        var state = CompressionState()
        guard file.root.contains(groupName) else { return state }
        guard try file.root.kind(of: groupName) == .group else {
            throw ModelFileError(file: file.path, field: groupName, "is not a group")
        }
        let root = try file.root.group(groupName)
        try checkHeader(of: root, file: file.path)
        let parameters = Dictionary(model.namedParameters.map { ($0.key, $0.parameter) }, uniquingKeysWith: { first, _ in first })
        for layer in try root.childNames() {
            guard try root.kind(of: layer) == .group else {
                throw ModelFileError(file: file.path, layer: layer, field: "\(groupName)/\(layer)", "is not a group")
            }
            for name in try root.group(layer).childNames() {
                let key = "\(layer).\(name)"
                guard let parameter = parameters[key] else {
                    throw ModelFileError(file: file.path, layer: layer, field: "\(groupName)/\(layer)/\(name)",
                                         "the model has no parameter \(key)")
                }
                let path = "\(layer)/\(name)"
                guard try root.kind(of: path) == .group else {
                    throw ModelFileError(file: file.path, layer: layer, field: "\(groupName)/\(path)", "is not a group")
                }
                let entry = MetadataEntry(group: try root.group(path), file: file.path, layer: layer, path: "\(groupName)/\(path)")
                try entry.restoreMask(on: parameter)
                try entry.restoreCodebook(on: parameter)
                if let quantization = try entry.quantization(of: parameter) { state.quantization[key] = quantization }
            }
        }
        return state
    }

    /// Throws unless the group says `@format = "compress"` and a `@version` this code reads.
    private static func checkHeader(of root: HDF5Group, file: String) throws {
        let format = try root.hasAttribute("format") ? root.attribute("format").readString() : nil
        guard format == "compress" else {
            throw ModelFileError(file: file, field: "\(groupName)/format", "must be \"compress\", got \(format.map { "'\($0.escapingControlCharacters)'" } ?? "nothing")")
        }
        guard try root.hasAttribute("version") else { throw ModelFileError(file: file, field: "\(groupName)/version", "is missing") }
        let found = try MetadataEntry.integer(root.attribute("version"))
        guard found == Int(version) else {
            throw ModelFileError(file: file, field: "\(groupName)/version",
                                 "version \(found.map(String.init) ?? "(not an integer)") is not supported (this tool reads version \(version))")
        }
    }
}

/// The metadata group of one parameter, read and checked against the parameter.
private struct MetadataEntry {
    let group: HDF5Group
    let file: String
    let layer: String
    /// The group's path, for errors.
    let path: String

    func fail(_ field: String, _ message: String) -> ModelFileError {
        ModelFileError(file: file, layer: layer, field: "\(path)/\(field)", message)
    }

    /// The value of a scalar integer attribute; nil when it is not one.
    static func integer(_ attribute: HDF5Attribute) throws -> Int? {
        let integers: [HDF5ElementType] = [.int8, .int16, .int32, .int64, .uint8, .uint16, .uint32]
        guard integers.contains(attribute.elementType), attribute.elementCount == 1 else { return nil }
        return Int(try attribute.read(as: Int64.self)[0])
    }

    /// The integer attribute `name`; throws naming it when it is not one integer.
    func integer(_ name: String) throws -> Int {
        guard let value = try Self.integer(group.attribute(name)) else { throw fail(name, "must be one integer") }
        return value
    }

    func restoreMask(on parameter: Parameter) throws {
        guard group.contains("mask") else { return }
        let dataset = try group.dataset("mask")
        guard dataset.shape == parameter.shape else { throw fail("mask", "has shape \(dataset.shape), the weight has \(parameter.shape)") }
        let bits = try dataset.read(as: Float.self)
        if let bad = bits.firstIndex(where: { $0 != 0 && $0 != 1 }) {
            throw fail("mask", "element \(bad) is \(bits[bad]); a mask holds only 0 and 1")
        }
        let modeName = try group.hasAttribute("mask_mode") ? group.attribute("mask_mode").readString() : MaskMode.pruned.rawValue
        guard let mode = MaskMode(rawValue: modeName) else { throw fail("mask_mode", "unknown mode '\(modeName.escapingControlCharacters)'") }
        parameter.maskMode = mode
        parameter.mask = Tensor(shape: parameter.shape, scalars: bits)
        if mode == .pruned { parameter.applyMask() }
    }

    func restoreCodebook(on parameter: Parameter) throws {
        guard group.contains("centroids") || group.contains("assignments") else { return }
        guard group.contains("centroids"), group.contains("assignments") else {
            throw fail("centroids", "centroids and assignments must come together")
        }
        let centroidSet = try group.dataset("centroids")
        guard centroidSet.shape.count == 1, (1...(1 << 16)).contains(centroidSet.elementCount) else {
            throw fail("centroids", "must be a list of 1 to 65536 values, has shape \(centroidSet.shape)")
        }
        let centroids = try centroidSet.read(as: Float.self)
        guard centroids.allSatisfy(\.isFinite) else { throw fail("centroids", "must be finite") }
        let assignmentsSet = try group.dataset("assignments")
        guard assignmentsSet.shape == parameter.shape else {
            throw fail("assignments", "has shape \(assignmentsSet.shape), the weight has \(parameter.shape)")
        }
        guard [.int8, .int16, .int32, .int64].contains(assignmentsSet.elementType) else {
            throw fail("assignments", "is \(assignmentsSet.elementType), expected signed integers")
        }
        let assignments = try assignmentsSet.read(as: Int32.self)
        guard assignments.allSatisfy({ $0 >= -1 && $0 < Int32(centroids.count) }) else {
            throw fail("assignments", "an index is outside the \(centroids.count) centroids")
        }
        parameter.codebook = Codebook(assignments: assignments, centroids: centroids)
    }

    /// The k-means bits, int8 codes or FP16 storage recorded for `parameter` (with its codebook
    /// restored), checked against its weights; nil when none is.
    func quantization(of parameter: Parameter) throws -> ParameterQuantization? {
        var found: [ParameterQuantization] = []
        if try group.hasAttribute("bits") {
            guard let codebook = parameter.codebook else { throw fail("bits", "is set without centroids and assignments") }
            let bits = try integer("bits")
            guard BitWidths.allowedRange.contains(bits) else {
                throw fail("bits", "\(bits) is outside \(BitWidths.allowedRange.lowerBound)...\(BitWidths.allowedRange.upperBound)")
            }
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
            let axis = try integer("int8_axis")
            let quantized: Int8QuantizedTensor
            do {
                quantized = try Int8QuantizedTensor(
                    shape: parameter.shape, codes: codes.read(as: Int8.self),
                    scales: group.dataset("scales").read(as: Float.self),
                    zeroPoints: group.dataset("zero_points").read(as: Int32.self),
                    axis: axis == -1 ? nil : axis)
            } catch let error as CompressionError {
                throw ModelFileError(file: file, layer: layer, field: path, error.description)
            }
            guard quantized.dequantized().scalars == parameter.value.scalars else {
                throw fail("int8_values", "the weights in model_weights are not the dequantized int8 values")
            }
            found.append(.int8(quantized))
        }
        if try group.hasAttribute("storage") {
            let storage = try group.attribute("storage").readString()
            guard storage == "float16" else { throw fail("storage", "unknown storage '\(storage.escapingControlCharacters)' (known: float16)") }
            if let index = parameter.value.scalars.firstIndex(where: { Float16Bits.decode(Float16Bits.encode($0)) != $0 }) {
                throw fail("storage", "is float16 but weight element \(index) is not a half-precision value")
            }
            found.append(.float16)
        }
        guard found.count <= 1 else {
            throw ModelFileError(file: file, layer: layer, field: path, "holds more than one quantization (k-means bits, int8, float16)")
        }
        return found.first
    }
}

/// Loads a model file with its compression state: the model as ``loadModel(path:)`` gives it
/// (masks and codebooks on its parameters) and the quantization kept beside it (k-means bits,
/// int8 codes and scales, FP16 storage), checked against the weights.
///
/// ```swift
/// let (model, state) = try loadModelWithCompressionState(path: "lenet5-int8.h5")
/// ```
public func loadModelWithCompressionState(path: String) throws -> (model: Model, state: CompressionState) {
    guard FileManager.default.fileExists(atPath: path) else {
        throw ModelFileError(file: path, "no such file")
    }
    return try KerasModelFile(path: path).loadModelWithState()
}
