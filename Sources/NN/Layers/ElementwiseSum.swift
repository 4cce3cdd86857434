import TensorCore

/// The sum of tensors of one shape (a residual connection's `Add`): one vectorised pass over
/// all elements, split across workers, added in input order as ``elementwise(_:_:)`` adds them.
/// The backward pass hands every input the gradient itself.
func sameShapeSum(_ inputs: [Variable]) -> Variable {
    precondition(!inputs.isEmpty && inputs.allSatisfy { $0.shape == inputs[0].shape }, "sameShapeSum: shapes differ")
    let values = inputs.map(\.value), count = values[0].count
    let y = makeTensor(shape: inputs[0].shape) { out in
        withScalarPointers(values) { xs in
            let sources = xs.map(SendablePointer.init)
            parallelChunks(count, costPerItem: inputs.count) { range in
                let o = out + range.lowerBound
                o.update(from: sources[0].pointer + range.lowerBound, count: range.count)
                for source in sources.dropFirst() {
                    let x = source.pointer + range.lowerBound
                    var j = 0
                    while j &+ 8 <= range.count {
                        store8(load8(o + j) + load8(x + j), o + j)
                        j &+= 8
                    }
                    while j < range.count {
                        o[j] += x[j]
                        j &+= 1
                    }
                }
            }
        }
    }
    return Variable.record(y, parents: inputs) { gradient in
        for input in inputs { input.accumulate(gradient) }
    }
}
