import TensorCore

/// One layer of an ``Architecture``: a name and what to build.
public struct LayerSpec: Sendable, Equatable {
    /// What to build; shapes of inputs are inferred when the architecture is built.
    public enum Kind: Sendable, Equatable {
        case dense(units: Int, activation: Activation = .linear, useBias: Bool = true)
        case conv2d(filters: Int, kernelSize: Size2D, strides: Size2D = Size2D(1), padding: Padding = .valid,
                    activation: Activation = .linear, useBias: Bool = true)
        case depthwiseConv2d(kernelSize: Size2D, strides: Size2D = Size2D(1), padding: Padding = .valid,
                             depthMultiplier: Int = 1, activation: Activation = .linear, useBias: Bool = true)
        case maxPool2d(poolSize: Size2D, strides: Size2D? = nil, padding: Padding = .valid)
        case averagePool2d(poolSize: Size2D, strides: Size2D? = nil, padding: Padding = .valid)
        case globalAveragePool2d
        case flatten
        case reshape([Int])
        case dropout(rate: Float)
        case batchNormalization(epsilon: Float = 1e-3, momentum: Float = 0.99, center: Bool = true, scale: Bool = true)
        case activation(Activation)
        case zeroPadding2d(top: Int, bottom: Int, left: Int, right: Int)

        /// The keyword of the text format (`dense`, `conv2d`, ...).
        public var keyword: String {
            switch self {
            case .dense: return "dense"
            case .conv2d: return "conv2d"
            case .depthwiseConv2d: return "depthwiseconv2d"
            case .maxPool2d: return "maxpool2d"
            case .averagePool2d: return "avgpool2d"
            case .globalAveragePool2d: return "globalavgpool2d"
            case .flatten: return "flatten"
            case .reshape: return "reshape"
            case .dropout: return "dropout"
            case .batchNormalization: return "batchnorm"
            case .activation: return "activation"
            case .zeroPadding2d: return "zeropad2d"
            }
        }
    }

    public var name: String
    public var kind: Kind

    public init(_ name: String, _ kind: Kind) {
        self.name = name
        self.kind = kind
    }
}

/// A model description: input shape and layers, built into a ``Sequential`` with a seed.
///
/// It can be written in code, parsed from a short text file, or taken from the built-ins
/// (``lenet300``, ``lenet5``). The text format has one statement per line; `#` starts a comment:
///
/// ```text
/// # LeNet-5, Caffe variant
/// input 28x28x1
/// conv2d conv1 filters=20 kernel=5 stride=1 padding=valid
/// maxpool2d pool1 size=2
/// conv2d conv2 filters=50 kernel=5
/// maxpool2d pool2 size=2
/// flatten
/// dense fc1 units=500 activation=relu
/// dense fc2 units=10 activation=softmax
/// ```
///
/// - `input HxWxC` or `input N` must come first, once.
/// - Then `TYPE [NAME] key=value ...`. A missing name becomes Keras-style `dense`, `dense_1`, ...
/// - Types and keys (defaults in brackets):
///   - `dense units= activation=[linear] bias=[true]`
///   - `conv2d filters= kernel= stride=[1] padding=[valid] activation=[linear] bias=[true]`
///   - `depthwiseconv2d kernel= stride=[1] padding=[valid] multiplier=[1] activation=[linear] bias=[true]`
///   - `maxpool2d size=[2] stride=[size] padding=[valid]`, `avgpool2d` likewise
///   - `globalavgpool2d`, `flatten`, `reshape shape=AxBxC`, `dropout rate=`,
///     `batchnorm epsilon=[0.001] momentum=[0.99] center=[true] scale=[true]`,
///     `activation function=` (or `activation NAME relu` is not allowed: use `function=`)
/// - Sizes are `5` or `5x3` (height x width); activations are Keras names: linear, relu, relu6,
///   tanh, sigmoid, softmax; padding is `valid` or `same`.
public struct Architecture: Sendable, Equatable {
    public var name: String
    /// The shape of one input example (`[28, 28, 1]`).
    public var inputShape: [Int]
    public var layers: [LayerSpec]

    public init(name: String, inputShape: [Int], layers: [LayerSpec]) {
        self.name = name
        self.inputShape = inputShape
        self.layers = layers
    }

    /// LeNet-300-100: 784-300-100-10 with ReLU, 266,610 parameters (input 28x28x1, flattened).
    public static let lenet300 = Architecture(name: "lenet300", inputShape: [28, 28, 1], layers: [
        LayerSpec("flatten", .flatten),
        LayerSpec("fc1", .dense(units: 300, activation: .relu)),
        LayerSpec("fc2", .dense(units: 100, activation: .relu)),
        LayerSpec("fc3", .dense(units: 10, activation: .softmax)),
    ])

    /// LeNet-5 as in Caffe: conv 20@5x5, maxpool 2, conv 50@5x5, maxpool 2, dense 500 ReLU,
    /// dense 10; 431,080 parameters.
    public static let lenet5 = Architecture(name: "lenet5", inputShape: [28, 28, 1], layers: [
        LayerSpec("conv1", .conv2d(filters: 20, kernelSize: Size2D(5))),
        LayerSpec("pool1", .maxPool2d(poolSize: Size2D(2))),
        LayerSpec("conv2", .conv2d(filters: 50, kernelSize: Size2D(5))),
        LayerSpec("pool2", .maxPool2d(poolSize: Size2D(2))),
        LayerSpec("flatten", .flatten),
        LayerSpec("fc1", .dense(units: 500, activation: .relu)),
        LayerSpec("fc2", .dense(units: 10, activation: .softmax)),
    ])

    /// The built-in architectures by name.
    public static let builtins: [String: Architecture] = ["lenet300": lenet300, "lenet5": lenet5]

    /// A built-in architecture by name (`lenet300`, `lenet5`).
    public static func named(_ name: String) -> Architecture? { builtins[name.lowercased()] }

    /// Builds the model: checks it (``validated()``) before allocating anything, infers shapes,
    /// draws kernels Glorot-uniform from `seed` in layer order, zero biases. The same seed always
    /// gives the same weights.
    public func build(seed: UInt64) throws -> Sequential {
        _ = try validated()
        var generator = RandomGenerator(seed: seed)
        let model = Sequential(inputShape: inputShape)
        var shape = inputShape
        for (index, spec) in layers.enumerated() {
            func fail(_ message: String) -> ArchitectureError {
                ArchitectureError(line: nil, message: "layer \(index + 1) (\(spec.name)): \(message)")
            }
            guard !spec.name.isEmpty, !spec.name.contains("."), !model.layerNames.contains(spec.name) else {
                throw fail("layer names must be unique, non-empty and without dots")
            }
            let layer: any Layer
            switch spec.kind {
            case let .dense(units, activation, useBias):
                guard units > 0, let features = shape.last else { throw fail("needs units > 0") }
                layer = Dense(inputCount: features, units: units, activation: activation, useBias: useBias, generator: &generator)
            case let .conv2d(filters, kernelSize, strides, padding, activation, useBias):
                guard shape.count == 3 else { throw fail("conv2d needs [h, w, c] input, got \(shape)") }
                guard filters > 0 else { throw fail("needs filters > 0") }
                try Architecture.checkWindow(shape, kernelSize, strides, padding, fail)
                layer = Conv2D(inputChannels: shape[2], filters: filters, kernelSize: kernelSize, strides: strides,
                               padding: padding, activation: activation, useBias: useBias, generator: &generator)
            case let .depthwiseConv2d(kernelSize, strides, padding, multiplier, activation, useBias):
                guard shape.count == 3 else { throw fail("depthwiseconv2d needs [h, w, c] input, got \(shape)") }
                guard multiplier > 0 else { throw fail("needs multiplier > 0") }
                try Architecture.checkWindow(shape, kernelSize, strides, padding, fail)
                layer = DepthwiseConv2D(inputChannels: shape[2], kernelSize: kernelSize, strides: strides, padding: padding,
                                        depthMultiplier: multiplier, activation: activation, useBias: useBias, generator: &generator)
            case let .maxPool2d(poolSize, strides, padding):
                guard shape.count == 3 else { throw fail("maxpool2d needs [h, w, c] input, got \(shape)") }
                try Architecture.checkWindow(shape, poolSize, strides ?? poolSize, padding, fail)
                layer = MaxPool2D(poolSize: poolSize, strides: strides, padding: padding)
            case let .averagePool2d(poolSize, strides, padding):
                guard shape.count == 3 else { throw fail("avgpool2d needs [h, w, c] input, got \(shape)") }
                try Architecture.checkWindow(shape, poolSize, strides ?? poolSize, padding, fail)
                layer = AveragePool2D(poolSize: poolSize, strides: strides, padding: padding)
            case .globalAveragePool2d:
                guard shape.count == 3 else { throw fail("globalavgpool2d needs [h, w, c] input, got \(shape)") }
                layer = GlobalAveragePool2D()
            case .flatten:
                layer = Flatten()
            case let .reshape(target):
                let count = shape.reduce(1, *)
                let known = target.filter { $0 != -1 }.reduce(1, *)
                let unknowns = target.filter { $0 == -1 }.count
                guard target.allSatisfy({ $0 > 0 || $0 == -1 }), unknowns <= 1, known > 0,
                      unknowns == 1 ? count % known == 0 : known == count else {
                    throw fail("cannot reshape \(shape) to \(target)")
                }
                layer = Reshape(target)
            case let .dropout(rate):
                guard rate >= 0, rate < 1 else { throw fail("dropout rate must be in [0, 1)") }
                layer = Dropout(rate: rate, seed: generator.next())
            case let .batchNormalization(epsilon, momentum, center, scale):
                guard let channels = shape.last else { throw fail("needs an input") }
                layer = BatchNormalization(channels: channels, epsilon: epsilon, momentum: momentum, center: center, scale: scale)
            case let .activation(activation):
                layer = ActivationLayer(activation)
            case let .zeroPadding2d(top, bottom, left, right):
                guard shape.count == 3 else { throw fail("zeropad2d needs [h, w, c] input, got \(shape)") }
                guard min(top, bottom, left, right) >= 0 else { throw fail("padding must be non-negative") }
                layer = ZeroPadding2D(top: top, bottom: bottom, left: left, right: right)
            }
            model.append(spec.name, layer)
            shape = model.outputShape
        }
        return model
    }

    private static func checkWindow(_ shape: [Int], _ window: Size2D, _ strides: Size2D, _ padding: Padding,
                                    _ fail: (String) -> ArchitectureError) throws {
        guard window.height > 0, window.width > 0, strides.height > 0, strides.width > 0 else {
            throw fail("window and stride must be positive")
        }
        if padding == .valid && (window.height > shape[0] || window.width > shape[1]) {
            throw fail("window \(window) larger than input \(shape[0])x\(shape[1])")
        }
    }
}

/// A problem in an architecture description, with the line it is on (1-based) when parsed and
/// the layer at fault when known.
public struct ArchitectureError: Error, CustomStringConvertible, Equatable {
    public var line: Int?
    /// The name of the layer at fault.
    public var layer: String?
    public var message: String
    public init(line: Int?, layer: String? = nil, message: String) {
        self.line = line
        self.layer = layer
        self.message = message
    }
    public var description: String {
        var parts = line.map { ["line \($0)"] } ?? []
        if let layer { parts.append("layer '\(layer)'") }
        return (parts + [message]).joined(separator: ": ")
    }
}

// MARK: - Text format

extension Architecture {
    /// Parses the text format described on ``Architecture``.
    public init(parsing text: String, name: String = "custom") throws {
        var inputShape: [Int]?
        var layers: [LayerSpec] = []
        var counts: [String: Int] = [:]
        var names = Set<String>()
        var lineNumbers: [Int] = []
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = offset + 1
            func fail(_ message: String) -> ArchitectureError { ArchitectureError(line: lineNumber, message: message) }
            let content = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let tokens = content.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init)
            guard let keyword = tokens.first?.lowercased() else { continue }
            if keyword == "input" {
                guard inputShape == nil else { throw fail("a second input line") }
                guard layers.isEmpty else { throw fail("input must come before the layers") }
                guard tokens.count == 2, let shape = Architecture.parseShape(tokens[1]), shape.allSatisfy({ $0 > 0 }) else {
                    throw fail("expected `input HxWxC` or `input N`")
                }
                inputShape = shape
                continue
            }
            guard inputShape != nil else { throw fail("the first statement must be `input SHAPE`") }
            var rest = Array(tokens.dropFirst())
            var layerName: String
            if let first = rest.first, !first.contains("=") {
                layerName = first
                rest.removeFirst()
            } else {
                let n = counts[keyword, default: 0]
                layerName = n == 0 ? keyword : "\(keyword)_\(n)"
            }
            counts[keyword, default: 0] += 1
            guard !layerName.contains("."), names.insert(layerName).inserted else {
                throw fail("layer name \"\(layerName)\" is repeated or contains a dot")
            }
            var options = try Options(tokens: rest, fail: fail)
            let kind: LayerSpec.Kind
            switch keyword {
            case "dense":
                kind = .dense(units: try options.int("units"), activation: try options.activation(),
                              useBias: try options.bool("bias", default: true))
            case "conv2d":
                kind = .conv2d(filters: try options.int("filters"), kernelSize: try options.size("kernel"),
                               strides: try options.size("stride", default: Size2D(1)), padding: try options.padding(),
                               activation: try options.activation(), useBias: try options.bool("bias", default: true))
            case "depthwiseconv2d":
                kind = .depthwiseConv2d(kernelSize: try options.size("kernel"), strides: try options.size("stride", default: Size2D(1)),
                                        padding: try options.padding(), depthMultiplier: try options.int("multiplier", default: 1),
                                        activation: try options.activation(), useBias: try options.bool("bias", default: true))
            case "maxpool2d", "avgpool2d":
                let size = try options.size("size", default: Size2D(2))
                let stride = try options.size("stride", default: size)
                let padding = try options.padding()
                kind = keyword == "maxpool2d" ? .maxPool2d(poolSize: size, strides: stride, padding: padding)
                    : .averagePool2d(poolSize: size, strides: stride, padding: padding)
            case "globalavgpool2d":
                kind = .globalAveragePool2d
            case "flatten":
                kind = .flatten
            case "reshape":
                guard let shape = Architecture.parseShape(try options.string("shape"), allowUnknown: true) else {
                    throw fail("reshape: expected shape=AxBxC")
                }
                kind = .reshape(shape)
            case "dropout":
                kind = .dropout(rate: try options.float("rate"))
            case "batchnorm":
                kind = .batchNormalization(epsilon: try options.float("epsilon", default: 1e-3),
                                           momentum: try options.float("momentum", default: 0.99),
                                           center: try options.bool("center", default: true),
                                           scale: try options.bool("scale", default: true))
            case "activation":
                kind = .activation(try options.activation(key: "function", default: nil))
            case "zeropad2d":
                let text = try options.string("pad")
                let values = text.split(separator: ",").map { Int($0) }
                guard values.allSatisfy({ $0 != nil && $0! >= 0 }), [1, 2, 4].contains(values.count) else {
                    throw fail("pad must be P, V,H or TOP,BOTTOM,LEFT,RIGHT, got \"\(text)\"")
                }
                let p = values.map { $0! }
                switch p.count {
                case 1: kind = .zeroPadding2d(top: p[0], bottom: p[0], left: p[0], right: p[0])
                case 2: kind = .zeroPadding2d(top: p[0], bottom: p[0], left: p[1], right: p[1])
                default: kind = .zeroPadding2d(top: p[0], bottom: p[1], left: p[2], right: p[3])
                }
            default:
                throw fail("unknown layer type \"\(keyword)\"")
            }
            if let unused = options.values.keys.sorted().first {
                throw fail("\(keyword): unknown option \"\(unused)\"")
            }
            layers.append(LayerSpec(layerName, kind))
            lineNumbers.append(lineNumber)
        }
        guard let inputShape else { throw ArchitectureError(line: nil, message: "no `input` line") }
        self.init(name: name, inputShape: inputShape, layers: layers)
        _ = try outputShape(lines: lineNumbers)
    }

    /// The shape of one output example; throws naming the first layer that does not fit its input.
    public func outputShape() throws -> [Int] { try outputShape(lines: nil) }

    private func outputShape(lines: [Int]?) throws -> [Int] {
        var shape = inputShape
        for (index, spec) in layers.enumerated() {
            let single = Architecture(name: name, inputShape: shape, layers: [spec])
            do {
                shape = try single.build(seed: 0).outputShape
            } catch let error as ArchitectureError {
                let detail = error.layer != nil ? error.message
                    : error.message.split(separator: ":", maxSplits: 1).last.map { String($0.dropFirst()) } ?? error.message
                throw ArchitectureError(line: lines?[index], message: "layer \(index + 1) (\(spec.name)) on input \(shape): \(detail)")
            }
        }
        return shape
    }

    /// The architecture in the text format (parses back to an equal architecture).
    public var text: String {
        var lines = ["input " + inputShape.map(String.init).joined(separator: "x")]
        for spec in layers {
            var words = [spec.kind.keyword, spec.name]
            switch spec.kind {
            case let .dense(units, activation, useBias):
                words += ["units=\(units)", "activation=\(activation)", "bias=\(useBias)"]
            case let .conv2d(filters, kernel, strides, padding, activation, useBias):
                words += ["filters=\(filters)", "kernel=\(kernel)", "stride=\(strides)", "padding=\(padding.rawValue)",
                          "activation=\(activation)", "bias=\(useBias)"]
            case let .depthwiseConv2d(kernel, strides, padding, multiplier, activation, useBias):
                words += ["kernel=\(kernel)", "stride=\(strides)", "padding=\(padding.rawValue)", "multiplier=\(multiplier)",
                          "activation=\(activation)", "bias=\(useBias)"]
            case let .maxPool2d(size, strides, padding), let .averagePool2d(size, strides, padding):
                words += ["size=\(size)", "stride=\(strides ?? size)", "padding=\(padding.rawValue)"]
            case .globalAveragePool2d, .flatten:
                break
            case let .reshape(shape):
                words += ["shape=" + shape.map(String.init).joined(separator: "x")]
            case let .dropout(rate):
                words += ["rate=\(rate)"]
            case let .batchNormalization(epsilon, momentum, center, scale):
                words += ["epsilon=\(epsilon)", "momentum=\(momentum)", "center=\(center)", "scale=\(scale)"]
            case let .activation(activation):
                words += ["function=\(activation)"]
            case let .zeroPadding2d(top, bottom, left, right):
                words += ["pad=\(top),\(bottom),\(left),\(right)"]
            }
            lines.append(words.joined(separator: " "))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func parseShape(_ text: String, allowUnknown: Bool = false) -> [Int]? {
        let parts = text.lowercased().split(separator: "x", omittingEmptySubsequences: false)
        var shape: [Int] = []
        for part in parts {
            guard let value = Int(part), value > 0 || (allowUnknown && value == -1) else { return nil }
            shape.append(value)
        }
        return shape.isEmpty ? nil : shape
    }
}

/// `key=value` options of one line, consumed as they are read.
private struct Options {
    var values: [String: String] = [:]
    let fail: (String) -> ArchitectureError

    init(tokens: [String], fail: @escaping (String) -> ArchitectureError) throws {
        self.fail = fail
        for token in tokens {
            let pair = token.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard pair.count == 2, !pair[0].isEmpty, !pair[1].isEmpty else { throw fail("expected key=value, got \"\(token)\"") }
            let key = pair[0].lowercased()
            guard values[key] == nil else { throw fail("option \"\(key)\" given twice") }
            values[key] = String(pair[1])
        }
    }

    mutating func string(_ key: String) throws -> String {
        guard let value = values.removeValue(forKey: key) else { throw fail("missing option \(key)=") }
        return value
    }

    mutating func int(_ key: String, default defaultValue: Int? = nil) throws -> Int {
        guard let text = values.removeValue(forKey: key) else {
            if let defaultValue { return defaultValue }
            throw fail("missing option \(key)=")
        }
        guard let value = Int(text), value > 0 else { throw fail("\(key) must be a positive integer, got \"\(text)\"") }
        return value
    }

    mutating func float(_ key: String, default defaultValue: Float? = nil) throws -> Float {
        guard let text = values.removeValue(forKey: key) else {
            if let defaultValue { return defaultValue }
            throw fail("missing option \(key)=")
        }
        guard let value = Float(text), value.isFinite else { throw fail("\(key) must be a number, got \"\(text)\"") }
        return value
    }

    mutating func bool(_ key: String, default defaultValue: Bool) throws -> Bool {
        guard let text = values.removeValue(forKey: key) else { return defaultValue }
        switch text.lowercased() {
        case "true", "yes", "1": return true
        case "false", "no", "0": return false
        default: throw fail("\(key) must be true or false, got \"\(text)\"")
        }
    }

    mutating func size(_ key: String, default defaultValue: Size2D? = nil) throws -> Size2D {
        guard let text = values.removeValue(forKey: key) else {
            if let defaultValue { return defaultValue }
            throw fail("missing option \(key)=")
        }
        guard let shape = Architecture.parseShape(text), shape.count <= 2 else {
            throw fail("\(key) must be N or HxW, got \"\(text)\"")
        }
        return shape.count == 1 ? Size2D(shape[0]) : Size2D(shape[0], shape[1])
    }

    mutating func padding() throws -> Padding {
        guard let text = values.removeValue(forKey: "padding") else { return .valid }
        guard let padding = Padding(rawValue: text.lowercased()) else { throw fail("padding must be valid or same, got \"\(text)\"") }
        return padding
    }

    mutating func activation(key: String = "activation", default defaultValue: Activation? = .linear) throws -> Activation {
        guard let text = values.removeValue(forKey: key) else {
            if let defaultValue { return defaultValue }
            throw fail("missing option \(key)=")
        }
        guard let activation = Activation(kerasName: text) else {
            throw fail("unknown activation \"\(text)\" (known: \(Activation.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return activation
    }
}
