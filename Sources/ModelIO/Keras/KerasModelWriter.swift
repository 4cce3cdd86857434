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
public func saveKerasModel(_ model: Sequential, name: String? = nil, to path: String, protecting inputs: [String] = [],
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

/// The `model_config` JSON of a Sequential Keras model equivalent to `model`.
func kerasModelConfig(_ model: Sequential, name: String) throws -> String {
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

func kerasClassName(_ layer: any Layer, name: String) throws -> String {
    switch layer {
    case is Dense: "Dense"
    case is Conv2D: "Conv2D"
    case is DepthwiseConv2D: "DepthwiseConv2D"
    case is MaxPool2D: "MaxPooling2D"
    case is AveragePool2D: "AveragePooling2D"
    case is GlobalAveragePool2D: "GlobalAveragePooling2D"
    case is Flatten: "Flatten"
    case is Reshape: "Reshape"
    case is Dropout: "Dropout"
    case is BatchNormalization: "BatchNormalization"
    case is ActivationLayer: "Activation"
    default: throw ModelFileError(file: "model", layer: name, "layer \(layer) has no Keras equivalent")
    }
}

private func kerasLayerConfig(_ layer: any Layer, name: String) throws -> [String: JSONValue] {
    func ints(_ values: Int...) -> JSONValue { .array(values.map { .number(Double($0)) }) }
    func size(_ size: Size2D) -> JSONValue { ints(size.height, size.width) }
    func activationName(_ activation: Activation) throws -> JSONValue {
        // Keras's `gelu` string is the exact form; its tanh approximation has no name of its own.
        guard activation != .geluApproximate else {
            throw ModelFileError(file: "model", layer: name, "activation \(activation.rawValue) has no Keras name")
        }
        return .string(activation.rawValue)
    }
    var config: [String: JSONValue] = ["name": .string(name), "trainable": .bool(true), "dtype": .string("float32")]
    switch layer {
    case let dense as Dense:
        config["units"] = .number(Double(dense.units))
        config["activation"] = try activationName(dense.activation)
        config["use_bias"] = .bool(dense.bias != nil)
    case let conv as Conv2D:
        config["filters"] = .number(Double(conv.filters))
        config["kernel_size"] = size(conv.kernelSize)
        config["strides"] = size(conv.strides)
        config["padding"] = .string(conv.padding.rawValue)
        config["data_format"] = .string("channels_last")
        config["dilation_rate"] = size(conv.dilationRate)
        config["groups"] = .number(Double(conv.groups))
        config["activation"] = try activationName(conv.activation)
        config["use_bias"] = .bool(conv.bias != nil)
    case let conv as DepthwiseConv2D:
        config["kernel_size"] = size(conv.kernelSize)
        config["strides"] = size(conv.strides)
        config["padding"] = .string(conv.padding.rawValue)
        config["depth_multiplier"] = .number(Double(conv.depthMultiplier))
        config["data_format"] = .string("channels_last")
        config["dilation_rate"] = size(conv.dilationRate)
        config["activation"] = try activationName(conv.activation)
        config["use_bias"] = .bool(conv.bias != nil)
    case let pool as MaxPool2D:
        config["pool_size"] = size(pool.poolSize)
        config["strides"] = size(pool.strides)
        config["padding"] = .string(pool.padding.rawValue)
        config["data_format"] = .string("channels_last")
    case let pool as AveragePool2D:
        config["pool_size"] = size(pool.poolSize)
        config["strides"] = size(pool.strides)
        config["padding"] = .string(pool.padding.rawValue)
        config["data_format"] = .string("channels_last")
    case let pool as GlobalAveragePool2D:
        config["data_format"] = .string("channels_last")
        config["keepdims"] = .bool(pool.keepDims)
    case is Flatten:
        config["data_format"] = .string("channels_last")
    case let reshape as Reshape:
        config["target_shape"] = .array(reshape.targetShape.map { .number(Double($0)) })
    case let dropout as Dropout:
        config["rate"] = .number(Double("\(dropout.rate)") ?? Double(dropout.rate))
    case let norm as BatchNormalization:
        config["axis"] = .number(-1)
        config["epsilon"] = .number(Double("\(norm.epsilon)") ?? Double(norm.epsilon))
        config["momentum"] = .number(Double("\(norm.momentum)") ?? Double(norm.momentum))
        config["center"] = .bool(norm.beta != nil)
        config["scale"] = .bool(norm.gamma != nil)
    case let activation as ActivationLayer:
        config["activation"] = try activationName(activation.activation)
    default:
        throw ModelFileError(file: "model", layer: name, "layer \(layer) has no Keras equivalent")
    }
    return config
}

/// The model name a file gets when none is given: its file name without the extension.
public func defaultModelName(forFile path: String) -> String {
    URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
}
