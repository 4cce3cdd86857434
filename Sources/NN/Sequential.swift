import Foundation
import TensorCore

/// A stack of named layers applied in order, as Keras' `Sequential`.
///
/// Parameters are enumerated with dotted keys, `"<layer>.<parameter>"` (`"fc1.kernel"`), in
/// layer order; ``setWeights(_:)`` and ``parameter(named:)`` use the same keys.
///
/// ```swift
/// let model = try Architecture.lenet300.build(seed: 42)
/// let logits = model.logits(Variable(images), training: true)
/// print(model.parameterCount)                    // 266610
/// model.parameter(named: "fc1.kernel")!.shape    // [784, 300]
/// ```
public final class Sequential {
    /// A layer and its unique name.
    public struct Entry {
        public let name: String
        public let layer: any Layer
    }

    /// The shape of one input example, without the batch axis (`[28, 28, 1]`, `[784]`).
    public let inputShape: [Int]
    /// The layers in order.
    public private(set) var entries: [Entry] = []
    /// The shape of one output example, without the batch axis.
    public private(set) var outputShape: [Int]

    /// Creates an empty model taking examples of `inputShape`.
    public init(inputShape: [Int]) {
        precondition(!inputShape.isEmpty && inputShape.allSatisfy { $0 > 0 }, "Sequential: bad input shape \(inputShape)")
        self.inputShape = inputShape
        self.outputShape = inputShape
    }

    /// Creates a model from named layers.
    public convenience init(inputShape: [Int], layers: [(String, any Layer)]) {
        self.init(inputShape: inputShape)
        for (name, layer) in layers { append(name, layer) }
    }

    /// Appends a layer; the name must be new and must not contain a dot.
    public func append(_ name: String, _ layer: any Layer) {
        precondition(!name.isEmpty && !name.contains("."), "Sequential: bad layer name \"\(name)\"")
        precondition(!entries.contains { $0.name == name }, "Sequential: duplicate layer name \"\(name)\"")
        outputShape = layer.outputShape(for: outputShape)
        entries.append(Entry(name: name, layer: layer))
    }

    /// The layer names in order.
    public var layerNames: [String] { entries.map(\.name) }
    /// The layers in order.
    public var layers: [any Layer] { entries.map(\.layer) }

    /// The layer with the given name.
    public func layer(named name: String) -> (any Layer)? {
        entries.first { $0.name == name }?.layer
    }

    /// The input shape of each layer (without batch), in order.
    public var layerInputShapes: [[Int]] {
        var shapes: [[Int]] = []
        var shape = inputShape
        for entry in entries {
            shapes.append(shape)
            shape = entry.layer.outputShape(for: shape)
        }
        return shapes
    }

    // MARK: Forward

    /// Applies every layer, including a final softmax.
    public func callAsFunction(_ x: Variable, training: Bool = false) -> Variable {
        forward(x, training: training, stripFinalSoftmax: false)
    }

    /// Applies every layer but a final softmax (the fused activation of the last layer or a last
    /// `Activation(softmax)` layer), giving the logits that ``softmaxCrossEntropy(logits:labels:)``
    /// expects. Identical to `callAsFunction` for models that do not end in a softmax.
    public func logits(_ x: Variable, training: Bool = false) -> Variable {
        forward(x, training: training, stripFinalSoftmax: true)
    }

    /// Whether the model's last operation is a softmax (which ``logits(_:training:)`` skips).
    public var endsInSoftmax: Bool {
        guard let last = entries.last?.layer else { return false }
        if let activated = last as? any ActivatedLayer { return activated.activation == .softmax }
        if let activation = last as? ActivationLayer { return activation.activation == .softmax }
        return false
    }

    /// Inference on a batch: the full model's output (probabilities when it ends in softmax).
    public func predict(_ x: Tensor) -> Tensor {
        withoutGradients { self(Variable(x), training: false).value }
    }

    private func forward(_ x: Variable, training: Bool, stripFinalSoftmax: Bool) -> Variable {
        var h = x
        let exampleSize = inputShape.reduce(1, *)
        if h.shape.dropFirst().elementsEqual(inputShape) == false {
            precondition(h.rank >= 1 && h.value.count == h.shape[0] * exampleSize,
                         "Sequential: input \(h.shape) does not hold examples of shape \(inputShape)")
            h = h.reshaped([h.shape[0]] + inputShape)
        }
        for (index, entry) in entries.enumerated() {
            let isLast = index == entries.count - 1
            if isLast && stripFinalSoftmax {
                if let activated = entry.layer as? any ActivatedLayer, activated.activation == .softmax {
                    h = activated.forward(h, training: training, activation: .linear)
                    continue
                }
                if let activation = entry.layer as? ActivationLayer, activation.activation == .softmax {
                    continue
                }
            }
            h = entry.layer(h, training: training)
        }
        return h
    }

    // MARK: Parameters

    /// Every parameter with its dotted key (`"fc1.kernel"`), in layer order.
    public var namedParameters: [(key: String, parameter: Parameter)] {
        entries.flatMap { entry in entry.layer.parameters.map { (key: entry.name + "." + $0.name, parameter: $0) } }
    }

    /// Every parameter, in layer order.
    public var parameters: [Parameter] { entries.flatMap { $0.layer.parameters } }

    /// Parameters updated by gradient descent (trainable and not frozen).
    public var trainableParameters: [Parameter] { parameters.filter(\.requiresGrad) }

    /// The parameter with a dotted key.
    public func parameter(named key: String) -> Parameter? {
        namedParameters.first { $0.key == key }?.parameter
    }

    /// The number of scalars in all parameters (Keras' "Total params").
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }

    /// The number of scalars in trainable parameters.
    public var trainableParameterCount: Int { parameters.filter(\.isTrainable).reduce(0) { $0 + $1.count } }

    /// Forgets every parameter's gradient.
    public func zeroGrad() { for p in parameters { p.zeroGrad() } }

    /// Sets parameter values by dotted key; every key must exist with the same shape.
    public func setWeights(_ weights: [String: Tensor]) throws {
        let named = Dictionary(uniqueKeysWithValues: namedParameters.map { ($0.key, $0.parameter) })
        for (key, tensor) in weights {
            guard let parameter = named[key] else { throw ModelError.unknownParameter(key) }
            guard parameter.shape == tensor.shape else {
                throw ModelError.shapeMismatch(key: key, expected: parameter.shape, got: tensor.shape)
            }
        }
        for (key, tensor) in weights { named[key]!.value = tensor }
    }

    /// Every parameter's value by dotted key.
    public var weights: [String: Tensor] {
        Dictionary(uniqueKeysWithValues: namedParameters.map { ($0.key, $0.parameter.value) })
    }

    /// A table of layers, output shapes and parameter counts, as Keras' `summary()`.
    public var summary: String {
        var lines = ["Layer                 Type                              Output shape      Params"]
        var shape = inputShape
        for entry in entries {
            shape = entry.layer.outputShape(for: shape)
            let count = entry.layer.parameters.reduce(0) { $0 + $1.count }
            let type = String(describing: entry.layer).prefix(33)
            lines.append(entry.name.padding(toLength: 22, withPad: " ", startingAt: 0)
                         + String(type).padding(toLength: 34, withPad: " ", startingAt: 0)
                         + shape.description.padding(toLength: 18, withPad: " ", startingAt: 0)
                         + String(count))
        }
        lines.append("Total params: \(parameterCount) (trainable: \(trainableParameterCount))")
        return lines.joined(separator: "\n")
    }
}

/// Errors of model construction and weight assignment.
public enum ModelError: Error, CustomStringConvertible, Equatable {
    case unknownParameter(String)
    case shapeMismatch(key: String, expected: [Int], got: [Int])

    public var description: String {
        switch self {
        case .unknownParameter(let key): return "no parameter named \"\(key)\""
        case .shapeMismatch(let key, let expected, let got): return "parameter \"\(key)\" has shape \(expected), got \(got)"
        }
    }
}
