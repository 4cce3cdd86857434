import NN

extension Architecture {
    /// The architecture of a Keras model configuration, layer by layer.
    ///
    /// Supported Keras layers: `Dense`, `Conv2D`, `DepthwiseConv2D`, `MaxPooling2D`,
    /// `AveragePooling2D`, `GlobalAveragePooling2D`, `Flatten`, `Reshape`, `Dropout`,
    /// `BatchNormalization`, `Activation`, `ReLU`. Any other layer, or an option the engine does not
    /// implement (dilation, groups, channels-first data), is an error naming the layer and the field.
    public init(keras config: KerasModelConfig, file: String) throws {
        guard let inputShape = config.inputShape else {
            throw ModelFileError(file: file, field: "model_config", "does not give the input shape")
        }
        let specs = try config.layers.map { try LayerSpec(keras: $0, file: file) }
        self.init(name: config.name, inputShape: inputShape, layers: specs)
    }
}

extension LayerSpec {
    /// The engine's description of one Keras layer.
    init(keras layer: KerasLayerConfig, file: String) throws {
        let reader = KerasLayerConfigReader(layer: layer, file: file)
        let kind: Kind
        switch layer.className {
        case "Dense":
            kind = .dense(units: try reader.positiveInt("units"), activation: try reader.activation(),
                          useBias: try reader.bool("use_bias", default: true))
        case "Conv2D", "Convolution2D":
            try reader.requireChannelsLast()
            try reader.requireOnes("dilation_rate")
            guard (layer.config["groups"]?.intValue ?? 1) == 1 else { throw reader.error("groups", "grouped convolution is not supported") }
            kind = .conv2d(filters: try reader.positiveInt("filters"), kernelSize: try reader.size("kernel_size"),
                           strides: try reader.size("strides", default: Size2D(1)), padding: try reader.padding(),
                           activation: try reader.activation(), useBias: try reader.bool("use_bias", default: true))
        case "DepthwiseConv2D":
            try reader.requireChannelsLast()
            try reader.requireOnes("dilation_rate")
            kind = .depthwiseConv2d(kernelSize: try reader.size("kernel_size"), strides: try reader.size("strides", default: Size2D(1)),
                                    padding: try reader.padding(), depthMultiplier: layer.config["depth_multiplier"]?.intValue ?? 1,
                                    activation: try reader.activation(), useBias: try reader.bool("use_bias", default: true))
        case "MaxPooling2D", "MaxPool2D", "AveragePooling2D", "AvgPool2D":
            try reader.requireChannelsLast()
            let pool = try reader.size("pool_size", default: Size2D(2))
            let strides = layer.config["strides"].flatMap { $0 == .null ? nil : $0 } == nil ? nil : try reader.size("strides")
            let padding = try reader.padding()
            kind = layer.className.hasPrefix("Max")
                ? .maxPool2d(poolSize: pool, strides: strides, padding: padding)
                : .averagePool2d(poolSize: pool, strides: strides, padding: padding)
        case "GlobalAveragePooling2D", "GlobalAvgPool2D":
            try reader.requireChannelsLast()
            guard layer.config["keepdims"]?.boolValue != true else { throw reader.error("keepdims", "keepdims=True is not supported") }
            kind = .globalAveragePool2d
        case "Flatten":
            try reader.requireChannelsLast()
            kind = .flatten
        case "Reshape":
            guard let target = layer.config["target_shape"]?.intList else { throw reader.error("target_shape", "is missing") }
            kind = .reshape(target)
        case "Dropout":
            guard let rate = layer.config["rate"]?.doubleValue else { throw reader.error("rate", "is missing") }
            kind = .dropout(rate: Float(rate))
        case "BatchNormalization":
            let axis = layer.config["axis"]?.intList ?? [-1]
            guard axis == [-1] || axis == [3] else {
                throw reader.error("axis", "only the last (channels) axis is supported, got \(axis)")
            }
            kind = .batchNormalization(epsilon: Float(layer.config["epsilon"]?.doubleValue ?? 1e-3),
                                       momentum: Float(layer.config["momentum"]?.doubleValue ?? 0.99),
                                       center: try reader.bool("center", default: true),
                                       scale: try reader.bool("scale", default: true))
        case "Activation":
            kind = .activation(try reader.activation())
        case "ReLU":
            switch layer.config["max_value"]?.doubleValue {
            case nil: kind = .activation(.relu)
            case 6?: kind = .activation(.relu6)
            case let other?: throw reader.error("max_value", "ReLU with max_value \(other) is not supported")
            }
        default:
            throw ModelFileError(file: file, layer: layer.name, field: "class_name",
                                 "layer type '\(layer.className)' is not supported")
        }
        self.init(layer.name, kind)
    }
}

/// Reads typed fields of one Keras layer configuration, with errors naming file, layer and key.
private struct KerasLayerConfigReader {
    let layer: KerasLayerConfig
    let file: String

    func error(_ field: String, _ message: String) -> ModelFileError {
        ModelFileError(file: file, layer: layer.name, field: field, message)
    }

    func positiveInt(_ key: String) throws -> Int {
        guard let value = layer.config[key]?.intValue, value > 0 else { throw error(key, "must be a positive integer") }
        return value
    }

    func bool(_ key: String, default defaultValue: Bool) throws -> Bool {
        guard let value = layer.config[key], value != .null else { return defaultValue }
        guard let flag = value.boolValue else { throw error(key, "must be true or false") }
        return flag
    }

    func activation() throws -> Activation {
        let value = layer.config["activation"]
        let name = value?.stringValue ?? value?["class_name"]?.stringValue ?? value?["config"]?["name"]?.stringValue
        guard let activation = Activation(kerasName: name) else {
            throw error("activation", "activation '\(name ?? "?")' is not supported")
        }
        return activation
    }

    func size(_ key: String, default defaultValue: Size2D? = nil) throws -> Size2D {
        guard let value = layer.config[key], value != .null else {
            if let defaultValue { return defaultValue }
            throw error(key, "is missing")
        }
        guard let list = value.intList, list.allSatisfy({ $0 > 0 }), list.count == 1 || list.count == 2 else {
            throw error(key, "must be one or two positive integers")
        }
        return list.count == 1 ? Size2D(list[0]) : Size2D(list[0], list[1])
    }

    func padding() throws -> Padding {
        let name = layer.config["padding"]?.stringValue ?? "valid"
        guard let padding = Padding(rawValue: name.lowercased()) else { throw error("padding", "padding '\(name)' is not supported") }
        return padding
    }

    func requireChannelsLast() throws {
        if let format = layer.config["data_format"]?.stringValue, format != "channels_last" {
            throw error("data_format", "only channels_last is supported, got \(format)")
        }
    }

    func requireOnes(_ key: String) throws {
        if let list = layer.config[key]?.intList, list.contains(where: { $0 != 1 }) {
            throw error(key, "must be 1, got \(list)")
        }
    }
}
