extension Tensor {
    /// The sum of all elements, accumulated in `Double`.
    ///
    /// The result has shape `[]`, or all ones (`[1, 1, ...]`) with `keepDims`. An empty tensor sums
    /// to 0.
    ///
    /// ```swift
    /// Tensor(shape: [2, 2], scalars: [1, 2, 3, 4]).sum().scalar   // 10
    /// ```
    public func sum(keepDims: Bool = false) -> Tensor {
        Tensor(shape: fullReductionShape(keepDims: keepDims), scalars: [Float(totalSum())])
    }

    /// Sums along one axis, accumulating in `Double`.
    ///
    /// The axis is removed from the shape, or kept with extent 1 when `keepDims` is true. Negative
    /// axes count from the end, so `-1` is the last axis.
    ///
    /// ```swift
    /// let x = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
    /// x.sum(alongAxis: 0)                   // [5, 7, 9], shape [3]
    /// x.sum(alongAxis: 1, keepDims: true)   // [[6], [15]], shape [2, 1]
    /// ```
    public func sum(alongAxis axis: Int, keepDims: Bool = false) -> Tensor {
        let (outer, extent, inner) = reductionExtents(axis)
        let sums = axisSums(outer: outer, extent: extent, inner: inner)
        return Tensor(shape: axisReductionShape(axis, keepDims: keepDims), scalars: sums.map { Float($0) })
    }

    /// The mean of all elements, accumulated in `Double`; NaN for an empty tensor.
    ///
    /// The result has shape `[]`, or all ones with `keepDims`.
    public func mean(keepDims: Bool = false) -> Tensor {
        Tensor(shape: fullReductionShape(keepDims: keepDims), scalars: [Float(totalSum() / Double(count))])
    }

    /// The mean along one axis, accumulated in `Double`; NaN where the axis is empty.
    ///
    /// Shapes follow ``sum(alongAxis:keepDims:)``.
    ///
    /// ```swift
    /// let featureMeans = batch.mean(alongAxis: 0)   // [batch, features] -> [features]
    /// ```
    public func mean(alongAxis axis: Int, keepDims: Bool = false) -> Tensor {
        let (outer, extent, inner) = reductionExtents(axis)
        let sums = axisSums(outer: outer, extent: extent, inner: inner)
        let n = Double(extent)
        return Tensor(shape: axisReductionShape(axis, keepDims: keepDims), scalars: sums.map { Float($0 / n) })
    }

    /// The largest element; NaN if any element is NaN (as in NumPy).
    ///
    /// The result has shape `[]`, or all ones with `keepDims`.
    /// - Precondition: the tensor is not empty.
    public func max(keepDims: Bool = false) -> Tensor {
        precondition(count > 0, "Tensor: max of an empty tensor \(shape)")
        return Tensor(shape: fullReductionShape(keepDims: keepDims), scalars: [scalars[argmax()]])
    }

    /// The largest element along one axis; NaN where a NaN is met.
    ///
    /// Shapes follow ``sum(alongAxis:keepDims:)``.
    /// - Precondition: the axis is not empty.
    public func max(alongAxis axis: Int, keepDims: Bool = false) -> Tensor {
        extremum(alongAxis: axis, keepDims: keepDims, by: <)
    }

    /// The smallest element; NaN if any element is NaN.
    ///
    /// The result has shape `[]`, or all ones with `keepDims`. Asymmetric quantization calibrates
    /// its range with this and ``max(keepDims:)``.
    /// - Precondition: the tensor is not empty.
    public func min(keepDims: Bool = false) -> Tensor {
        precondition(count > 0, "Tensor: min of an empty tensor \(shape)")
        return Tensor(shape: fullReductionShape(keepDims: keepDims), scalars: [scalars[argExtremum(by: >)]])
    }

    /// The smallest element along one axis; NaN where a NaN is met.
    ///
    /// Shapes follow ``sum(alongAxis:keepDims:)``.
    /// - Precondition: the axis is not empty.
    public func min(alongAxis axis: Int, keepDims: Bool = false) -> Tensor {
        extremum(alongAxis: axis, keepDims: keepDims, by: >)
    }

    /// The flat (row-major) index of the largest element.
    ///
    /// Ties go to the first occurrence; if any element is NaN, the first NaN wins (as in NumPy).
    /// - Precondition: the tensor is not empty.
    public func argmax() -> Int {
        precondition(count > 0, "Tensor: argmax of an empty tensor \(shape)")
        return argExtremum(by: <)
    }

    /// The index of the largest element along one axis, for every position of the other axes.
    ///
    /// Indices are returned as `[Int]` rather than a `Tensor`, because `Float` cannot hold every
    /// index exactly. They are laid out row-major over the shape with `axis` removed, so for a
    /// `[batch, classes]` tensor, `argmax(alongAxis: 1)` gives one class per sample. Ties go to
    /// the first occurrence and a NaN wins over numbers, as in ``argmax()``.
    ///
    /// ```swift
    /// let predictions = logits.argmax(alongAxis: -1)
    /// let accuracy = zip(predictions, labels).filter { $0 == $1 }.count
    /// ```
    /// - Precondition: the axis is not empty.
    public func argmax(alongAxis axis: Int) -> [Int] {
        argExtremum(alongAxis: axis, by: <)
    }

    /// The square root of the sum of squared elements, accumulated in `Double`.
    ///
    /// For a matrix this is the Frobenius norm, which also equals the 2-norm of its singular
    /// values; compression passes use it for relative errors such as `‖A - Â‖ / ‖A‖`.
    public var frobeniusNorm: Float {
        scalars.withUnsafeBufferPointer { values in
            var total = 0.0
            for v in values { total += Double(v) * Double(v) }
            return Float(total.squareRoot())
        }
    }

    /// The values that win under `isWorse` along `axis` (see `argExtremum(alongAxis:by:)`).
    private func extremum(alongAxis axis: Int, keepDims: Bool, by isWorse: (Float, Float) -> Bool) -> Tensor {
        let indices = argExtremum(alongAxis: axis, by: isWorse)
        let (_, extent, inner) = reductionExtents(axis)
        let values = scalars.withUnsafeBufferPointer { x in
            indices.enumerated().map { position, index in
                let (o, i) = position.quotientAndRemainder(dividingBy: inner)
                return x[(o * extent + index) * inner + i]
            }
        }
        return Tensor(shape: axisReductionShape(axis, keepDims: keepDims), scalars: values)
    }

    /// For every position of the other axes, the index along `axis` that wins under `isWorse`
    /// (the first NaN, else the first extreme value), laid out row-major.
    private func argExtremum(alongAxis axis: Int, by isWorse: (Float, Float) -> Bool) -> [Int] {
        let (outer, extent, inner) = reductionExtents(axis)
        precondition(extent > 0, "Tensor: reduction along empty axis \(axis) of shape \(shape)")
        var best = [Int](repeating: 0, count: outer * inner)
        scalars.withUnsafeBufferPointer { x in
            best.withUnsafeMutableBufferPointer { best in
                for o in 0..<outer {
                    let base = o * extent * inner
                    for j in 1..<extent {
                        let row = base + j * inner
                        for i in 0..<inner {
                            let current = x[base + best[o * inner + i] * inner + i]
                            if beats(x[row + i], current, by: isWorse) { best[o * inner + i] = j }
                        }
                    }
                }
            }
        }
        return best
    }

    /// The sum of all elements in `Double`.
    private func totalSum() -> Double {
        scalars.withUnsafeBufferPointer { values in
            var total = 0.0
            for v in values { total += Double(v) }
            return total
        }
    }

    /// The flat index of the element that wins under `isWorse` (the first NaN, else the first
    /// extreme value). Requires a non-empty tensor.
    private func argExtremum(by isWorse: (Float, Float) -> Bool) -> Int {
        scalars.withUnsafeBufferPointer { x in
            var best = 0
            for i in 1..<x.count where beats(x[i], x[best], by: isWorse) { best = i }
            return best
        }
    }

    /// Whether `candidate` replaces `current`: a NaN beats any number, nothing beats a NaN, and
    /// otherwise the candidate must be strictly better.
    private func beats(_ candidate: Float, _ current: Float, by isWorse: (Float, Float) -> Bool) -> Bool {
        if current.isNaN { return false }
        return candidate.isNaN || isWorse(current, candidate)
    }

    /// Per-position sums along the middle extent of the `[outer, extent, inner]` view.
    private func axisSums(outer: Int, extent: Int, inner: Int) -> [Double] {
        var sums = [Double](repeating: 0, count: outer * inner)
        scalars.withUnsafeBufferPointer { x in
            sums.withUnsafeMutableBufferPointer { sums in
                for o in 0..<outer {
                    for j in 0..<extent {
                        let row = (o * extent + j) * inner
                        for i in 0..<inner { sums[o * inner + i] += Double(x[row + i]) }
                    }
                }
            }
        }
        return sums
    }

    /// Views the tensor as `[outer, extent, inner]` around `axis`.
    private func reductionExtents(_ axis: Int) -> (outer: Int, extent: Int, inner: Int) {
        let axis = normalizedAxis(axis)
        return (Tensor.elementCount(Array(shape[..<axis])),
                shape[axis],
                Tensor.elementCount(Array(shape[(axis + 1)...])))
    }

    private func axisReductionShape(_ axis: Int, keepDims: Bool) -> [Int] {
        let axis = normalizedAxis(axis)
        var result = shape
        if keepDims { result[axis] = 1 } else { result.remove(at: axis) }
        return result
    }

    private func fullReductionShape(keepDims: Bool) -> [Int] {
        keepDims ? [Int](repeating: 1, count: rank) : []
    }

    /// `axis` in `0..<rank`, with negative values counted from the end.
    func normalizedAxis(_ axis: Int) -> Int {
        precondition(axis >= -rank && axis < rank, "Tensor: axis \(axis) out of range for shape \(shape)")
        return axis < 0 ? axis + rank : axis
    }
}
