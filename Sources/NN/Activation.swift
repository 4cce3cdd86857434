import Foundation
import TensorCore

/// An elementwise (or, for softmax, row-wise) activation, named as in Keras.
///
/// Layers carry an optional fused activation (`Dense(..., activation: .relu)`), computed in place
/// on the layer's output; the backward pass needs only that output, unless
/// ``derivativeNeedsInput`` (silu, gelu, hard silu): then layers keep their pre-activation output
/// and apply the activation as a separate step, ``Variable/activated(_:)``.
///
/// The parameters Keras' activation functions take have Keras' defaults here (`elu` alpha 1,
/// `leaky_relu` slope 0.2); other values are layers (``ELU``, ``LeakyReLU``, ``ReLU``).
public enum Activation: String, Sendable, CaseIterable, CustomStringConvertible {
    /// The identity.
    case linear
    /// `max(x, 0)`.
    case relu
    /// `min(max(x, 0), 6)`.
    case relu6
    /// The hyperbolic tangent.
    case tanh
    /// `1 / (1 + exp(-x))`.
    case sigmoid
    /// `exp(x) / sum(exp(x))` over the last axis.
    case softmax
    /// `x * sigmoid(x)`, Keras' `silu` (alias `swish`).
    case silu
    /// `x * Φ(x)` with the normal distribution function `Φ(x) = (1 + erf(x / √2)) / 2`: Keras'
    /// `gelu` with its default `approximate=False`.
    case gelu
    /// `x * (1 + tanh(√(2/π) * (x + 0.044715 x³))) / 2`: Keras' `gelu(x, approximate=True)`
    /// (not a Keras name: Keras has no string for it).
    case geluApproximate = "gelu_approximate"
    /// `relu6(x + 3) / 6`, Keras 3's `hard_sigmoid` (Keras 2 used `0.2 x + 0.5`, clipped).
    case hardSigmoid = "hard_sigmoid"
    /// `x * relu6(x + 3) / 6`, Keras' `hard_silu` (alias `hard_swish`).
    case hardSilu = "hard_silu"
    /// `log(1 + exp(x))`.
    case softplus
    /// `x` for `x > 0`, else `exp(x) - 1`: Keras' `elu` with its default alpha 1.
    case elu
    /// `x` for `x > 0`, else `0.2 x`: Keras 3's `leaky_relu` with its default slope (the
    /// `LeakyReLU` layer's default is 0.3: ``LeakyReLU``).
    case leakyRelu = "leaky_relu"

    /// Parses a Keras activation name (`"relu"`, `"softmax"`, ...); `nil` and `"linear"` give `.linear`.
    public init?(kerasName: String?) {
        guard let name = kerasName?.lowercased() else { self = .linear; return }
        switch name {
        case "linear", "none", "": self = .linear
        case "swish": self = .silu
        case "hard_swish": self = .hardSilu
        default: self.init(rawValue: name)
        }
    }

    public var description: String { rawValue }

    /// Whether the derivative needs the activation's input, not only its output (the
    /// non-monotonic activations); layers then apply it unfused.
    public var derivativeNeedsInput: Bool {
        switch self {
        case .silu, .gelu, .geluApproximate, .hardSilu: true
        default: false
        }
    }

    /// The work of one element in cost units (about a multiply-add each).
    @usableFromInline var cost: Int {
        switch self {
        case .linear, .relu, .relu6, .hardSigmoid, .hardSilu, .leakyRelu: 1
        default: 16
        }
    }

    /// Applies the activation in place to `rows` rows of `rowLength` floats, on this thread.
    @inlinable
    func applySerial(_ x: UnsafeMutablePointer<Float>, rows: Int, rowLength: Int) {
        let count = rows &* rowLength
        switch self {
        case .linear: return
        case .relu: clampVectorized(x, count: count, upper: .infinity)
        case .relu6: clampVectorized(x, count: count, upper: 6)
        case .tanh: for i in 0..<count { x[i] = Foundation.tanh(x[i]) }
        case .sigmoid: for i in 0..<count { x[i] = Activation.sigmoid(x[i]) }
        case .softmax: for row in 0..<rows { Activation.softmaxRow(x + row &* rowLength, rowLength) }
        case .silu: for i in 0..<count { x[i] *= Activation.sigmoid(x[i]) }
        case .gelu: for i in 0..<count { x[i] *= Activation.normalCDF(x[i]) }
        case .geluApproximate: for i in 0..<count { x[i] *= (1 + Foundation.tanh(Activation.geluTanhArgument(x[i]))) / 2 }
        case .hardSigmoid: for i in 0..<count { x[i] = Swift.min(Swift.max(x[i] + 3, 0), 6) / 6 }
        case .hardSilu: for i in 0..<count { x[i] *= Swift.min(Swift.max(x[i] + 3, 0), 6) / 6 }
        case .softplus: for i in 0..<count { x[i] = Swift.max(x[i], 0) + Foundation.log1p(Foundation.exp(-abs(x[i]))) }
        case .elu: for i in 0..<count where x[i] <= 0 { x[i] = Foundation.expm1(x[i]) }
        case .leakyRelu: for i in 0..<count where x[i] < 0 { x[i] *= 0.2 }
        }
    }

    /// Adds `bias` (one value per column) to `rows` rows of `rowLength` floats, `stride` apart,
    /// and applies the activation, in one pass where possible, on this thread. With a stride
    /// larger than the row length (a block of columns) the activation must not be softmax.
    @inlinable
    func applySerial(_ x: UnsafeMutablePointer<Float>, rows: Int, rowLength: Int, stride: Int? = nil,
                     bias: UnsafePointer<Float>?) {
        let stride = stride ?? rowLength
        if stride == rowLength && bias == nil { return applySerial(x, rows: rows, rowLength: rowLength) }
        precondition(self != .softmax || stride == rowLength, "softmax needs whole rows")
        for r in 0..<rows {
            let row = x + r &* stride
            if let bias {
                for j in 0..<rowLength { row[j] += bias[j] }
            }
            applySerial(row, rows: 1, rowLength: rowLength)
        }
    }

    /// The serial counterpart of `backward(output:input:gradient:count:rowLength:)` for `rows` rows.
    @inlinable
    func backwardSerial(output y: UnsafePointer<Float>, input x: UnsafePointer<Float>? = nil, gradient g: UnsafeMutablePointer<Float>,
                        rows: Int, rowLength: Int) {
        let count = rows &* rowLength
        precondition(x != nil || !derivativeNeedsInput, "\(self): the derivative needs the input")
        switch self {
        case .linear: return
        case .relu: maskGradientVectorized(output: y, gradient: g, count: count, upper: .infinity)
        case .relu6: maskGradientVectorized(output: y, gradient: g, count: count, upper: 6)
        case .tanh: for i in 0..<count { g[i] *= 1 - y[i] * y[i] }
        case .sigmoid: for i in 0..<count { g[i] *= y[i] * (1 - y[i]) }
        case .softmax:
            for row in 0..<rows {
                let yr = y + row &* rowLength, gr = g + row &* rowLength
                var dot: Float = 0
                for j in 0..<rowLength { dot += yr[j] * gr[j] }
                for j in 0..<rowLength { gr[j] = yr[j] * (gr[j] - dot) }
            }
        case .silu:
            for i in 0..<count {
                let v = x![i], s = Activation.sigmoid(v)
                g[i] *= s * (1 + v * (1 - s))
            }
        case .gelu:
            for i in 0..<count {
                let v = x![i]
                g[i] *= Activation.normalCDF(v) + v * Foundation.exp(-v * v / 2) * 0.3989422804014327
            }
        case .geluApproximate:
            for i in 0..<count {
                let v = x![i], t = Foundation.tanh(Activation.geluTanhArgument(v))
                g[i] *= (1 + t) / 2 + v * (1 - t * t) / 2 * 0.7978845608028654 * (1 + 3 * 0.044715 * v * v)
            }
        case .hardSigmoid: for i in 0..<count { g[i] = y[i] > 0 && y[i] < 1 ? g[i] / 6 : 0 }
        case .hardSilu:
            for i in 0..<count {
                let v = x![i]
                g[i] *= v <= -3 ? 0 : v >= 3 ? 1 : (2 * v + 3) / 6
            }
        case .softplus: for i in 0..<count { g[i] *= -Foundation.expm1(-y[i]) }
        case .elu: for i in 0..<count where y[i] <= 0 { g[i] *= y[i] + 1 }
        case .leakyRelu: for i in 0..<count where y[i] <= 0 { g[i] *= 0.2 }
        }
    }

    /// Applies the activation in place to `count` floats laid out as rows of `rowLength`,
    /// split across workers.
    @inlinable
    func apply(_ x: UnsafeMutablePointer<Float>, count: Int, rowLength: Int) {
        if self == .linear { return }
        apply(UnsafePointer(x), into: x, count: count, rowLength: rowLength)
    }

    /// Writes the activation of `count` floats of `x` (rows of `rowLength`) into `y`, split
    /// across workers; `y` may be `x`.
    @inlinable
    func apply(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int, rowLength: Int) {
        let source = SendablePointer(x)
        if self == .softmax {
            precondition(rowLength > 0 && count % rowLength == 0, "softmax: bad row length \(rowLength)")
            parallelChunks(count / rowLength, costPerItem: rowLength * 16) { r in
                let offset = r.lowerBound * rowLength
                if source.pointer != y { (y + offset).update(from: source.pointer + offset, count: r.count * rowLength) }
                applySerial(y + offset, rows: r.count, rowLength: rowLength)
            }
            return
        }
        parallelChunks(count, costPerItem: cost) { r in
            let from = source.pointer + r.lowerBound, to = y + r.lowerBound
            switch self {
            case .relu: clampVectorized(from, into: to, count: r.count, upper: .infinity)
            case .relu6: clampVectorized(from, into: to, count: r.count, upper: 6)
            default:
                if from != to { to.update(from: from, count: r.count) }
                applySerial(to, rows: 1, rowLength: r.count)
            }
        }
    }

    /// Turns the gradient with respect to the activation's output into the gradient with respect
    /// to its input, in place, given the output `y` (and the input `x` when
    /// ``derivativeNeedsInput``); split across workers.
    @inlinable
    func backward(output y: UnsafePointer<Float>, input x: UnsafePointer<Float>? = nil, gradient g: UnsafeMutablePointer<Float>,
                  count: Int, rowLength: Int) {
        if self == .linear { return }
        if self == .softmax {
            parallelChunks(count / rowLength, costPerItem: rowLength * 4) { r in
                backwardSerial(output: y + r.lowerBound * rowLength, gradient: g + r.lowerBound * rowLength,
                               rows: r.count, rowLength: rowLength)
            }
            return
        }
        parallelChunks(count, costPerItem: cost) { r in
            backwardSerial(output: y + r.lowerBound, input: x.map { $0 + r.lowerBound }, gradient: g + r.lowerBound,
                           rows: 1, rowLength: r.count)
        }
    }

    @inlinable
    static func sigmoid(_ x: Float) -> Float {
        if x >= 0 { return 1 / (1 + Foundation.exp(-x)) }
        let e = Foundation.exp(x)
        return e / (1 + e)
    }

    /// The standard normal distribution function, `(1 + erf(x / √2)) / 2`.
    @inlinable
    static func normalCDF(_ x: Float) -> Float { (1 + Foundation.erf(x * 0.7071067811865476)) / 2 }

    /// `√(2/π) * (x + 0.044715 x³)`, the argument of tanh in the approximate gelu.
    @inlinable
    static func geluTanhArgument(_ x: Float) -> Float { 0.7978845608028654 * (x + 0.044715 * x * x * x) }

    /// Numerically stable softmax of one row, in place.
    @inlinable
    static func softmaxRow(_ x: UnsafeMutablePointer<Float>, _ n: Int) {
        var m = -Float.infinity
        for j in 0..<n { m = Swift.max(m, x[j]) }
        var total: Float = 0
        for j in 0..<n {
            let e = Foundation.exp(x[j] - m)
            x[j] = e
            total += e
        }
        let inverse = 1 / total
        for j in 0..<n { x[j] *= inverse }
    }
}

extension Variable {
    /// The activation applied elementwise (softmax: over the last axis).
    public func activated(_ activation: Activation) -> Variable {
        if activation == .linear { return self }
        let rowLength = value.shape.last ?? 1
        let x = value, count = x.count
        // One pass from the input into a new tensor (a copy, then an in-place pass, reads and
        // writes the memory twice).
        let y = makeTensor(shape: x.shape) { out in
            x.withScalarPointer { activation.apply($0, into: out, count: count, rowLength: rowLength) }
        }
        let input: Tensor? = activation.derivativeNeedsInput ? x : nil
        return Variable.record(y, parents: [self]) { gradient in
            let n = gradient.count
            y.withScalarPointer { py in (input ?? y).withScalarPointer { px in
                gradient.withMutableScalarPointer {
                    activation.backward(output: py, input: input == nil ? nil : px, gradient: $0, count: n, rowLength: rowLength)
                }
            } }
            self.accumulate(gradient)
        }
    }

    /// `max(x, 0)`.
    public func relu() -> Variable { activated(.relu) }
    /// `min(max(x, 0), 6)`.
    public func relu6() -> Variable { activated(.relu6) }
    /// The hyperbolic tangent.
    public func tanh() -> Variable { activated(.tanh) }
    /// The logistic sigmoid.
    public func sigmoid() -> Variable { activated(.sigmoid) }
    /// Softmax over the last axis.
    public func softmax() -> Variable { activated(.softmax) }
}

// Explicit SIMD for the piecewise-linear activations: the scalar forms compile to a branch per
// element, mispredicted half the time on real activations.

/// `x = min(max(x, 0), upper)` in place.
@inlinable
func clampVectorized(_ x: UnsafeMutablePointer<Float>, count: Int, upper: Float) {
    clampVectorized(x, into: x, count: count, upper: upper)
}

/// `y = min(max(x, 0), upper)`; `y` may be `x`.
@inlinable
func clampVectorized(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int, upper: Float) {
    let zero = SIMD8<Float>(repeating: 0), top = SIMD8<Float>(repeating: upper)
    var i = 0
    while i &+ 8 <= count {
        var v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
        v.replace(with: zero, where: .!(v .> zero))
        v.replace(with: top, where: v .> top)
        UnsafeMutableRawPointer(y + i).storeBytes(of: v, as: SIMD8<Float>.self)
        i &+= 8
    }
    while i < count {
        y[i] = x[i] > 0 ? Swift.min(x[i], upper) : 0
        i &+= 1
    }
}

/// `g = (0 < y < upper) ? g : 0` in place.
@inlinable
func maskGradientVectorized(output y: UnsafePointer<Float>, gradient g: UnsafeMutablePointer<Float>, count: Int, upper: Float) {
    let zero = SIMD8<Float>(repeating: 0), top = SIMD8<Float>(repeating: upper)
    var i = 0
    while i &+ 8 <= count {
        let out = UnsafeRawPointer(y + i).loadUnaligned(as: SIMD8<Float>.self)
        var v = UnsafeRawPointer(g + i).loadUnaligned(as: SIMD8<Float>.self)
        v.replace(with: zero, where: .!((out .> zero) .& (out .< top)))
        UnsafeMutableRawPointer(g + i).storeBytes(of: v, as: SIMD8<Float>.self)
        i &+= 8
    }
    while i < count {
        if !(y[i] > 0 && y[i] < upper) { g[i] = 0 }
        i &+= 1
    }
}
