import TensorCore

/// The largest absolute elementwise difference between two equally long arrays.
func maxAbsoluteDifference(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count, "maxAbsoluteDifference: \(a.count) vs \(b.count) elements")
    return zip(a, b).reduce(0) { Swift.max($0, ($1.0 - $1.1).magnitude) }
}

/// The `rows x rows` identity matrix.
func identity(_ rows: Int) -> Tensor {
    var result = Tensor(zeros: [rows, rows])
    for i in 0..<rows { result[i, i] = 1 }
    return result
}

/// A row-major multi-index for a flat index into `shape`.
func multiIndex(_ flat: Int, in shape: [Int]) -> [Int] {
    var rest = flat
    var index = [Int](repeating: 0, count: shape.count)
    for axis in stride(from: shape.count - 1, through: 0, by: -1) {
        index[axis] = rest % shape[axis]
        rest /= shape[axis]
    }
    return index
}

/// The flat index of a multi-index into `shape`.
func flatIndex(_ index: [Int], in shape: [Int]) -> Int {
    zip(index, shape).reduce(0) { $0 * $1.1 + $1.0 }
}
