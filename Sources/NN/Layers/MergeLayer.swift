import TensorCore

/// A layer of several inputs, as Keras' merge layers (`Add`, `Concatenate`, ...).
///
/// Shapes passed to and returned by ``outputShape(for:)`` omit the batch axis; the tensors seen
/// by ``callAsFunction(_:training:)`` have it first. Shapes that do not fit together are an
/// error of ``outputShape(for:)``, so a graph can be checked before it runs; the call itself
/// expects shapes that passed that check.
///
/// ```swift
/// let add = Add()
/// let shape = try add.outputShape(for: [[8, 8, 16], [8, 8, 16]])   // [8, 8, 16]
/// let y = add([a, b], training: true)
/// ```
public protocol MergeLayer: ModelLayer {
    /// The shape of one output example for the shapes of one example of each input.
    func outputShape(for inputShapes: [[Int]]) throws -> [Int]
    /// Applies the layer to its inputs, in order.
    func callAsFunction(_ inputs: [Variable], training: Bool) -> Variable
}

extension MergeLayer {
    public var parameters: [Parameter] { [] }

    /// Applies the layer in inference mode.
    public func callAsFunction(_ inputs: [Variable]) -> Variable { self(inputs, training: false) }
}

/// Input shapes a layer cannot take, named by the layer.
public struct LayerShapeError: Error, CustomStringConvertible, Equatable {
    /// The layer type (`"Add"`, `"Concatenate"`).
    public var layer: String
    public var message: String

    public init(layer: String, _ message: String) {
        self.layer = layer
        self.message = message
    }

    public var description: String { "\(layer): \(message)" }
}
