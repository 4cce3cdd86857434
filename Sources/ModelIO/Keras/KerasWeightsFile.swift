import HDF5
import NN
import TensorCore

/// Loads a Keras 3 `.weights.h5` file (what `model.save_weights("x.weights.h5")` writes) into a
/// model built from an architecture.
///
/// Keras 3 stores a Model model's layers as `layers/<key>/vars/<i>`, where `<key>` is the
/// layer's class name in snake case, numbered in order of appearance (`dense`, `dense_1`,
/// `conv2d`, ...), and `<i>` follows the layer's weight order (kernel, bias; gamma, beta,
/// moving mean, moving variance). Every parameter of `model` must be found with its shape.
public func loadKerasWeights(path: String, into model: Model, limits: HDF5Limits = .default) throws {
    let file = try HDF5File.open(path, limits: limits)
    defer { file.close() }
    guard file.root.contains("layers"), try file.root.kind(of: "layers") == .group else {
        throw ModelFileError(file: path, field: "layers", "is missing: not a Keras 3 .weights.h5 file")
    }
    let layersGroup = try file.root.group("layers")
    var used: [String: Int] = [:]
    for entry in model.entries {
        let base = kerasSaveableName(try kerasClassName(entry.layer, name: entry.name))
        let key = used[base].map { "\(base)_\($0 + 1)" } ?? base
        used[base, default: -1] += 1
        let parameters = entry.layer.parameters
        guard !parameters.isEmpty else { continue }
        let varsPath = "\(key)/vars"
        guard layersGroup.contains(varsPath) else {
            throw ModelFileError(file: path, layer: entry.name, field: "layers/\(varsPath)", "is missing")
        }
        let vars = try layersGroup.group(varsPath)
        let stored = try vars.childNames().filter { Int($0) != nil }
        guard stored.count == parameters.count else {
            throw ModelFileError(file: path, layer: entry.name, field: "layers/\(varsPath)",
                                 "holds \(stored.count) weights, the layer has \(parameters.count)")
        }
        for (index, parameter) in parameters.enumerated() {
            let dataset = try vars.dataset(String(index))
            guard dataset.shape == parameter.shape else {
                throw ModelFileError(file: path, layer: entry.name, field: "layers/\(varsPath)/\(index)",
                                     "has shape \(dataset.shape), \(parameter.name) needs \(parameter.shape)")
            }
            let values = try dataset.read(as: Float.self)
            guard values.allSatisfy(\.isFinite) else {
                throw ModelFileError(file: path, layer: entry.name, field: parameter.name, "weights must be finite")
            }
            parameter.value = Tensor(shape: parameter.shape, scalars: values)
        }
    }
}

/// The snake-case name Keras 3 gives a layer of class `name` in `.weights.h5` files: `MaxPooling2D` becomes `max_pooling2d`.
public func kerasSaveableName(_ name: String) -> String {
    var result = ""
    let characters = Array(name)
    for (index, character) in characters.enumerated() {
        if character.isUppercase, index > 0,
           characters[index - 1].isLowercase || (index + 1 < characters.count && characters[index + 1].isLowercase && characters[index - 1].isUppercase) {
            result.append("_")
        }
        result.append(contentsOf: character.lowercased())
    }
    return result
}
