import TensorCore

/// `x` for `x > 0`, else `alpha * x` with a learned `alpha`, as Keras' `PReLU`.
///
/// `alpha` has the shape of one example with extent 1 on the shared axes (Keras' `shared_axes`,
/// which count the batch axis: `[1, 2]` shares one slope per channel over height and width of
/// NHWC input). It starts at zero, Keras' default initialiser.
public final class PReLU: Layer {
    /// The slopes: the example shape, 1 on the shared axes; named `alpha` as in Keras.
    public let alpha: Parameter

    /// Creates a layer for examples of `inputShape` (batch excluded) with zero slopes.
    ///
    /// - Parameter sharedAxes: Keras' `shared_axes`, batch counted: axis 1 is the first axis of `inputShape`.
    public init(inputShape: [Int], sharedAxes: [Int] = []) {
        precondition(sharedAxes.allSatisfy { $0 >= 1 && $0 <= inputShape.count },
                     "PReLU: shared axes \(sharedAxes) out of range for input \(inputShape)")
        var shape = inputShape
        for axis in sharedAxes { shape[axis - 1] = 1 }
        alpha = Parameter(name: "alpha", value: Tensor(zeros: shape))
    }

    /// Creates a layer from given slopes (the example shape, 1 on shared axes).
    public init(alpha: Tensor) {
        self.alpha = Parameter(name: "alpha", value: alpha)
    }

    public var parameters: [Parameter] { [alpha] }

    public func outputShape(for inputShape: [Int]) -> [Int] {
        precondition(broadcastShape([inputShape, alpha.shape]) == inputShape,
                     "PReLU: alpha \(alpha.shape) does not fit input \(inputShape)")
        return inputShape
    }

    public func callAsFunction(_ x: Variable, training: Bool) -> Variable { parametricRelu(x, alpha: alpha.variable) }

    public var description: String { "PReLU(alpha: \(alpha.shape))" }
}

/// `x > 0 ? x : alpha * x`, `alpha` repeated over the batch and over its axes of extent 1.
func parametricRelu(_ x: Variable, alpha: Variable) -> Variable {
    precondition(broadcastShape([x.shape, [1] + alpha.shape]) == x.shape, "PReLU: alpha \(alpha.shape) does not fit input \(x.shape)")
    let layout = BroadcastRows(output: x.shape, inputs: [x.shape, [1] + alpha.shape])
    let n = layout.rowLength, step = layout.step(1)
    let xValue = x.value, a = alpha.value
    let y = makeTensor(shape: x.shape) { out in
        xValue.withScalarPointer { px in a.withScalarPointer { pa in
            parallelChunks(layout.rows, costPerItem: n) { rows in
                for r in rows {
                    let xr = px + r * n, ar = pa + layout.offset(1, row: r), o = out + r * n
                    for j in 0..<n { o[j] = xr[j] > 0 ? xr[j] : ar[j * step] * xr[j] }
                }
            }
        } }
    }
    return Variable.record(y, parents: [x, alpha]) { gradient in
        gradient.withScalarPointer { g in xValue.withScalarPointer { px in a.withScalarPointer { pa in
            alpha.accumulateGradient { da, add in
                if !add { da.update(repeating: 0, count: a.count) }
                for r in 0..<layout.rows {
                    let xr = px + r * n, gr = g + r * n, d = da + layout.offset(1, row: r)
                    for j in 0..<n where xr[j] < 0 { d[j * step] += gr[j] * xr[j] }
                }
            }
            x.accumulateGradient { dx, add in
                parallelChunks(layout.rows, costPerItem: n) { rows in
                    for r in rows {
                        let xr = px + r * n, gr = g + r * n, ar = pa + layout.offset(1, row: r), d = dx + r * n
                        for j in 0..<n {
                            let v = xr[j] > 0 ? gr[j] : ar[j * step] * gr[j]
                            d[j] = add ? d[j] + v : v
                        }
                    }
                }
            }
        } } }
    }
}
