import TensorCore

/// A layer type that describes itself: its Keras name, the configuration that rebuilds it, the
/// shapes it gives and takes, and how to build it.
///
/// Every format works from this description alone: the Keras reader and writer, the compressed
/// file's architecture section, the text format and ``Architecture/validated()``. A new layer
/// type is one file implementing it, plus a line in ``LayerTypes/all``.
///
/// ```swift
/// let plan = try Dense.plan(["units": 10], inputShapes: [[784]])
/// plan.outputShape           // [10]
/// plan.parameters.map(\.shape) // [[784, 10], [10]]
/// ```
public protocol DescribedLayer: ModelLayer {
    /// The Keras class name written for this type (`Dense`, `MaxPooling2D`).
    static var kerasClassName: String { get }
    /// Other Keras class names read as this type (`MaxPool2D`, `Convolution2D`).
    static var kerasAliases: [String] { get }
    /// The keyword of the architecture text format (`dense`, `maxpool2d`).
    static var keyword: String { get }
    /// Checks `config` against the input shapes without allocating: the output shape, the
    /// parameters and the configuration in canonical form (every key the type reads, defaults
    /// filled in, in the type's order). Throws ``LayerConfigError`` or ``LayerShapeError``.
    static func plan(_ config: LayerConfig, inputShapes: [[Int]]) throws -> LayerPlan
    /// Builds the layer for the input shapes, drawing initial weights from `generator`.
    static func make(_ config: LayerConfig, inputShapes: [[Int]], generator: inout RandomGenerator) throws -> any ModelLayer
    /// The canonical configuration that rebuilds this layer.
    var config: LayerConfig { get }
}

extension DescribedLayer {
    public static var kerasAliases: [String] { [] }
    public static var keyword: String { kerasClassName.lowercased() }

    /// The only input shape of a one-input layer.
    static func singleInput(_ inputShapes: [[Int]]) throws -> [Int] {
        guard inputShapes.count == 1 else { throw LayerShapeError(layer: kerasClassName, "takes one input, got \(inputShapes.count)") }
        return inputShapes[0]
    }

    /// The `[h, w, c]` input of a two-dimensional layer.
    static func imageInput(_ inputShapes: [[Int]]) throws -> (height: Int, width: Int, channels: Int) {
        let shape = try singleInput(inputShapes)
        guard shape.count == 3 else { throw LayerShapeError(layer: kerasClassName, "needs [h, w, c] input, got \(shape)") }
        return (shape[0], shape[1], shape[2])
    }

    /// The output extent of a window sliding over `input`; throws when none fits.
    static func windowOutput(_ input: Int, window: Int, stride: Int, padding: Padding, dilation: Int = 1) throws -> Int {
        let span = (window - 1) * dilation + 1
        let extent = padding.output(input: input, window: span, stride: stride).extent
        guard extent >= 1 else { throw LayerShapeError(layer: kerasClassName, "window \(span) is larger than input extent \(input)") }
        return extent
    }
}

/// What ``DescribedLayer/plan(_:inputShapes:)`` finds for one layer.
public struct LayerPlan: Sendable, Equatable {
    /// The shape of one output example.
    public var outputShape: [Int]
    /// The parameters the layer will have, in the order it lists them.
    public var parameters: [ParameterShape]
    /// The configuration in canonical form.
    public var config: LayerConfig

    public init(outputShape: [Int], parameters: [ParameterShape] = [], config: LayerConfig) {
        self.outputShape = outputShape
        self.parameters = parameters
        self.config = config
    }
}

/// One parameter a layer gets: its name in the layer and its shape.
public struct ParameterShape: Sendable, Equatable {
    public var name: String
    public var shape: [Int]

    public init(_ name: String, _ shape: [Int]) {
        self.name = name
        self.shape = shape
    }
}

/// The layer types the engine knows, found by Keras class name or text keyword.
public enum LayerTypes {
    /// Every described layer type.
    public static let all: [any DescribedLayer.Type] = [
        Dense.self, Conv2D.self, DepthwiseConv2D.self, MaxPool2D.self, AveragePool2D.self, GlobalAveragePool2D.self,
        GlobalMaxPool2D.self, Flatten.self, Reshape.self, Dropout.self, BatchNormalization.self, ActivationLayer.self,
        ZeroPadding2D.self,
    ]

    private static let byKerasName: [String: any DescribedLayer.Type] = {
        var table: [String: any DescribedLayer.Type] = [:]
        for type in all { for name in [type.kerasClassName] + type.kerasAliases { table[name] = type } }
        return table
    }()

    private static let byKeyword: [String: any DescribedLayer.Type] = {
        Dictionary(uniqueKeysWithValues: all.map { ($0.keyword, $0) })
    }()

    /// The type Keras calls `name` (its class name or an alias).
    public static func named(kerasClassName name: String) -> (any DescribedLayer.Type)? { byKerasName[name] }

    /// The type of a text-format keyword (case-insensitive).
    public static func named(keyword: String) -> (any DescribedLayer.Type)? { byKeyword[keyword.lowercased()] }
}
