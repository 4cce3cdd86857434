import Compression
import NN

extension Architecture {
    /// The architecture of a built model, layer by layer, to rebuild it elsewhere.
    ///
    /// Throws for a layer whose type does not describe itself (``DescribedLayer``).
    public init(model: Model, name: String) throws {
        let specs = try model.entries.map { entry -> LayerSpec in
            guard let described = entry.layer as? any DescribedLayer else {
                throw ModelFileError(file: name, layer: entry.name, "layer \(entry.layer) cannot be stored in a compressed model file")
            }
            let chained = entry.inputIndices == [(model.entries.firstIndex { $0.name == entry.name } ?? 0) - 1]
            return LayerSpec(name: entry.name, type: type(of: described).kerasClassName, config: described.config,
                             inputs: chained ? [] : entry.inputs)
        }
        self.init(name: name, inputShape: model.inputShape, inputName: model.inputName, layers: specs)
    }
}

/// The architecture section of a compressed model file: what rebuilds the `Sequential`.
///
/// ```text
/// string model name (empty: unnamed); varint rank; varint dims...; varint layer count
/// per layer: byte type; varint name code (below); the type's fields (docs/FORMAT.md)
/// ```
/// A layer name is coded as ``LayerNameCode``: the default name (its text-format keyword for the
/// first layer of its type, then `keyword_1`, `keyword_2`, ..., as ``Architecture/init(parsing:name:)``
/// names unnamed layers), the name of the previous layer of its type counted on by one (`conv1`,
/// `pool1`, `conv2`, `pool2`), or the name's bytes.
enum ArchitectureCoding {
    /// Layer type codes.
    enum LayerType: UInt8, CaseIterable {
        case dense = 1, conv2d, depthwiseConv2d, maxPool2d, averagePool2d, globalAveragePool2d, flatten, reshape, dropout,
             batchNormalization, activation, zeroPadding2d

        /// The engine's layer type of each code.
        var layerType: any DescribedLayer.Type {
            switch self {
            case .dense: Dense.self
            case .conv2d: Conv2D.self
            case .depthwiseConv2d: DepthwiseConv2D.self
            case .maxPool2d: MaxPool2D.self
            case .averagePool2d: AveragePool2D.self
            case .globalAveragePool2d: GlobalAveragePool2D.self
            case .flatten: Flatten.self
            case .reshape: Reshape.self
            case .dropout: Dropout.self
            case .batchNormalization: BatchNormalization.self
            case .activation: ActivationLayer.self
            case .zeroPadding2d: ZeroPadding2D.self
            }
        }

        init?(kerasClassName: String) {
            guard let code = LayerType.allCases.first(where: { $0.layerType.kerasClassName == kerasClassName }) else { return nil }
            self = code
        }

        /// The keyword default layer names are made of.
        var keyword: String { layerType.keyword }
    }

    /// Activation codes (stable: never renumber).
    static let activations: [Activation] = [.linear, .relu, .relu6, .tanh, .sigmoid, .softmax]

    static func write(_ architecture: Architecture, to writer: inout ByteWriter) {
        writer.appendString(architecture.name)
        writer.appendVarint(architecture.inputShape.count)
        for extent in architecture.inputShape { writer.appendVarint(extent) }
        writer.appendVarint(architecture.layers.count)
        var defaults = DefaultLayerNames()
        var previousNames: [String: String] = [:]   // by keyword
        for spec in architecture.layers {
            guard let type = LayerType(kerasClassName: spec.type) else { preconditionFailure("checked by unstorableLayer") }
            let keyword = type.keyword
            let nameCode = LayerNameCode(spec.name, defaultName: defaults.next(keyword), previous: previousNames[keyword])
            previousNames[keyword] = spec.name
            let config = spec.config
            func size(_ key: String) {
                let size = try! config.size(key)
                writer.appendVarint(size.height)
                writer.appendVarint(size.width)
            }
            func flags() {
                let code = UInt8(activations.firstIndex(of: try! config.activation())!)
                let padding = config["padding"] == .string(Padding.same.rawValue)
                writer.append(code | (try! config.bool("use_bias", default: true) ? 0x08 : 0) | (padding ? 0x10 : 0))
            }
            writer.append(type.rawValue)
            nameCode.write(to: &writer)
            switch type {
            case .dense:
                writer.appendVarint(try! config.int("units"))
                flags()
            case .conv2d:
                writer.appendVarint(try! config.int("filters"))
                size("kernel_size")
                size("strides")
                flags()
            case .depthwiseConv2d:
                size("kernel_size")
                size("strides")
                writer.appendVarint(try! config.int("depth_multiplier"))
                flags()
            case .maxPool2d, .averagePool2d:
                size("pool_size")
                size("strides")
                writer.append(config["padding"] == .string(Padding.same.rawValue) ? 1 : 0)
            case .globalAveragePool2d, .flatten:
                break
            case .reshape:
                let target = try! config.ints("target_shape")
                writer.appendVarint(target.count)
                for extent in target { writer.appendSignedVarint(extent) }
            case .dropout:
                writer.appendFloat32(try! config.float("rate"))
            case .batchNormalization:
                writer.appendFloat32(try! config.float("epsilon"))
                writer.appendFloat32(try! config.float("momentum"))
                writer.append((try! config.bool("center", default: true) ? 1 : 0) | (try! config.bool("scale", default: true) ? 2 : 0))
            case .activation:
                writer.append(UInt8(activations.firstIndex(of: try! config.activation())!))
            case .zeroPadding2d:
                guard case .list(let pairs)? = config["padding"] else { preconditionFailure("canonical ZeroPadding2D config") }
                for extent in pairs.flatMap({ $0.intList ?? [] }) { writer.appendVarint(extent) }
            }
        }
    }

    /// Why version 2 of the section cannot hold `architecture`, or nil when it can: it holds
    /// chains of the twelve original layer types with the six original activations, without
    /// dilation, groups or kept dimensions.
    static func unstorableLayer(_ architecture: Architecture) -> (layer: String, reason: String)? {
        for (index, spec) in architecture.layers.enumerated() {
            guard let type = LayerType(kerasClassName: spec.type) else { return (spec.name, "layer type \(spec.type)") }
            if !spec.inputs.isEmpty && spec.inputs != [index == 0 ? architecture.inputName : architecture.layers[index - 1].name] {
                return (spec.name, "a layer taking inputs other than the previous layer")
            }
            let config = spec.config
            if let activation = try? config.activation(), !activations.contains(activation) {
                return (spec.name, "activation \(activation.rawValue)")
            }
            if (try? config.size("dilation_rate", default: Size2D(1))) != Size2D(1) || (try? config.int("groups", default: 1)) != 1 {
                return (spec.name, "a grouped or dilated convolution")
            }
            if type == .globalAveragePool2d && config["keepdims"] == .bool(true) { return (spec.name, "a global pool keeping its dimensions") }
        }
        return nil
    }

    /// Reads an architecture, checking every number's range; names and shapes are checked by
    /// ``Architecture/validated()``.
    static func read(from cursor: inout ByteCursor) throws -> Architecture {
        let field = "architecture"
        let name = try cursor.readString("\(field): model name", maxBytes: LayerName.maxBytes)
        let rank = try cursor.readVarint("\(field): input rank", max: 8)
        guard rank >= 1 else { throw EncodedDataError(field: "\(field): input rank", "must be at least 1") }
        var inputShape: [Int] = []
        for _ in 0..<rank {
            inputShape.append(try cursor.readVarint("\(field): input shape", max: ArchitectureLimits.maxExtent))
        }
        let layerCount = try cursor.readVarint("\(field): layer count", max: cursor.remaining / 2)
        var layers: [LayerSpec] = []
        var defaults = DefaultLayerNames()
        var previousNames: [String: String] = [:]   // by keyword
        for index in 0..<layerCount {
            let where_ = "\(field): layer \(index + 1)"
            let typeCode = try cursor.readByte("\(where_) type")
            guard let type = LayerType(rawValue: typeCode) else { throw EncodedDataError(field: "\(where_) type", "unknown layer type \(typeCode)") }
            let nameCode = try LayerNameCode.read(from: &cursor, field: "\(where_) name")
            var at = where_
            if case .stored(let name) = nameCode { at += " '\(name)'" }
            func extent(_ what: String) throws -> Int {
                try cursor.readVarint("\(at) \(what)", max: ArchitectureLimits.maxExtent)
            }
            func size(_ what: String) throws -> Size2D {
                Size2D(try extent("\(what) height"), try extent("\(what) width"))
            }
            func activation(_ code: UInt8) throws -> Activation {
                guard Int(code) < activations.count else { throw EncodedDataError(field: "\(at) activation", "unknown activation \(code)") }
                return activations[Int(code)]
            }
            func flags() throws -> (Activation, Bool, Padding) {
                let byte = try cursor.readByte("\(at) flags")
                guard byte & 0xE0 == 0 else { throw EncodedDataError(field: "\(at) flags", "unknown flags \(byte)") }
                return (try activation(byte & 0x07), byte & 0x08 != 0, byte & 0x10 != 0 ? .same : .valid)
            }
            func finite(_ what: String) throws -> Float {
                let value = try cursor.readFloat32("\(at) \(what)")
                guard value.isFinite else { throw EncodedDataError(field: "\(at) \(what)", "must be finite") }
                return value
            }
            func flagged(_ config: LayerConfig) throws -> LayerConfig {
                let (activation, useBias, padding) = try flags()
                var config = config
                if config["strides"] != nil { config["padding"] = .string(padding.rawValue) }
                config["activation"] = .string(activation.rawValue)
                config["use_bias"] = .bool(useBias)
                return config
            }
            let config: LayerConfig
            switch type {
            case .dense:
                config = try flagged(["units": .int(try extent("units"))])
            case .conv2d:
                let filters = try extent("filters")
                let kernel = try size("kernel"), strides = try size("strides")
                config = try flagged(["filters": .int(filters), "kernel_size": kernel.configValue, "strides": strides.configValue])
            case .depthwiseConv2d:
                let kernel = try size("kernel"), strides = try size("strides")
                let multiplier = try extent("depth multiplier")
                config = try flagged(["kernel_size": kernel.configValue, "strides": strides.configValue, "depth_multiplier": .int(multiplier)])
            case .maxPool2d, .averagePool2d:
                let pool = try size("pool size"), strides = try size("strides")
                let paddingCode = try cursor.readByte("\(at) padding")
                guard paddingCode <= 1 else { throw EncodedDataError(field: "\(at) padding", "unknown padding \(paddingCode)") }
                let padding: Padding = paddingCode == 1 ? .same : .valid
                config = ["pool_size": pool.configValue, "strides": strides.configValue, "padding": .string(padding.rawValue)]
            case .globalAveragePool2d, .flatten:
                config = [:]
            case .reshape:
                let targetRank = try cursor.readVarint("\(at) target rank", max: 8)
                var target: [ConfigValue] = []
                for _ in 0..<targetRank {
                    target.append(.int(try cursor.readSignedVarint("\(at) target shape", maxMagnitude: ArchitectureLimits.maxExtent)))
                }
                config = ["target_shape": .list(target)]
            case .dropout:
                config = ["rate": .double(Double(try finite("rate")))]
            case .batchNormalization:
                let epsilon = try finite("epsilon"), momentum = try finite("momentum")
                let byte = try cursor.readByte("\(at) flags")
                guard byte & 0xFC == 0 else { throw EncodedDataError(field: "\(at) flags", "unknown flags \(byte)") }
                config = ["epsilon": .double(Double(epsilon)), "momentum": .double(Double(momentum)),
                          "center": .bool(byte & 1 != 0), "scale": .bool(byte & 2 != 0)]
            case .activation:
                config = ["activation": .string(try activation(try cursor.readByte("\(at) activation")).rawValue)]
            case .zeroPadding2d:
                var extents: [ConfigValue] = []
                for _ in 0..<4 { extents.append(.int(try cursor.readVarint("\(at) padding", max: ArchitectureLimits.maxExtent))) }
                config = ["padding": .list(extents)]
            }
            let defaultName = defaults.next(type.keyword)
            let name = try nameCode.name(previous: previousNames[type.keyword], field: "\(where_) name") ?? defaultName
            previousNames[type.keyword] = name
            layers.append(LayerSpec(name, type.layerType, config))
        }
        return Architecture(name: name, inputShape: inputShape, layers: layers)
    }
}

/// Keras-style names for unnamed layers: `dense`, `dense_1`, `dense_2`, ... per keyword.
private struct DefaultLayerNames {
    private var counts: [String: Int] = [:]

    /// The default name of the next layer with this keyword.
    mutating func next(_ keyword: String) -> String {
        let n = counts[keyword, default: 0]
        counts[keyword] = n + 1
        return n == 0 ? keyword : "\(keyword)_\(n)"
    }
}
