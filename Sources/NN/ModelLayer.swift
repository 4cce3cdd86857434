import TensorCore

/// A node of a ``Model``: a layer of one or more inputs.
///
/// ``Layer`` (one input) and ``MergeLayer`` (several) both are model layers; the model calls
/// every node through this interface.
public protocol ModelLayer: AnyObject, CustomStringConvertible {
    /// The parameters in a fixed order, each named within the layer (`kernel`, `bias`, ...).
    var parameters: [Parameter] { get }
    /// The shape of one output example for one example of each input (no batch axis); throws
    /// when the inputs do not fit the layer.
    func outputShape(forInputs inputShapes: [[Int]]) throws -> [Int]
    /// Applies the layer to its inputs, in order; `training` selects batch statistics and dropout.
    func apply(_ inputs: [Variable], training: Bool) -> Variable
}

extension ModelLayer {
    /// The parameter with the given name inside this layer.
    public func parameter(named name: String) -> Parameter? {
        parameters.first { $0.name == name }
    }

    /// The number of scalars in the layer's parameters.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }

    /// The parameters compression passes may prune and quantize: the kernels. Biases, batch
    /// statistics and normalisation constants are left alone unless a pass asks for biases.
    public var compressibleParameters: [Parameter] {
        parameters.filter { Self.kernelNames.contains($0.name) }
    }

    /// The names of kernels among parameters.
    public static var kernelNames: Set<String> { ["kernel", "depthwise_kernel", "pointwise_kernel"] }
}

extension Layer {
    public func outputShape(forInputs inputShapes: [[Int]]) throws -> [Int] {
        guard inputShapes.count == 1 else {
            throw LayerShapeError(layer: String(describing: type(of: self)), "takes one input, got \(inputShapes.count)")
        }
        return outputShape(for: inputShapes[0])
    }

    public func apply(_ inputs: [Variable], training: Bool) -> Variable {
        precondition(inputs.count == 1, "\(type(of: self)): takes one input, got \(inputs.count)")
        return self(inputs[0], training: training)
    }
}

extension MergeLayer {
    public func outputShape(forInputs inputShapes: [[Int]]) throws -> [Int] { try outputShape(for: inputShapes) }
    public func apply(_ inputs: [Variable], training: Bool) -> Variable { self(inputs, training: training) }
}
