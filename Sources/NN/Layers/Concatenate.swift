import TensorCore

/// Variables joined along `axis` (batch included, so 3 is the channels of NHWC; negative
/// counts from the end); every other extent must match.
public func concatenate(_ inputs: [Variable], axis: Int = -1) -> Variable {
    precondition(!inputs.isEmpty, "concatenate: no inputs")
    let rank = inputs[0].rank
    let a = axis < 0 ? axis + rank : axis
    precondition(a >= 0 && a < rank, "concatenate: axis \(axis) out of range for rank \(rank)")
    var shape = inputs[0].shape
    for input in inputs {
        precondition(input.rank == rank && shape.indices.allSatisfy { $0 == a || input.shape[$0] == shape[$0] },
                     "concatenate: shapes \(inputs.map(\.shape)) differ off axis \(axis)")
    }
    shape[a] = inputs.reduce(0) { $0 + $1.shape[a] }
    // Each input contributes one block of `extent * inner` floats to every one of `outer` rows.
    let outer = shape[..<a].reduce(1, *), inner = shape[(a + 1)...].reduce(1, *)
    let blocks = inputs.map { $0.shape[a] * inner }
    let starts = blocks.reduce(into: [0]) { $0.append($0.last! + $1) }
    let rowLength = starts.last!
    let values = inputs.map(\.value)
    let y = makeTensor(shape: shape) { out in
        withScalarPointers(values) { xs in
            parallelChunks(outer, costPerItem: rowLength) { rows in
                for r in rows {
                    for (i, x) in xs.enumerated() {
                        (out + r * rowLength + starts[i]).update(from: x + r * blocks[i], count: blocks[i])
                    }
                }
            }
        }
    }
    return Variable.record(y, parents: inputs) { gradient in
        gradient.withScalarPointer { g in
            for (i, input) in inputs.enumerated() {
                input.accumulateGradient { dx, add in
                    let block = blocks[i]
                    parallelChunks(outer, costPerItem: block) { rows in
                        for r in rows {
                            let src = g + r * rowLength + starts[i], dst = dx + r * block
                            if add {
                                for t in 0..<block { dst[t] += src[t] }
                            } else {
                                dst.update(from: src, count: block)
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Inputs joined along one axis, as Keras' `Concatenate` (default: the last axis).
///
/// `axis` counts the batch axis as Keras does (`axis=3` is the channels of NHWC input; `-1` the
/// last axis); joining along the batch axis is refused.
public final class Concatenate: MergeLayer {
    /// The axis joined along, batch included; negative counts from the end.
    public let axis: Int

    public init(axis: Int = -1) { self.axis = axis }

    public func outputShape(for inputShapes: [[Int]]) throws -> [Int] {
        guard let first = inputShapes.first else { throw LayerShapeError(layer: "Concatenate", "needs at least one input") }
        // Shapes here have no batch axis: Keras' axis a is axis a - 1 of theirs.
        let a = axis < 0 ? axis + first.count : axis - 1
        guard a >= 0 && a < first.count else {
            throw LayerShapeError(layer: "Concatenate", "axis \(axis) is the batch axis or out of range for inputs of shape \(first)")
        }
        var shape = first
        for input in inputShapes.dropFirst() {
            guard input.count == first.count,
                  input.indices.allSatisfy({ $0 == a || input[$0] == first[$0] }) else {
                throw LayerShapeError(layer: "Concatenate", "input shapes \(inputShapes) differ off axis \(axis)")
            }
            shape[a] += input[a]
        }
        return shape
    }

    public func callAsFunction(_ inputs: [Variable], training: Bool) -> Variable {
        concatenate(inputs, axis: axis)
    }

    public var description: String { "Concatenate(axis: \(axis))" }
}
