extension Tensor {
    /// The same elements viewed with another shape; at most one extent may be `-1`, which is
    /// inferred from the element count.
    ///
    /// Storage is shared with `self` until one of them is mutated.
    ///
    /// ```swift
    /// let images = Tensor(zeros: [64, 28, 28])
    /// let flat = images.reshaped([64, -1])   // shape [64, 784]
    /// ```
    /// - Precondition: the new shape holds exactly `count` elements.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        let inferred = newShape.indices.filter { newShape[$0] == -1 }
        precondition(inferred.count <= 1, "Tensor: reshape to \(newShape) has more than one -1")
        precondition(newShape.allSatisfy { $0 >= -1 }, "Tensor: reshape to \(newShape) has a negative extent")
        var resolved = newShape
        if let axis = inferred.first {
            let known = newShape.enumerated().reduce(1) { $1.offset == axis ? $0 : $0 * $1.element }
            precondition(known > 0 && count % known == 0,
                         "Tensor: cannot reshape \(shape) (\(count) elements) to \(newShape)")
            resolved[axis] = count / known
        }
        precondition(Tensor.elementCount(resolved) == count,
                     "Tensor: cannot reshape \(shape) (\(count) elements) to \(newShape)")
        var result = self
        result.setShape(resolved)
        return result
    }

    /// The transpose of a matrix.
    ///
    /// The copy is made in cache-sized tiles. To multiply by a transpose, pass `transposeA` or
    /// `transposeB` to ``matmul(_:_:transposeA:transposeB:)`` instead; no copy is made then.
    ///
    /// ```swift
    /// let w = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
    /// w.transposed()   // shape [3, 2]: [1, 4, 2, 5, 3, 6]
    /// ```
    /// - Precondition: `rank == 2`.
    public func transposed() -> Tensor {
        precondition(rank == 2, "Tensor: transposed() needs a rank-2 tensor, got shape \(shape)")
        let rows = shape[0], columns = shape[1]
        let tile = 32
        let result = [Float](unsafeUninitializedCapacity: count) { output, initializedCount in
            scalars.withUnsafeBufferPointer { input in
                for rowStart in stride(from: 0, to: rows, by: tile) {
                    let rowEnd = Swift.min(rowStart + tile, rows)
                    for columnStart in stride(from: 0, to: columns, by: tile) {
                        let columnEnd = Swift.min(columnStart + tile, columns)
                        for r in rowStart..<rowEnd {
                            for c in columnStart..<columnEnd { output[c * rows + r] = input[r * columns + c] }
                        }
                    }
                }
            }
            initializedCount = count
        }
        return Tensor(shape: [columns, rows], scalars: result)
    }

    /// The tensor with its axes reordered: axis `i` of the result is axis `permutation[i]` of `self`.
    ///
    /// ```swift
    /// let nchw = Tensor(zeros: [8, 3, 32, 32])
    /// let nhwc = nchw.transposed(permutation: [0, 2, 3, 1])   // shape [8, 32, 32, 3]
    /// ```
    /// - Precondition: `permutation` is a permutation of `0..<rank`.
    public func transposed(permutation: [Int]) -> Tensor {
        precondition(permutation.count == rank && permutation.sorted() == Array(0..<rank),
                     "Tensor: \(permutation) is not a permutation of the \(rank) axes of \(shape)")
        if permutation == Array(0..<rank) { return self }
        if rank == 2 { return transposed() }
        let resultShape = permutation.map { shape[$0] }
        let sourceStrides = permutation.map { strides[$0] }
        let n = count
        let result = [Float](unsafeUninitializedCapacity: n) { output, initializedCount in
            guard n > 0 else {
                initializedCount = 0
                return
            }
            scalars.withUnsafeBufferPointer { input in
                let innerExtent = resultShape[rank - 1], innerStride = sourceStrides[rank - 1]
                var counters = [Int](repeating: 0, count: rank - 1)
                var source = 0
                for rowStart in stride(from: 0, to: n, by: innerExtent) {
                    for j in 0..<innerExtent { output[rowStart + j] = input[source + j * innerStride] }
                    var axis = rank - 2
                    while axis >= 0 {
                        counters[axis] += 1
                        source += sourceStrides[axis]
                        if counters[axis] < resultShape[axis] { break }
                        counters[axis] = 0
                        source -= sourceStrides[axis] * resultShape[axis]
                        axis -= 1
                    }
                }
            }
            initializedCount = n
        }
        return Tensor(shape: resultShape, scalars: result)
    }

    /// The slices `range` along the first axis, such as a mini-batch of samples.
    ///
    /// ```swift
    /// let batch = images.rows(128..<256)   // shape [128, 28, 28]
    /// let tail = images.rows(60_000...)
    /// ```
    /// - Precondition: `rank >= 1` and `range` lies within `0..<shape[0]`.
    public func rows<R: RangeExpression<Int>>(_ range: R) -> Tensor {
        precondition(rank >= 1, "Tensor: rows(_:) needs rank >= 1, got a scalar")
        let bounds = range.relative(to: 0..<shape[0])
        precondition(bounds.lowerBound >= 0 && bounds.upperBound <= shape[0],
                     "Tensor: rows \(bounds) out of range for shape \(shape)")
        let rowLength = Tensor.elementCount(Array(shape.dropFirst()))
        var resultShape = shape
        resultShape[0] = bounds.count
        return Tensor(shape: resultShape,
                      scalars: Array(scalars[(bounds.lowerBound * rowLength)..<(bounds.upperBound * rowLength)]))
    }

    /// Joins tensors along the first axis.
    ///
    /// ```swift
    /// let all = Tensor(concatenating: [trainImages, validationImages])
    /// ```
    /// - Precondition: `tensors` is not empty, and all have rank >= 1 and the same extents after
    ///   the first axis.
    public init(concatenating tensors: [Tensor]) {
        precondition(!tensors.isEmpty, "Tensor: concatenating needs at least one tensor")
        let trailing = Array(tensors[0].shape.dropFirst())
        precondition(tensors.allSatisfy { $0.rank >= 1 && Array($0.shape.dropFirst()) == trailing },
                     "Tensor: cannot concatenate shapes \(tensors.map(\.shape)) along axis 0")
        var values: [Float] = []
        values.reserveCapacity(tensors.reduce(0) { $0 + $1.count })
        for tensor in tensors { values.append(contentsOf: tensor.scalars) }
        self.init(shape: [tensors.reduce(0) { $0 + $1.shape[0] }] + trailing, scalars: values)
    }
}
