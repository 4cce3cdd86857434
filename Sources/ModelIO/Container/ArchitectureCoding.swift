import Compression
import NN

extension Architecture {
    /// The architecture of a built model, layer by layer, to rebuild it elsewhere.
    ///
    /// Throws for a layer type the engine's architectures cannot describe.
    public init(model: Sequential, name: String) throws {
        let specs = try model.entries.map { entry -> LayerSpec in
            func refuse(_ what: String) -> ModelFileError {
                ModelFileError(file: name, layer: entry.name, "\(what) cannot be stored in a compressed model file (version \(CompressedModelFormat.version))")
            }
            func storable(_ activation: Activation) throws -> Activation {
                guard ArchitectureCoding.activations.contains(activation) else { throw refuse("activation \(activation.rawValue)") }
                return activation
            }
            let kind: LayerSpec.Kind
            switch entry.layer {
            case let dense as Dense:
                kind = .dense(units: dense.units, activation: try storable(dense.activation), useBias: dense.bias != nil)
            case let conv as Conv2D:
                guard conv.groups == 1, conv.dilationRate == Size2D(1) else { throw refuse("a grouped or dilated convolution") }
                kind = .conv2d(filters: conv.filters, kernelSize: conv.kernelSize, strides: conv.strides, padding: conv.padding,
                               activation: try storable(conv.activation), useBias: conv.bias != nil)
            case let conv as DepthwiseConv2D:
                guard conv.dilationRate == Size2D(1) else { throw refuse("a dilated convolution") }
                kind = .depthwiseConv2d(kernelSize: conv.kernelSize, strides: conv.strides, padding: conv.padding,
                                        depthMultiplier: conv.depthMultiplier, activation: try storable(conv.activation),
                                        useBias: conv.bias != nil)
            case let pool as MaxPool2D:
                kind = .maxPool2d(poolSize: pool.poolSize, strides: pool.strides, padding: pool.padding)
            case let pool as AveragePool2D:
                kind = .averagePool2d(poolSize: pool.poolSize, strides: pool.strides, padding: pool.padding)
            case let pool as GlobalAveragePool2D:
                guard !pool.keepDims else { throw refuse("a global pool keeping its dimensions") }
                kind = .globalAveragePool2d
            case is Flatten:
                kind = .flatten
            case let reshape as Reshape:
                kind = .reshape(reshape.targetShape)
            case let dropout as Dropout:
                kind = .dropout(rate: dropout.rate)
            case let norm as BatchNormalization:
                kind = .batchNormalization(epsilon: norm.epsilon, momentum: norm.momentum, center: norm.beta != nil, scale: norm.gamma != nil)
            case let activation as ActivationLayer:
                kind = .activation(try storable(activation.activation))
            case let padding as ZeroPadding2D:
                kind = .zeroPadding2d(top: padding.top, bottom: padding.bottom, left: padding.left, right: padding.right)
            default:
                throw ModelFileError(file: name, layer: entry.name, "layer \(entry.layer) cannot be stored in a compressed model file")
            }
            return LayerSpec(entry.name, kind)
        }
        self.init(name: name, inputShape: model.inputShape, layers: specs)
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
    enum LayerType: UInt8 {
        case dense = 1, conv2d, depthwiseConv2d, maxPool2d, averagePool2d, globalAveragePool2d, flatten, reshape, dropout,
             batchNormalization, activation, zeroPadding2d
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
            let keyword = spec.kind.keyword
            let nameCode = LayerNameCode(spec.name, defaultName: defaults.next(keyword), previous: previousNames[keyword])
            previousNames[keyword] = spec.name
            func size(_ size: Size2D) {
                writer.appendVarint(size.height)
                writer.appendVarint(size.width)
            }
            func flags(_ activation: Activation, useBias: Bool, padding: Padding = .valid) {
                let code = UInt8(activations.firstIndex(of: activation)!)
                writer.append(code | (useBias ? 0x08 : 0) | (padding == .same ? 0x10 : 0))
            }
            switch spec.kind {
            case let .dense(units, activation, useBias):
                writer.append(LayerType.dense.rawValue)
                nameCode.write(to: &writer)
                writer.appendVarint(units)
                flags(activation, useBias: useBias)
            case let .conv2d(filters, kernelSize, strides, padding, activation, useBias):
                writer.append(LayerType.conv2d.rawValue)
                nameCode.write(to: &writer)
                writer.appendVarint(filters)
                size(kernelSize)
                size(strides)
                flags(activation, useBias: useBias, padding: padding)
            case let .depthwiseConv2d(kernelSize, strides, padding, multiplier, activation, useBias):
                writer.append(LayerType.depthwiseConv2d.rawValue)
                nameCode.write(to: &writer)
                size(kernelSize)
                size(strides)
                writer.appendVarint(multiplier)
                flags(activation, useBias: useBias, padding: padding)
            case let .maxPool2d(poolSize, strides, padding), let .averagePool2d(poolSize, strides, padding):
                if case .maxPool2d = spec.kind { writer.append(LayerType.maxPool2d.rawValue) } else { writer.append(LayerType.averagePool2d.rawValue) }
                nameCode.write(to: &writer)
                size(poolSize)
                size(strides ?? poolSize)
                writer.append(padding == .same ? 1 : 0)
            case .globalAveragePool2d:
                writer.append(LayerType.globalAveragePool2d.rawValue)
                nameCode.write(to: &writer)
            case .flatten:
                writer.append(LayerType.flatten.rawValue)
                nameCode.write(to: &writer)
            case let .reshape(target):
                writer.append(LayerType.reshape.rawValue)
                nameCode.write(to: &writer)
                writer.appendVarint(target.count)
                for extent in target { writer.appendSignedVarint(extent) }
            case let .dropout(rate):
                writer.append(LayerType.dropout.rawValue)
                nameCode.write(to: &writer)
                writer.appendFloat32(rate)
            case let .batchNormalization(epsilon, momentum, center, scale):
                writer.append(LayerType.batchNormalization.rawValue)
                nameCode.write(to: &writer)
                writer.appendFloat32(epsilon)
                writer.appendFloat32(momentum)
                writer.append((center ? 1 : 0) | (scale ? 2 : 0))
            case let .activation(activation):
                writer.append(LayerType.activation.rawValue)
                nameCode.write(to: &writer)
                writer.append(UInt8(activations.firstIndex(of: activation)!))
            case let .zeroPadding2d(top, bottom, left, right):
                writer.append(LayerType.zeroPadding2d.rawValue)
                nameCode.write(to: &writer)
                for extent in [top, bottom, left, right] { writer.appendVarint(extent) }
            }
        }
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
            let kind: LayerSpec.Kind
            switch type {
            case .dense:
                let units = try extent("units")
                let (activation, useBias, _) = try flags()
                kind = .dense(units: units, activation: activation, useBias: useBias)
            case .conv2d:
                let filters = try extent("filters")
                let kernel = try size("kernel"), strides = try size("strides")
                let (activation, useBias, padding) = try flags()
                kind = .conv2d(filters: filters, kernelSize: kernel, strides: strides, padding: padding, activation: activation, useBias: useBias)
            case .depthwiseConv2d:
                let kernel = try size("kernel"), strides = try size("strides")
                let multiplier = try extent("depth multiplier")
                let (activation, useBias, padding) = try flags()
                kind = .depthwiseConv2d(kernelSize: kernel, strides: strides, padding: padding, depthMultiplier: multiplier,
                                        activation: activation, useBias: useBias)
            case .maxPool2d, .averagePool2d:
                let pool = try size("pool size"), strides = try size("strides")
                let paddingCode = try cursor.readByte("\(at) padding")
                guard paddingCode <= 1 else { throw EncodedDataError(field: "\(at) padding", "unknown padding \(paddingCode)") }
                let padding: Padding = paddingCode == 1 ? .same : .valid
                kind = type == .maxPool2d ? .maxPool2d(poolSize: pool, strides: strides, padding: padding)
                    : .averagePool2d(poolSize: pool, strides: strides, padding: padding)
            case .globalAveragePool2d:
                kind = .globalAveragePool2d
            case .flatten:
                kind = .flatten
            case .reshape:
                let targetRank = try cursor.readVarint("\(at) target rank", max: 8)
                var target: [Int] = []
                for _ in 0..<targetRank {
                    target.append(try cursor.readSignedVarint("\(at) target shape", maxMagnitude: ArchitectureLimits.maxExtent))
                }
                kind = .reshape(target)
            case .dropout:
                kind = .dropout(rate: try finite("rate"))
            case .batchNormalization:
                let epsilon = try finite("epsilon"), momentum = try finite("momentum")
                let byte = try cursor.readByte("\(at) flags")
                guard byte & 0xFC == 0 else { throw EncodedDataError(field: "\(at) flags", "unknown flags \(byte)") }
                kind = .batchNormalization(epsilon: epsilon, momentum: momentum, center: byte & 1 != 0, scale: byte & 2 != 0)
            case .activation:
                kind = .activation(try activation(try cursor.readByte("\(at) activation")))
            case .zeroPadding2d:
                let top = try cursor.readVarint("\(at) padding", max: ArchitectureLimits.maxExtent)
                let bottom = try cursor.readVarint("\(at) padding", max: ArchitectureLimits.maxExtent)
                let left = try cursor.readVarint("\(at) padding", max: ArchitectureLimits.maxExtent)
                let right = try cursor.readVarint("\(at) padding", max: ArchitectureLimits.maxExtent)
                kind = .zeroPadding2d(top: top, bottom: bottom, left: left, right: right)
            }
            let defaultName = defaults.next(kind.keyword)
            let name = try nameCode.name(previous: previousNames[kind.keyword], field: "\(where_) name") ?? defaultName
            previousNames[kind.keyword] = name
            layers.append(LayerSpec(name, kind))
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
