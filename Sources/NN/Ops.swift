import TensorCore

// A handful of generic differentiable tensor operations. Layers use fused kernels instead; these
// keep small graphs and gradient checks easy to write.

extension Variable {
    /// Elementwise sum of two variables of the same shape.
    public static func + (lhs: Variable, rhs: Variable) -> Variable {
        precondition(lhs.shape == rhs.shape, "+: shapes \(lhs.shape) and \(rhs.shape) differ")
        let out = makeTensor(shape: lhs.shape) { o in
            lhs.value.withScalarPointer { a in rhs.value.withScalarPointer { b in
                for i in 0..<lhs.value.count { o[i] = a[i] + b[i] }
            } }
        }
        return Variable.record(out, parents: [lhs, rhs]) { gradient in
            lhs.accumulate(gradient)
            rhs.accumulate(gradient)
        }
    }

    /// Elementwise difference of two variables of the same shape.
    public static func - (lhs: Variable, rhs: Variable) -> Variable {
        lhs + rhs * -1
    }

    /// Elementwise (Hadamard) product of two variables of the same shape.
    public static func * (lhs: Variable, rhs: Variable) -> Variable {
        precondition(lhs.shape == rhs.shape, "*: shapes \(lhs.shape) and \(rhs.shape) differ")
        let a = lhs.value, b = rhs.value
        let out = makeTensor(shape: lhs.shape) { o in
            a.withScalarPointer { pa in b.withScalarPointer { pb in
                for i in 0..<a.count { o[i] = pa[i] * pb[i] }
            } }
        }
        return Variable.record(out, parents: [lhs, rhs]) { gradient in
            gradient.withScalarPointer { g in
                lhs.accumulateGradient { d, add in
                    b.withScalarPointer { pb in
                        for i in 0..<a.count { d[i] = (add ? d[i] : 0) + g[i] * pb[i] }
                    }
                }
                rhs.accumulateGradient { d, add in
                    a.withScalarPointer { pa in
                        for i in 0..<a.count { d[i] = (add ? d[i] : 0) + g[i] * pa[i] }
                    }
                }
            }
        }
    }

    /// Every element multiplied by a constant.
    public static func * (lhs: Variable, rhs: Float) -> Variable {
        let out = makeTensor(shape: lhs.shape) { o in
            lhs.value.withScalarPointer { a in for i in 0..<lhs.value.count { o[i] = a[i] * rhs } }
        }
        return Variable.record(out, parents: [lhs]) { gradient in
            gradient.withMutableScalarPointer { g in for i in 0..<lhs.value.count { g[i] *= rhs } }
            lhs.accumulate(gradient)
        }
    }

    /// The matrix product of two rank-2 variables; the backward pass uses BLAS transpose flags.
    public func matmul(_ other: Variable) -> Variable {
        precondition(rank == 2 && other.rank == 2 && shape[1] == other.shape[0],
                     "matmul: shapes \(shape) and \(other.shape) do not multiply")
        let m = shape[0], k = shape[1], n = other.shape[1]
        let a = value, b = other.value
        let out = TensorCore.matmul(a, b)
        return Variable.record(out, parents: [self, other]) { [self] gradient in
            gradient.withScalarPointer { g in
                // dA = dC x B^T, dB = A^T x dC, accumulated with beta = 1.
                self.accumulateGradient { d, add in
                    b.withScalarPointer { pb in
                        gemm(m: m, n: k, k: n, a: g, b: pb, transposeB: true, c: d, beta: add ? 1 : 0)
                    }
                }
                other.accumulateGradient { d, add in
                    a.withScalarPointer { pa in
                        gemm(m: k, n: n, k: m, a: pa, transposeA: true, b: g, c: d, beta: add ? 1 : 0)
                    }
                }
            }
        }
    }

    /// Adds a rank-1 `bias` along the last axis (broadcast over all leading axes).
    public func addingBias(_ bias: Variable) -> Variable {
        let c = bias.value.count
        precondition(bias.rank == 1 && shape.last == c, "addingBias: bias \(bias.shape) does not match \(shape)")
        let rows = value.count / Swift.max(c, 1)
        let out = makeTensor(shape: shape) { o in
            value.withScalarPointer { x in bias.value.withScalarPointer { b in
                for r in 0..<rows { for j in 0..<c { o[r * c + j] = x[r * c + j] + b[j] } }
            } }
        }
        return Variable.record(out, parents: [self, bias]) { [self] gradient in
            gradient.withScalarPointer { g in
                bias.accumulateGradient { d, add in accumulateColumnSums(g, rows: rows, columns: c, into: d, accumulate: add) }
            }
            self.accumulate(gradient)
        }
    }

    /// The sum of all elements, as a scalar.
    public func sum() -> Variable {
        var total: Double = 0
        value.withScalarPointer { x in for i in 0..<value.count { total += Double(x[i]) } }
        let shape = self.shape
        return Variable.record(Tensor(Float(total)), parents: [self]) { [self] gradient in
            self.accumulate(Tensor(repeating: gradient.scalars[0], shape: shape))
        }
    }

    /// The mean of all elements, as a scalar.
    public func mean() -> Variable {
        sum() * (1 / Float(Swift.max(value.count, 1)))
    }

    /// The same elements viewed with another shape (`-1` stands for the remaining extent).
    public func reshaped(_ newShape: [Int]) -> Variable {
        let resolved = Variable.resolve(newShape, count: value.count)
        var out = value
        out.setShape(resolved)
        let original = shape
        return Variable.record(out, parents: [self]) { [self] gradient in
            gradient.setShape(original)
            self.accumulate(gradient)
        }
    }

    /// Flattens every axis after the first: `[n, a, b, c]` becomes `[n, a * b * c]`.
    public func flattened() -> Variable {
        reshaped([shape.first ?? 1, -1])
    }

    /// The elements at positions `range` of the last axis (every leading axis kept).
    public func slicedLastAxis(_ range: Range<Int>) -> Variable {
        let c = shape.last ?? 1
        precondition(range.lowerBound >= 0 && range.upperBound <= c, "slicedLastAxis: \(range) outside 0..<\(c)")
        let rows = value.count / Swift.max(c, 1), n = range.count, start = range.lowerBound
        var outputShape = shape
        outputShape[outputShape.count - 1] = n
        let out = makeTensor(shape: outputShape) { o in
            value.withScalarPointer { x in
                for r in 0..<rows { (o + r * n).update(from: x + r * c + start, count: n) }
            }
        }
        return Variable.record(out, parents: [self]) { [self] gradient in
            self.accumulateGradient { d, add in
                if !add { d.update(repeating: 0, count: rows * c) }
                gradient.withScalarPointer { g in
                    for r in 0..<rows {
                        let dr = d + r * c + start, gr = g + r * n
                        for j in 0..<n { dr[j] += gr[j] }
                    }
                }
            }
        }
    }

    /// The number of axes.
    public var rank: Int { value.rank }

    static func resolve(_ shape: [Int], count: Int) -> [Int] {
        let unknown = shape.filter { $0 == -1 }.count
        precondition(unknown <= 1, "reshape: at most one -1 in \(shape)")
        var result = shape
        if let index = shape.firstIndex(of: -1) {
            let known = shape.filter { $0 != -1 }.reduce(1, *)
            precondition(known > 0 && count % known == 0, "reshape: cannot view \(count) elements as \(shape)")
            result[index] = count / known
        }
        precondition(Tensor.elementCount(result) == count, "reshape: cannot view \(count) elements as \(shape)")
        return result
    }
}

/// `out[j] (+)= sum_r x[r * columns + j]`, accumulated in row order.
@inlinable
func accumulateColumnSums(_ x: UnsafePointer<Float>, rows: Int, columns: Int, into out: UnsafeMutablePointer<Float>, accumulate: Bool) {
    if !accumulate { out.update(repeating: 0, count: columns) }
    var r = 0
    while r < rows {
        let row = x + r &* columns
        for j in 0..<columns { out[j] += row[j] }
        r &+= 1
    }
}
