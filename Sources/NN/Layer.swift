import TensorCore

/// A model layer of one input (most layers).
///
/// Shapes passed to and returned by ``outputShape(for:)`` omit the batch axis; the tensors seen
/// by ``callAsFunction(_:training:)`` have it first (NHWC for images).
///
/// ```swift
/// let dense = Dense(inputCount: 784, units: 300, activation: .relu, generator: &rng)
/// let y = dense(Variable(x), training: true)
/// ```
public protocol Layer: ModelLayer {
    /// The shape of one output example for the shape of one input example.
    func outputShape(for inputShape: [Int]) -> [Int]
    /// Applies the layer; `training` selects batch statistics and dropout.
    func callAsFunction(_ x: Variable, training: Bool) -> Variable
}

extension Layer {
    public var parameters: [Parameter] { [] }

    /// Applies the layer in inference mode.
    public func callAsFunction(_ x: Variable) -> Variable { self(x, training: false) }
}

/// A layer with a fused output activation (Keras' `activation=` argument).
///
/// ``Model/logits(_:training:)`` calls the last such layer with `.linear` instead of a
/// final softmax, so training uses the fused, stable softmax cross-entropy.
public protocol ActivatedLayer: Layer {
    /// The activation applied to the layer's output.
    var activation: Activation { get set }
    /// Applies the layer with the given activation in place of ``activation``.
    func forward(_ x: Variable, training: Bool, activation: Activation) -> Variable
}

extension ActivatedLayer {
    public func callAsFunction(_ x: Variable, training: Bool) -> Variable {
        forward(x, training: training, activation: activation)
    }
}

/// Keras' padding modes for convolution and pooling.
public enum Padding: String, Sendable, CaseIterable {
    /// No padding: only windows fully inside the input.
    case valid
    /// Output extent `ceil(input / stride)`, padding split as TensorFlow does (extra at the end).
    case same

    /// The output extent and the padding before the first element along one axis.
    ///
    /// TensorFlow's rule: for `same`, `padTotal = max((ceil(in / stride) - 1) * stride + k - in, 0)`
    /// and `padBefore = padTotal / 2`.
    public func output(input: Int, window: Int, stride: Int) -> (extent: Int, padBefore: Int) {
        precondition(stride > 0 && window > 0, "Padding: window and stride must be positive")
        switch self {
        case .valid:
            return (input >= window ? (input - window) / stride + 1 : 0, 0)
        case .same:
            let out = (input + stride - 1) / stride
            let total = Swift.max((out - 1) * stride + window - input, 0)
            return (out, total / 2)
        }
    }
}

/// A pair of extents (height, width): kernel sizes, strides, pool sizes.
public struct Size2D: Sendable, Equatable, Hashable, CustomStringConvertible {
    public var height: Int
    public var width: Int
    public init(_ height: Int, _ width: Int) { self.height = height; self.width = width }
    /// A square size.
    public init(_ size: Int) { self.init(size, size) }
    public var description: String { height == width ? "\(height)" : "\(height)x\(width)" }
}

/// Keras' default kernel initialiser: uniform in `±sqrt(6 / (fanIn + fanOut))`.
///
/// For convolution kernels `[kh, kw, in, out]` the fans are `kh * kw * in` and `kh * kw * out`.
public func glorotUniform(shape: [Int], generator: inout RandomGenerator) -> Tensor {
    precondition(shape.count >= 2, "glorotUniform: needs at least two axes, got \(shape)")
    let receptive = shape.dropLast(2).reduce(1, *)
    let fanIn = shape[shape.count - 2] * receptive
    let fanOut = shape[shape.count - 1] * receptive
    let limit = (6 / Float(fanIn + fanOut)).squareRoot()
    return generator.uniform(shape: shape, low: -limit, high: limit)
}

extension Size2D {
    /// The size as a configuration value: `[height, width]`.
    public var configValue: ConfigValue { [.int(height), .int(width)] }
}
