import NN

extension Architecture {
    /// The architecture of a Keras model configuration: each layer's type found by its Keras
    /// class name (``LayerTypes``), its `config` object read as a ``LayerConfig``.
    ///
    /// Layers of types the engine does not know are an error listing every such type and the
    /// layers that have them; options a layer cannot take are errors of ``validated()``.
    public init(keras config: KerasModelConfig, file: String) throws {
        guard let inputShape = config.inputShape else {
            throw ModelFileError(file: file, field: "model_config", "does not give the input shape")
        }
        let unknown = config.layers.filter { LayerTypes.named(kerasClassName: $0.className) == nil }
        if let first = unknown.first {
            var types: [String] = []
            for layer in unknown where !types.contains(layer.className) { types.append(layer.className) }
            let detail = types.map { type in
                let names = unknown.filter { $0.className == type }.map(\.name)
                return "\(type) (\(names.prefix(3).joined(separator: ", "))\(names.count > 3 ? ", ..." : ""))"
            }
            throw ModelFileError(file: file, layer: first.name, field: "class_name",
                                 "layer type\(types.count > 1 ? "s" : "") not supported: \(detail.joined(separator: "; "))".escapingControlCharacters)
        }
        let specs = config.layers.map { layer in
            LayerSpec(name: layer.name, type: LayerTypes.named(kerasClassName: layer.className)!.kerasClassName,
                      config: LayerConfig(keras: layer.config))
        }
        self.init(name: config.name, inputShape: inputShape, layers: specs)
    }
}

extension LayerConfig {
    /// A Keras layer's `config` object: numbers, flags, strings and lists of them are kept;
    /// objects (initialisers, regularisers, dtype policies) are left out, except an activation
    /// given as an object, which becomes its name.
    init(keras object: JSONValue) {
        self.init()
        guard case .object(let members) = object else { return }
        for key in members.keys.sorted() {
            let value = members[key]!
            if key == "activation", case .object = value {
                let name = value["class_name"]?.stringValue == "function" ? value["config"]?.stringValue : nil
                if let name = name ?? value["config"]?["name"]?.stringValue ?? value["class_name"]?.stringValue {
                    self[key] = .string(name)
                }
                continue
            }
            if let converted = ConfigValue(keras: value) { self[key] = converted }
        }
    }
}

extension ConfigValue {
    /// A JSON value as a configuration value; nil for objects.
    init?(keras value: JSONValue) {
        switch value {
        case .null: self = .null
        case .bool(let flag): self = .bool(flag)
        case .number(let number): self = value.intValue.map { .int($0) } ?? .double(number)
        case .string(let text): self = .string(text)
        case .array(let elements):
            let converted = elements.compactMap(ConfigValue.init(keras:))
            guard converted.count == elements.count else { return nil }
            self = .list(converted)
        case .object: return nil
        }
    }

    /// The value as JSON.
    var json: JSONValue {
        switch self {
        case .null: return .null
        case .bool(let flag): return .bool(flag)
        case .int(let int): return .number(Double(int))
        case .double(let number): return .number(number)
        case .string(let text): return .string(text)
        case .list(let values): return .array(values.map(\.json))
        }
    }
}
