import TensorCore

/// The axes of each example reordered, as Keras' `Permute(dims)`: output axis `i` is input axis
/// `dims[i]`, counted from 1 (the batch axis stays first).
public final class Permute: Layer {
    /// A permutation of `1...rank`, as Keras writes it.
    public let dims: [Int]

    public init(_ dims: [Int]) {
        precondition(dims.sorted() == Array(1...Swift.max(dims.count, 1)), "Permute: \(dims) is not a permutation of 1...\(dims.count)")
        self.dims = dims
    }

    public func outputShape(for inputShape: [Int]) -> [Int] {
        precondition(inputShape.count == dims.count, "Permute: input \(inputShape) does not have \(dims.count) axes")
        return dims.map { inputShape[$0 - 1] }
    }

    public func callAsFunction(_ x: Variable, training: Bool) -> Variable { x.permuted([0] + dims) }

    public var description: String { "Permute(\(dims))" }
}

extension Variable {
    /// The axes reordered: output axis `i` is axis `axes[i]` of this variable.
    public func permuted(_ axes: [Int]) -> Variable {
        precondition(axes.sorted() == Array(0..<rank), "permuted: \(axes) is not a permutation of the \(rank) axes")
        let inputShape = shape, outputShape = axes.map { shape[$0] }
        let inputStrides = Tensor.strides(for: inputShape)
        // The input stride of each output axis.
        let strides = axes.map { inputStrides[$0] }
        // Visits the elements in output order with their input offsets.
        func forEachOffset(_ body: (_ output: Int, _ input: Int) -> Void) {
            var index = [Int](repeating: 0, count: outputShape.count), offset = 0
            for i in 0..<Tensor.elementCount(outputShape) {
                body(i, offset)
                var axis = outputShape.count - 1
                while axis >= 0 {
                    index[axis] += 1
                    offset += strides[axis]
                    if index[axis] < outputShape[axis] { break }
                    offset -= strides[axis] * outputShape[axis]
                    index[axis] = 0
                    axis -= 1
                }
            }
        }
        let xValue = value
        let y = makeTensor(shape: outputShape) { o in
            xValue.withScalarPointer { px in forEachOffset { o[$0] = px[$1] } }
        }
        return Variable.record(y, parents: [self]) { [self] gradient in
            self.accumulateGradient { dx, add in
                gradient.withScalarPointer { g in forEachOffset { dx[$1] = add ? dx[$1] + g[$0] : g[$0] } }
            }
        }
    }
}
