import Foundation
import TensorCore

/// A model: a directed acyclic graph of named layers, as Keras's functional models; a chain of
/// layers (Keras's `Sequential`) is the special case.
///
/// Layers are kept in an order where each comes after its inputs; the last layer's output is
/// the model's. Parameters are enumerated with dotted keys, `"<layer>.<parameter>"`
/// (`"fc1.kernel"`), in layer order; ``setWeights(_:)`` and ``parameter(named:)`` use the same
/// keys. Where a layer's output feeds several layers, the backward pass sums their gradients.
///
/// ```swift
/// let model = try Architecture.lenet300.build(seed: 42)
/// let logits = model.logits(Variable(images), training: true)
/// print(model.parameterCount)                    // 266610
/// model.parameter(named: "fc1.kernel")!.shape    // [784, 300]
/// ```
public final class Model {
    /// A layer, its unique name and the layers it takes.
    public struct Entry {
        public let name: String
        public let layer: any ModelLayer
        /// The names of the layers whose outputs this layer takes, in order (``Model/inputName``
        /// for the model's input).
        public let inputs: [String]
        /// Where the inputs are: indices of earlier entries, -1 for the model's input.
        public let inputIndices: [Int]
    }

    /// The shape of one input example, without the batch axis (`[28, 28, 1]`, `[784]`).
    public let inputShape: [Int]
    /// The name layers use for the model's input.
    public let inputName: String
    /// The layers, each after its inputs.
    public private(set) var entries: [Entry] = []
    /// The shape of each layer's output example.
    public private(set) var outputShapes: [[Int]] = []

    /// Creates an empty model taking examples of `inputShape`.
    public init(inputShape: [Int], inputName: String = "input") {
        precondition(!inputShape.isEmpty && inputShape.allSatisfy { $0 > 0 }, "Model: bad input shape \(inputShape)")
        self.inputShape = inputShape
        self.inputName = inputName
    }

    /// Creates a chain of named layers.
    public convenience init(inputShape: [Int], layers: [(String, any ModelLayer)]) {
        self.init(inputShape: inputShape)
        for (name, layer) in layers { append(name, layer) }
    }

    /// Appends a layer taking the outputs of `inputs` (by name; the previous layer, or the
    /// model's input, when empty). The name must be new and must not contain a dot; the inputs
    /// must fit the layer.
    public func append(_ name: String, _ layer: any ModelLayer, inputs: [String] = []) {
        precondition(!name.isEmpty && !name.contains(".") && name != inputName, "Model: bad layer name \"\(name)\"")
        precondition(!entries.contains { $0.name == name }, "Model: duplicate layer name \"\(name)\"")
        let names = inputs.isEmpty ? [entries.last?.name ?? inputName] : inputs
        let indices = names.map { input -> Int in
            if input == inputName { return -1 }
            guard let index = entries.firstIndex(where: { $0.name == input }) else { preconditionFailure("Model: no layer \"\(input)\" before \"\(name)\"") }
            return index
        }
        let shape: [Int]
        do {
            shape = try layer.outputShape(forInputs: indices.map(shape(at:)))
        } catch {
            preconditionFailure("Model: layer \"\(name)\": \(error)")
        }
        entries.append(Entry(name: name, layer: layer, inputs: names, inputIndices: indices))
        outputShapes.append(shape)
    }

    /// The shape of one output example, without the batch axis.
    public var outputShape: [Int] { outputShapes.last ?? inputShape }

    private func shape(at index: Int) -> [Int] { index < 0 ? inputShape : outputShapes[index] }

    /// Whether every layer takes the one before it.
    public var isChain: Bool {
        entries.indices.allSatisfy { entries[$0].inputIndices == [$0 - 1] }
    }

    /// The layer names in order.
    public var layerNames: [String] { entries.map(\.name) }
    /// The layers in order.
    public var layers: [any ModelLayer] { entries.map(\.layer) }

    /// The layer with the given name.
    public func layer(named name: String) -> (any ModelLayer)? {
        entries.first { $0.name == name }?.layer
    }

    /// The input shapes of each layer (without batch), in order.
    public var layerInputShapes: [[[Int]]] {
        entries.map { $0.inputIndices.map(shape(at:)) }
    }

    /// The names of the layers that take each layer's output, in order.
    public var consumers: [[String]] {
        entries.indices.map { index in entries.filter { $0.inputIndices.contains(index) }.map(\.name) }
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
        var input = x
        let exampleSize = inputShape.reduce(1, *)
        if input.shape.dropFirst().elementsEqual(inputShape) == false {
            precondition(input.rank >= 1 && input.value.count == input.shape[0] * exampleSize,
                         "Model: input \(input.shape) does not hold examples of shape \(inputShape)")
            input = input.reshaped([input.shape[0]] + inputShape)
        }
        guard !entries.isEmpty else { return input }
        // Each output is dropped after its last use, so memory holds only the live tensors.
        var lastUse = [Int](repeating: -1, count: entries.count)
        for (index, entry) in entries.enumerated() { for source in entry.inputIndices where source >= 0 { lastUse[source] = index } }
        var outputs = [Variable?](repeating: nil, count: entries.count)
        for (index, entry) in entries.enumerated() {
            let inputs = entry.inputIndices.map { $0 < 0 ? input : outputs[$0]! }
            for source in entry.inputIndices where source >= 0 && lastUse[source] == index { outputs[source] = nil }
            let isLast = index == entries.count - 1
            if isLast && stripFinalSoftmax {
                if let activated = entry.layer as? any ActivatedLayer, activated.activation == .softmax {
                    outputs[index] = activated.forward(inputs[0], training: training, activation: .linear)
                    continue
                }
                if entry.layer is ActivationLayer, (entry.layer as! ActivationLayer).activation == .softmax {
                    outputs[index] = inputs[0]
                    continue
                }
            }
            outputs[index] = entry.layer.apply(inputs, training: training)
        }
        return outputs[entries.count - 1]!
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
        for (entry, shape) in zip(entries, outputShapes) {
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
