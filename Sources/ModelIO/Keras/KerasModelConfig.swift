import Foundation
import NN

/// One layer of a Keras model configuration: its class, its name and its `config` object.
public struct KerasLayerConfig: Equatable, Sendable {
    /// The Keras class name, such as `Dense`, `Conv2D` or `MaxPooling2D`.
    public var className: String
    /// The layer's name, which is also the name of its group under `model_weights`.
    public var name: String
    /// The layer's `config` object as Keras wrote it.
    public var config: JSONValue

    public init(className: String, name: String, config: JSONValue) {
        self.className = className
        self.name = name
        self.config = config
    }
}

/// The architecture stored in a Keras `model_config` attribute, as a chain of layers.
///
/// Reads `Sequential` models and `Functional` models whose layers form a single chain, from
/// Keras 2 and Keras 3 alike. Input layers are not listed in `layers`; their shape is `inputShape`.
///
/// ```swift
/// let config = try KerasModelConfig(json: modelConfigAttribute, file: "lenet300.h5")
/// config.layers.map(\.name)   // ["fc1", "fc2", "fc3"]
/// ```
public struct KerasModelConfig: Equatable, Sendable {
    /// The model class: `Sequential`, `Functional` or `Model`.
    public var modelClass: String
    /// The model's name.
    public var name: String
    /// The shape of one input sample (without the batch axis), when the configuration says it.
    public var inputShape: [Int]?
    /// The layers in order, input layers excluded.
    public var layers: [KerasLayerConfig]

    public init(modelClass: String, name: String, inputShape: [Int]?, layers: [KerasLayerConfig]) {
        self.modelClass = modelClass
        self.name = name
        self.inputShape = inputShape
        self.layers = layers
    }

    /// Parses the JSON text of a `model_config` attribute; `file` names the source in errors.
    public init(json: String, file: String) throws {
        let root: JSONValue
        do {
            root = try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8))
        } catch {
            throw ModelFileError(file: file, field: "model_config", "is not valid JSON")
        }
        guard let modelClass = root["class_name"]?.stringValue else {
            throw ModelFileError(file: file, field: "model_config.class_name", "is missing")
        }
        guard ["Sequential", "Functional", "Model"].contains(modelClass) else {
            throw ModelFileError(file: file, field: "model_config.class_name", "model class '\(modelClass)' is not supported")
        }
        let body = root["config"] ?? .null
        // Keras 2.0-2.2 wrote a Model's config as the bare list of layers.
        let layerList = body.arrayValue ?? body["layers"]?.arrayValue
        guard let layerList else {
            throw ModelFileError(file: file, field: "model_config.config.layers", "is missing")
        }
        var inputShape = Self.sampleShape(body["build_input_shape"])
        var layers: [KerasLayerConfig] = []
        for (index, entry) in layerList.enumerated() {
            guard let className = entry["class_name"]?.stringValue else {
                throw ModelFileError(file: file, field: "model_config layer \(index) class_name", "is missing")
            }
            let config = entry["config"] ?? .object([:])
            let name = config["name"]?.stringValue ?? entry["name"]?.stringValue ?? "\(className.lowercased())_\(index)"
            if let problem = LayerName.problem(with: name) {
                throw ModelFileError(file: file, layer: name, field: "model_config layer \(index) name", problem)
            }
            if modelClass != "Sequential", let previous = layers.last?.name {
                try Self.checkChain(entry, follows: previous, layer: name, file: file)
            }
            if className == "InputLayer" {
                inputShape = Self.sampleShape(config["batch_shape"] ?? config["batch_input_shape"]) ?? inputShape
                continue
            }
            if inputShape == nil {
                inputShape = Self.sampleShape(config["batch_input_shape"] ?? config["batch_shape"])
            }
            layers.append(KerasLayerConfig(className: className, name: name, config: config))
        }
        let name = body["name"]?.stringValue ?? "model"
        if let problem = LayerName.problem(withModelName: name) {
            throw ModelFileError(file: file, field: "model_config.config.name", problem)
        }
        self.init(modelClass: modelClass, name: name, inputShape: inputShape, layers: layers)
    }

    /// A batch shape such as `[null, 28, 28, 1]` without its batch axis.
    private static func sampleShape(_ value: JSONValue?) -> [Int]? {
        guard let elements = value?.arrayValue, elements.count >= 2 else { return nil }
        let dims = elements.dropFirst().compactMap(\.intValue)
        return dims.count == elements.count - 1 ? dims : nil
    }

    /// Throws unless a Functional layer's only input is the layer before it.
    private static func checkChain(_ entry: JSONValue, follows previous: String, layer: String, file: String) throws {
        let inputs = inboundLayerNames(entry["inbound_nodes"] ?? .null)
        guard inputs == [previous] else {
            throw ModelFileError(file: file, layer: layer, field: "inbound_nodes",
                                 "takes input from \(inputs) rather than only '\(previous)'; only chains of layers are supported")
        }
    }

    /// The layer names an `inbound_nodes` entry refers to, in Keras 3 (`keras_history`) or Keras 2 form.
    private static func inboundLayerNames(_ nodes: JSONValue) -> [String] {
        var names: [String] = []
        func visit(_ value: JSONValue) {
            switch value {
            case .object(let members):
                if let history = members["keras_history"]?.arrayValue, let name = history.first?.stringValue {
                    names.append(name)
                } else {
                    members.keys.sorted().forEach { visit(members[$0]!) }
                }
            case .array(let elements):
                // Keras 2: [layer_name, node_index, tensor_index, kwargs]
                if elements.count >= 3, let name = elements[0].stringValue, elements[1].intValue != nil {
                    names.append(name)
                } else {
                    elements.forEach(visit)
                }
            default: break
            }
        }
        visit(nodes)
        return names
    }
}
