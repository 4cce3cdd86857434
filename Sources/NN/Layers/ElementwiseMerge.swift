import TensorCore

/// How an elementwise merge combines its inputs, as the Keras merge layers of the same names.
public enum ElementwiseOperation: String, Sendable, CaseIterable {
    /// The sum.
    case add
    /// The first input minus the second (exactly two inputs).
    case subtract
    /// The product.
    case multiply
    /// The mean.
    case average
    /// The largest input; the gradient goes to the first input holding it.
    case maximum
    /// The smallest input; the gradient goes to the first input holding it.
    case minimum
}

/// The shape inputs of equal rank broadcast to: along each axis the extents are equal or 1
/// (an input of extent 1 is repeated); nil when they do not fit.
func broadcastShape(_ shapes: [[Int]]) -> [Int]? {
    guard let rank = shapes.first?.count, shapes.allSatisfy({ $0.count == rank }) else { return nil }
    var result = [Int](repeating: 1, count: rank)
    for shape in shapes {
        for (axis, extent) in shape.enumerated() where extent != 1 {
            if result[axis] == 1 { result[axis] = extent } else if result[axis] != extent { return nil }
        }
    }
    return result
}

/// Inputs laid over a broadcast output, one row (the last axis) at a time.
struct BroadcastRows {
    let shape: [Int]
    /// For each input, its element stride along each output axis (0 where it has extent 1).
    let strides: [[Int]]
    let rows: Int
    let rowLength: Int

    init(output: [Int], inputs: [[Int]]) {
        shape = output
        strides = inputs.map { input in zip(input, Tensor.strides(for: input)).map { $0 == 1 ? 0 : $1 } }
        rowLength = output.last ?? 1
        rows = Tensor.elementCount(output) / Swift.max(rowLength, 1)
    }

    /// Where row `row` of the output starts in input `input`.
    func offset(_ input: Int, row: Int) -> Int {
        let s = strides[input]
        var rest = row, offset = 0
        for axis in stride(from: shape.count - 2, through: 0, by: -1) {
            offset += (rest % shape[axis]) * s[axis]
            rest /= shape[axis]
        }
        return offset
    }

    /// The step between the elements of a row in input `input`: 1, or 0 when it is repeated.
    func step(_ input: Int) -> Int { strides[input].last ?? 0 }
}

/// `o[j] = f(o[j], x[j * step])` for a step of 1 or 0.
@inline(__always)
private func combineRow(_ o: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, step: Int, count: Int,
                        _ f: (Float, Float) -> Float) {
    if step == 1 {
        for j in 0..<count { o[j] = f(o[j], x[j]) }
    } else {
        let v = x[0]
        for j in 0..<count { o[j] = f(o[j], v) }
    }
}

/// Zeroes `g[j]` unless `(x[j * step] == y[j]) == equal`.
@inline(__always)
private func keepRow(_ g: UnsafeMutablePointer<Float>, where x: UnsafePointer<Float>, step: Int, equal: Bool,
                     to y: UnsafePointer<Float>, count: Int) {
    for j in 0..<count where (x[j &* step] == y[j]) != equal { g[j] = 0 }
}

/// Inputs combined elementwise, as Keras' `Add`, `Subtract`, `Multiply`, `Average`, `Maximum`
/// and `Minimum`; inputs of extent 1 along an axis are repeated along it (see ``broadcastShape``).
///
/// The backward pass sums the gradient of a repeated input over its repetitions.
public func elementwise(_ operation: ElementwiseOperation, _ inputs: [Variable]) -> Variable {
    precondition(!inputs.isEmpty, "elementwise: no inputs")
    precondition(operation != .subtract || inputs.count == 2, "elementwise: subtract takes two inputs, got \(inputs.count)")
    guard let shape = broadcastShape(inputs.map(\.shape)) else {
        preconditionFailure("elementwise: shapes \(inputs.map(\.shape)) do not broadcast")
    }
    if operation == .add && inputs.allSatisfy({ $0.shape == shape }) { return sameShapeSum(inputs) }
    let layout = BroadcastRows(output: shape, inputs: inputs.map(\.shape))
    let values = inputs.map(\.value)
    let n = layout.rowLength, cost = n * inputs.count
    let y = makeTensor(shape: shape) { out in
        withScalarPointers(values) { xs in
            parallelChunks(layout.rows, costPerItem: cost) { rows in
                for r in rows {
                    let o = out + r * n
                    for (i, p) in xs.enumerated() {
                        let x = p + layout.offset(i, row: r), step = layout.step(i)
                        if i == 0 {
                            combineRow(o, x, step: step, count: n) { _, b in b }
                            continue
                        }
                        switch operation {
                        case .add, .average: combineRow(o, x, step: step, count: n, +)
                        case .subtract: combineRow(o, x, step: step, count: n, -)
                        case .multiply: combineRow(o, x, step: step, count: n, *)
                        case .maximum: combineRow(o, x, step: step, count: n) { $0 >= $1 ? $0 : $1 }
                        case .minimum: combineRow(o, x, step: step, count: n) { $0 <= $1 ? $0 : $1 }
                        }
                    }
                    if operation == .average {
                        let scale = 1 / Float(inputs.count)
                        for j in 0..<n { o[j] *= scale }
                    }
                }
            }
        }
    }
    return Variable.record(y, parents: inputs) { gradient in
        gradient.withScalarPointer { g in y.withScalarPointer { py in withScalarPointers(values) { xs in
            for (i, input) in inputs.enumerated() {
                input.accumulateGradient { dx, add in
                    // A repeated input gathers from several rows, so its rows are summed on one thread.
                    let repeated = input.shape != shape
                    if repeated && !add { dx.update(repeating: 0, count: input.value.count) }
                    let step = layout.step(i)
                    let body = { (rows: Range<Int>) in
                        let local = UnsafeMutablePointer<Float>.allocate(capacity: n)
                        defer { local.deallocate() }
                        for r in rows {
                            // local = dy/dx_i ∘ gradient for this row
                            local.update(from: g + r * n, count: n)
                            switch operation {
                            case .add: break
                            case .average: for j in 0..<n { local[j] *= 1 / Float(inputs.count) }
                            case .subtract: if i == 1 { for j in 0..<n { local[j] = -local[j] } }
                            case .multiply:
                                for k in xs.indices where k != i {
                                    combineRow(local, xs[k] + layout.offset(k, row: r), step: layout.step(k), count: n, *)
                                }
                            case .maximum, .minimum:
                                let yr = py + r * n
                                for k in 0..<i {
                                    keepRow(local, where: xs[k] + layout.offset(k, row: r), step: layout.step(k), equal: false, to: yr, count: n)
                                }
                                keepRow(local, where: xs[i] + layout.offset(i, row: r), step: step, equal: true, to: yr, count: n)
                            }
                            let d = dx + layout.offset(i, row: r)
                            if step == 0 {
                                var total: Float = 0
                                for j in 0..<n { total += local[j] }
                                d[0] += total
                            } else if add || repeated {
                                for j in 0..<n { d[j] += local[j] }
                            } else {
                                d.update(from: local, count: n)
                            }
                        }
                    }
                    if repeated { body(0..<layout.rows) } else { parallelChunks(layout.rows, costPerItem: cost, body) }
                }
            }
        } } }
    }
}

/// A merge layer that combines its inputs elementwise; the Keras layers of the same names.
///
/// Inputs have equal ranks and, along each axis, equal extents or 1 (repeated): Keras' rule,
/// which squeeze-and-excitation blocks use to scale `[h, w, c]` by `[1, 1, c]`.
public protocol ElementwiseMergeLayer: MergeLayer {
    /// How the inputs are combined.
    var operation: ElementwiseOperation { get }
}

extension ElementwiseMergeLayer {
    public func outputShape(for inputShapes: [[Int]]) throws -> [Int] {
        let name = String(describing: type(of: self))
        guard !inputShapes.isEmpty else { throw LayerShapeError(layer: name, "needs at least one input") }
        if operation == .subtract && inputShapes.count != 2 {
            throw LayerShapeError(layer: name, "takes exactly two inputs, got \(inputShapes.count)")
        }
        guard let shape = broadcastShape(inputShapes) else {
            throw LayerShapeError(layer: name, "input shapes \(inputShapes) differ (each axis must match or be 1)")
        }
        return shape
    }

    public func callAsFunction(_ inputs: [Variable], training: Bool) -> Variable { elementwise(operation, inputs) }

    public var description: String { "\(type(of: self))()" }
}

/// The sum of the inputs, as Keras' `Add`.
public final class Add: ElementwiseMergeLayer {
    public init() {}
    public var operation: ElementwiseOperation { .add }
}

/// The first input minus the second, as Keras' `Subtract`.
public final class Subtract: ElementwiseMergeLayer {
    public init() {}
    public var operation: ElementwiseOperation { .subtract }
}

/// The product of the inputs, as Keras' `Multiply`.
public final class Multiply: ElementwiseMergeLayer {
    public init() {}
    public var operation: ElementwiseOperation { .multiply }
}

/// The mean of the inputs, as Keras' `Average`.
public final class Average: ElementwiseMergeLayer {
    public init() {}
    public var operation: ElementwiseOperation { .average }
}

/// The elementwise maximum of the inputs, as Keras' `Maximum`.
public final class Maximum: ElementwiseMergeLayer {
    public init() {}
    public var operation: ElementwiseOperation { .maximum }
}

/// The elementwise minimum of the inputs, as Keras' `Minimum`.
public final class Minimum: ElementwiseMergeLayer {
    public init() {}
    public var operation: ElementwiseOperation { .minimum }
}
