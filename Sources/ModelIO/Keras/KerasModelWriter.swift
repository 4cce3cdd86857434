import Compression
import Foundation
import HDF5
import NN

/// Writes the engine's model as a legacy Keras `.h5` file that `keras.models.load_model` reads.
///
/// The layout is the one Keras 3 writes with `model.save("x.h5")`: the root attributes
/// `model_config` (a `Sequential` configuration), `keras_version` and `backend`; under
/// `model_weights`, `layer_names` and, per layer, `weight_names` with the weights at
/// `model_weights/<layer>/<model>/<layer>/<weight>`. Masks, codebooks and the quantization of
/// `compressionState` go in the `compression` group (see ``CompressionMetadata``), which Keras
/// ignores. The file is written atomically.
///
/// - Parameters:
///   - model: the model to write.
///   - name: the model name recorded in the configuration; by default the file name of `path`
///     without its extension.
///   - path: the output file; it must not be one of `inputs`.
///   - compressionState: quantization to record beside the weights (int8 codes, k-means bits, FP16).
public func saveKerasModel(_ model: Model, name: String? = nil, to path: String, protecting inputs: [String] = [],
                           compressionState: CompressionState = CompressionState()) throws {
    let name = name ?? defaultModelName(forFile: path)
    if let problem = LayerName.problem(withModelName: name) { throw ModelFileError(file: path, problem) }
    let config = try kerasModelConfig(model, name: name)
    try writeAtomically(to: path, protecting: inputs) { temporary in
        let file = try HDF5File.createInMemory(path)
        defer { file.close() }
        try file.root.setAttribute("keras_version", string: kerasVersionWritten)
        try file.root.setAttribute("backend", string: "jax")
        try file.root.setAttribute("model_config", string: config)
        let weightsGroup = try file.root.createGroup("model_weights")
        try weightsGroup.setAttribute("keras_version", string: kerasVersionWritten)
        try weightsGroup.setAttribute("backend", string: "jax")
        try weightsGroup.setKerasStringList("layer_names", strings: model.layerNames)
        for entry in model.entries {
            let layerGroup = try weightsGroup.createGroup(entry.name)
            let parameters = entry.layer.parameters
            guard !parameters.isEmpty else {
                try layerGroup.setAttribute("weight_names", values: [Double](), shape: [0])
                continue
            }
            let holder = try layerGroup.createGroup(name).createGroup(entry.name)
            for parameter in parameters {
                try holder.createDataset(parameter.name, values: parameter.value.scalars, shape: parameter.shape)
            }
            try layerGroup.setKerasStringList("weight_names", strings: parameters.map { "\(name)/\(entry.name)/\($0.name)" })
        }
        try weightsGroup.createGroup("top_level_model_weights").setAttribute("weight_names", values: [Double](), shape: [0])
        try CompressionMetadata.write(model, state: compressionState, to: file)
        try writeNewFile(file.fileImage(), to: temporary)
    }
}

/// The Keras version recorded in files we write: the format of Keras 3.
let kerasVersionWritten = "3.15.1"

/// The `model_config` JSON of a Model Keras model equivalent to `model`.
func kerasModelConfig(_ model: Model, name: String) throws -> String {
    let batchShape: [JSONValue] = [.null] + model.inputShape.map { .number(Double($0)) }
    var layers: [JSONValue] = [.object([
        "class_name": .string("InputLayer"),
        "config": .object(["batch_shape": .array(batchShape), "dtype": .string("float32"), "name": .string("input")]),
    ])]
    for entry in model.entries {
        layers.append(.object(["class_name": .string(try kerasClassName(entry.layer, name: entry.name)),
                               "config": .object(try kerasLayerConfig(entry.layer, name: entry.name))]))
    }
    let root: JSONValue = .object([
        "class_name": .string("Sequential"),
        "config": .object(["name": .string(name), "trainable": .bool(true), "layers": .array(layers),
                           "build_input_shape": .array(batchShape)]),
    ])
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return String(decoding: try encoder.encode(root), as: UTF8.self)
}

/// The Keras class name of a layer that describes itself.
func kerasClassName(_ layer: any ModelLayer, name: String) throws -> String {
    guard let described = layer as? any DescribedLayer else {
        throw ModelFileError(file: "model", layer: name, "layer \(layer) has no Keras equivalent")
    }
    return type(of: described).kerasClassName
}

/// A layer's Keras `config` object: its own configuration, with its name, trainable and dtype.
private func kerasLayerConfig(_ layer: any ModelLayer, name: String) throws -> [String: JSONValue] {
    guard let described = layer as? any DescribedLayer else {
        throw ModelFileError(file: "model", layer: name, "layer \(layer) has no Keras equivalent")
    }
    var config: [String: JSONValue] = ["name": .string(name), "trainable": .bool(true), "dtype": .string("float32")]
    for (key, value) in described.config.entries {
        // Keras's `gelu` string is the exact form; its tanh approximation has no name of its own.
        if key == "activation" && value == .string(Activation.geluApproximate.rawValue) {
            throw ModelFileError(file: "model", layer: name, "activation \(Activation.geluApproximate.rawValue) has no Keras name")
        }
        config[key] = value.json
    }
    return config
}

/// The model name a file gets when none is given: its file name without the extension.
public func defaultModelName(forFile path: String) -> String {
    URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
}
