import Foundation

/// The shape that two shapes broadcast to, following NumPy's rules.
///
/// Shapes are aligned at their last axis; the shorter one is padded with leading ones. Two aligned
/// extents are compatible when they are equal or when one of them is 1, and the result takes the
/// larger (an extent of 0 against 1 gives 0).
///
/// ```swift
/// try broadcastShape([8, 1, 6], [7, 1])   // [8, 7, 6]
/// try broadcastShape([2, 3], [4])         // throws TensorError.incompatibleShapes
/// ```
/// - Throws: ``TensorError/incompatibleShapes(_:_:)`` when an aligned pair differs and neither is 1.
public func broadcastShape(_ a: [Int], _ b: [Int]) throws(TensorError) -> [Int] {
    let rank = max(a.count, b.count)
    var result = [Int](repeating: 1, count: rank)
    for axis in 0..<rank {
        let extentA = axis < rank - a.count ? 1 : a[axis - (rank - a.count)]
        let extentB = axis < rank - b.count ? 1 : b[axis - (rank - b.count)]
        if extentA == extentB || extentB == 1 {
            result[axis] = extentA
        } else if extentA == 1 {
            result[axis] = extentB
        } else {
            throw .incompatibleShapes(a, b)
        }
    }
    return result
}

extension Tensor {
    /// Applies `transform` to every element.
    ///
    /// ```swift
    /// let relu = x.map { max($0, 0) }
    /// ```
    @inlinable
    public func map(_ transform: (Float) -> Float) -> Tensor {
        let n = count
        let result = [Float](unsafeUninitializedCapacity: n) { output, initializedCount in
            scalars.withUnsafeBufferPointer { input in
                for i in 0..<n { output[i] = transform(input[i]) }
            }
            initializedCount = n
        }
        return Tensor(shape: shape, scalars: result)
    }

    /// Combines `self` and `other` element by element after broadcasting them to a common shape.
    ///
    /// Equal shapes and one-element operands take tight loops over contiguous memory; other
    /// shapes go through a strided walk that merges axes where both operands are contiguous.
    ///
    /// ```swift
    /// let grad = upstream.combined(with: x) { g, v in v > 0 ? g : 0 }   // ReLU backward
    /// ```
    /// - Precondition: the shapes broadcast (see ``broadcastShape(_:_:)``).
    @inlinable @inline(__always)
    public func combined(with other: Tensor, _ combine: (Float, Float) -> Float) -> Tensor {
        if shape == other.shape {
            return Tensor(shape: shape, scalars: Tensor.zipScalars(scalars, other.scalars, combine))
        }
        if other.count == 1 && other.rank <= rank {
            let y = other.scalars[0]
            return map { combine($0, y) }
        }
        if count == 1 && rank <= other.rank {
            let x = scalars[0]
            return other.map { combine(x, $0) }
        }
        let resultShape: [Int]
        do {
            resultShape = try broadcastShape(shape, other.shape)
        } catch {
            preconditionFailure("Tensor: \(error)")
        }
        return Tensor(shape: resultShape,
                      scalars: Tensor.broadcastScalars(self, other, to: resultShape, combine))
    }

    /// Combines `other` into `self` element by element; `other` must broadcast to `self.shape`.
    @inline(__always)
    mutating func combine(with other: Tensor, _ operation: (Float, Float) -> Float) {
        if shape == other.shape {
            other.scalars.withUnsafeBufferPointer { b in
                scalars.withUnsafeMutableBufferPointer { a in
                    for i in 0..<a.count { a[i] = operation(a[i], b[i]) }
                }
            }
        } else if other.count == 1 && other.rank <= rank {
            let y = other.scalars[0]
            combine(with: y, operation)
        } else {
            let result = combined(with: other, operation)
            precondition(result.shape == shape,
                         "Tensor: in-place update cannot broadcast \(other.shape) into \(shape)")
            self = result
        }
    }

    /// Combines the constant `y` into every element of `self`.
    @inline(__always)
    mutating func combine(with y: Float, _ operation: (Float, Float) -> Float) {
        scalars.withUnsafeMutableBufferPointer { a in
            for i in 0..<a.count { a[i] = operation(a[i], y) }
        }
    }

    /// `combine(a[i], b[i])` for every index of two equally long arrays.
    @inlinable
    static func zipScalars(_ a: [Float], _ b: [Float], _ combine: (Float, Float) -> Float) -> [Float] {
        let n = a.count
        return [Float](unsafeUninitializedCapacity: n) { output, initializedCount in
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    for i in 0..<n { output[i] = combine(a[i], b[i]) }
                }
            }
            initializedCount = n
        }
    }

    /// One axis of a broadcast walk: its extent and each operand's stride (0 when broadcast).
    private struct BroadcastAxis {
        var extent: Int
        var strideA: Int
        var strideB: Int
    }

    /// The general broadcasting loop: walks the output in row-major order with an odometer over
    /// the outer axes and a contiguous or constant inner axis.
    @usableFromInline @inline(__always)
    static func broadcastScalars(
        _ a: Tensor, _ b: Tensor, to resultShape: [Int], _ combine: (Float, Float) -> Float
    ) -> [Float] {
        let n = elementCount(resultShape)
        guard n > 0 else { return [] }
        let axes = broadcastAxes(a.shape, b.shape, resultShape)
        let inner = axes[axes.count - 1]
        let outer = axes.dropLast()
        let outerCount = n / inner.extent
        return [Float](unsafeUninitializedCapacity: n) { output, initializedCount in
            a.scalars.withUnsafeBufferPointer { pa in
                b.scalars.withUnsafeBufferPointer { pb in
                    var counters = [Int](repeating: 0, count: outer.count)
                    var offsetA = 0, offsetB = 0, offsetOut = 0
                    for _ in 0..<outerCount {
                        switch (inner.strideA, inner.strideB) {
                        case (1, 1):
                            for j in 0..<inner.extent {
                                output[offsetOut + j] = combine(pa[offsetA + j], pb[offsetB + j])
                            }
                        case (1, 0):
                            let y = pb[offsetB]
                            for j in 0..<inner.extent { output[offsetOut + j] = combine(pa[offsetA + j], y) }
                        case (0, 1):
                            let x = pa[offsetA]
                            for j in 0..<inner.extent { output[offsetOut + j] = combine(x, pb[offsetB + j]) }
                        default:
                            for j in 0..<inner.extent {
                                output[offsetOut + j] = combine(pa[offsetA + j * inner.strideA],
                                                                pb[offsetB + j * inner.strideB])
                            }
                        }
                        offsetOut += inner.extent
                        var axis = outer.count - 1
                        while axis >= 0 {
                            let o = outer[axis]
                            counters[axis] += 1
                            offsetA += o.strideA
                            offsetB += o.strideB
                            if counters[axis] < o.extent { break }
                            counters[axis] = 0
                            offsetA -= o.strideA * o.extent
                            offsetB -= o.strideB * o.extent
                            axis -= 1
                        }
                    }
                }
            }
            initializedCount = n
        }
    }

    /// The axes of a broadcast walk with extent-1 axes dropped and adjacent axes merged wherever
    /// both operands step through them as one contiguous run. Never empty.
    private static func broadcastAxes(_ shapeA: [Int], _ shapeB: [Int], _ resultShape: [Int]) -> [BroadcastAxis] {
        func alignedStrides(_ shape: [Int]) -> [Int] {
            let padded = [Int](repeating: 1, count: resultShape.count - shape.count) + shape
            let strides = Tensor.strides(for: padded)
            return zip(padded, strides).map { extent, stride in extent == 1 ? 0 : stride }
        }
        let stridesA = alignedStrides(shapeA)
        let stridesB = alignedStrides(shapeB)
        var axes: [BroadcastAxis] = []
        for axis in resultShape.indices where resultShape[axis] != 1 {
            let next = BroadcastAxis(extent: resultShape[axis], strideA: stridesA[axis], strideB: stridesB[axis])
            if let last = axes.last,
               last.strideA == next.strideA * next.extent,
               last.strideB == next.strideB * next.extent {
                axes[axes.count - 1] = BroadcastAxis(extent: last.extent * next.extent,
                                                     strideA: next.strideA, strideB: next.strideB)
            } else {
                axes.append(next)
            }
        }
        return axes.isEmpty ? [BroadcastAxis(extent: 1, strideA: 0, strideB: 0)] : axes
    }
}

// MARK: - Arithmetic operators

extension Tensor {
    /// Elementwise sum with broadcasting.
    ///
    /// ```swift
    /// let y = matmul(x, w) + bias   // [batch, out] + [out]
    /// ```
    public static func + (lhs: Tensor, rhs: Tensor) -> Tensor { lhs.combined(with: rhs, +) }
    /// Elementwise difference with broadcasting.
    public static func - (lhs: Tensor, rhs: Tensor) -> Tensor { lhs.combined(with: rhs, -) }
    /// Elementwise product with broadcasting.
    public static func * (lhs: Tensor, rhs: Tensor) -> Tensor { lhs.combined(with: rhs, *) }
    /// Elementwise quotient with broadcasting (IEEE semantics: division by zero gives ±inf or NaN).
    public static func / (lhs: Tensor, rhs: Tensor) -> Tensor { lhs.combined(with: rhs, /) }

    /// Adds `rhs` to every element.
    public static func + (lhs: Tensor, rhs: Float) -> Tensor { lhs.map { $0 + rhs } }
    /// Subtracts `rhs` from every element.
    public static func - (lhs: Tensor, rhs: Float) -> Tensor { lhs.map { $0 - rhs } }
    /// Multiplies every element by `rhs`.
    public static func * (lhs: Tensor, rhs: Float) -> Tensor { lhs.map { $0 * rhs } }
    /// Divides every element by `rhs`.
    public static func / (lhs: Tensor, rhs: Float) -> Tensor { lhs.map { $0 / rhs } }

    /// Adds every element to `lhs`.
    public static func + (lhs: Float, rhs: Tensor) -> Tensor { rhs.map { lhs + $0 } }
    /// Subtracts every element from `lhs`.
    public static func - (lhs: Float, rhs: Tensor) -> Tensor { rhs.map { lhs - $0 } }
    /// Multiplies `lhs` by every element.
    public static func * (lhs: Float, rhs: Tensor) -> Tensor { rhs.map { lhs * $0 } }
    /// Divides `lhs` by every element.
    public static func / (lhs: Float, rhs: Tensor) -> Tensor { rhs.map { lhs / $0 } }

    /// Negates every element.
    public static prefix func - (operand: Tensor) -> Tensor { operand.map { -$0 } }

    /// Adds `rhs` in place; `rhs` must broadcast to `lhs.shape`, which never changes.
    ///
    /// When `rhs` has the same shape as `lhs` or a single element, the update happens in the
    /// existing storage (unless it is shared), which makes this the cheap way to accumulate
    /// gradients; other broadcasts build a new array.
    ///
    /// ```swift
    /// weightGradient += matmul(x, dy, transposeA: true)
    /// ```
    public static func += (lhs: inout Tensor, rhs: Tensor) { lhs.combine(with: rhs, +) }
    /// Subtracts `rhs` in place; `rhs` must broadcast to `lhs.shape`.
    public static func -= (lhs: inout Tensor, rhs: Tensor) { lhs.combine(with: rhs, -) }
    /// Multiplies by `rhs` in place; `rhs` must broadcast to `lhs.shape`.
    public static func *= (lhs: inout Tensor, rhs: Tensor) { lhs.combine(with: rhs, *) }
    /// Divides by `rhs` in place; `rhs` must broadcast to `lhs.shape`.
    public static func /= (lhs: inout Tensor, rhs: Tensor) { lhs.combine(with: rhs, /) }

    /// Adds `rhs` to every element in place.
    public static func += (lhs: inout Tensor, rhs: Float) { lhs.combine(with: rhs, +) }
    /// Subtracts `rhs` from every element in place.
    public static func -= (lhs: inout Tensor, rhs: Float) { lhs.combine(with: rhs, -) }
    /// Multiplies every element by `rhs` in place.
    public static func *= (lhs: inout Tensor, rhs: Float) { lhs.combine(with: rhs, *) }
    /// Divides every element by `rhs` in place.
    public static func /= (lhs: inout Tensor, rhs: Float) { lhs.combine(with: rhs, /) }
}

// MARK: - Elementwise functions

/// The natural exponential of every element.
public func exp(_ x: Tensor) -> Tensor { x.map { Foundation.exp($0) } }

/// The natural logarithm of every element (`-inf` at 0, NaN for negative elements).
public func log(_ x: Tensor) -> Tensor { x.map { Foundation.log($0) } }

/// The square root of every element (NaN for negative elements).
public func sqrt(_ x: Tensor) -> Tensor { x.map { $0.squareRoot() } }

/// The magnitude of every element.
public func abs(_ x: Tensor) -> Tensor { x.map { $0.magnitude } }

/// The elementwise larger of `a` and `b`, with broadcasting.
///
/// Like NumPy's `maximum`, a NaN in either operand gives NaN.
///
/// ```swift
/// let relu = maximum(x, 0)
/// ```
public func maximum(_ a: Tensor, _ b: Tensor) -> Tensor { a.combined(with: b, larger) }

/// The elementwise larger of `a` and the constant `b`; NaN elements stay NaN.
public func maximum(_ a: Tensor, _ b: Float) -> Tensor { a.map { larger($0, b) } }

/// The elementwise smaller of `a` and `b`, with broadcasting; a NaN in either operand gives NaN.
public func minimum(_ a: Tensor, _ b: Tensor) -> Tensor { a.combined(with: b, smaller) }

/// The elementwise smaller of `a` and the constant `b`; NaN elements stay NaN.
public func minimum(_ a: Tensor, _ b: Float) -> Tensor { a.map { smaller($0, b) } }

/// Limits every element to `lower...upper`; NaN elements stay NaN.
///
/// ```swift
/// let clipped = clamp(gradient, min: -1, max: 1)
/// ```
/// - Precondition: `lower <= upper`.
public func clamp(_ x: Tensor, min lower: Float, max upper: Float) -> Tensor {
    precondition(lower <= upper, "clamp: lower bound \(lower) exceeds upper bound \(upper)")
    return x.map { $0 < lower ? lower : ($0 > upper ? upper : $0) }
}

private func larger(_ a: Float, _ b: Float) -> Float { a > b || a.isNaN ? a : b }

private func smaller(_ a: Float, _ b: Float) -> Float { a < b || a.isNaN ? a : b }
