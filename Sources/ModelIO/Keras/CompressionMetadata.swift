import HDF5
import NN
import TensorCore

/// The group a model file keeps compression state in, which Keras ignores when loading.
///
/// Layout, one group per parameter that has state:
/// ```text
/// /compression                       @format = "compress", @version = 1
/// /compression/<layer>/<parameter>   @mask_mode = "pruned" | "surgery"   (when masked)
///     mask         uint8, the parameter's shape, 0 = cut, 1 = kept
///     centroids    float32 [k]                                          (when weight-shared)
///     assignments  int32, the parameter's shape, -1 = fixed at zero
/// ```
/// A later `prune`, `quantize` or `train` reads it back, so pruned weights stay at zero and
/// shared weights stay on their codebook.
enum CompressionMetadata {
    static let groupName = "compression"
    static let version: Int32 = 1

    /// Writes the masks and codebooks of `model`'s parameters; nothing when none has any.
    static func write(_ model: Sequential, to file: HDF5File) throws {
        let stateful = model.namedParameters.filter { $0.parameter.mask != nil || $0.parameter.codebook != nil }
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
