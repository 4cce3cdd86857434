import Foundation
import TensorCore

extension Variable {
    /// `f` applied to every element; the backward pass multiplies the gradient by `derivative` at
    /// the input. For activations with parameters; ``activated(_:)`` covers the fixed ones.
    func mapped(cost: Int = 1, _ f: (Float) -> Float, derivative: @escaping (Float) -> Float) -> Variable {
        let xValue = value, count = value.count
        let y = makeTensor(shape: shape) { o in
            xValue.withScalarPointer { px in
                parallelChunks(count, costPerItem: cost) { r in for i in r { o[i] = f(px[i]) } }
            }
        }
        return Variable.record(y, parents: [self]) { gradient in
            gradient.withMutableScalarPointer { g in xValue.withScalarPointer { px in
                parallelChunks(count, costPerItem: cost) { r in for i in r { g[i] *= derivative(px[i]) } }
            } }
            self.accumulate(gradient)
        }
    }
}

/// The rectifier with Keras' options, as Keras' `ReLU` layer: `x` above `threshold` (capped at
/// `maxValue`), else `negativeSlope * (x - threshold)`.
///
/// As Keras computes it, `x == threshold` gives 0. Defaults give `max(x, 0)`.
public final class ReLU: Layer {
    /// The cap of the output, or nil for none.
    public let maxValue: Float?
    /// The slope below the threshold.
    public let negativeSlope: Float
    /// Where the identity starts.
    public let threshold: Float

    public init(maxValue: Float? = nil, negativeSlope: Float = 0, threshold: Float = 0) {
        precondition((maxValue ?? 0) >= 0 && negativeSlope >= 0 && threshold >= 0,
                     "ReLU: max_value, negative_slope and threshold must be non-negative (Keras' rule)")
        self.maxValue = maxValue
        self.negativeSlope = negativeSlope
        self.threshold = threshold
    }

    public func outputShape(for inputShape: [Int]) -> [Int] { inputShape }

    public func callAsFunction(_ x: Variable, training: Bool) -> Variable {
        if negativeSlope == 0 && threshold == 0 {
            if maxValue == nil { return x.relu() }
            if maxValue == 6 { return x.relu6() }
        }
        let cap = maxValue ?? .infinity, slope = negativeSlope, threshold = threshold
        return x.mapped({ $0 > threshold ? Swift.min($0, cap) : slope * ($0 - threshold) },
                        derivative: { $0 > threshold ? ($0 < cap ? 1 : 0) : slope })
    }

    public var description: String {
        "ReLU(max_value: \(maxValue.map { "\($0)" } ?? "none"), negative_slope: \(negativeSlope), threshold: \(threshold))"
    }
}

/// `x` for `x >= 0`, else `negativeSlope * x`, as Keras' `LeakyReLU` layer (default slope 0.3).
public final class LeakyReLU: Layer {
    public let negativeSlope: Float

    public init(negativeSlope: Float = 0.3) {
        precondition(negativeSlope >= 0, "LeakyReLU: negative_slope must be non-negative, got \(negativeSlope)")
        self.negativeSlope = negativeSlope
    }

    public func outputShape(for inputShape: [Int]) -> [Int] { inputShape }

    public func callAsFunction(_ x: Variable, training: Bool) -> Variable {
        let slope = negativeSlope
        return x.mapped({ $0 >= 0 ? $0 : slope * $0 }, derivative: { $0 >= 0 ? 1 : slope })
    }

    public var description: String { "LeakyReLU(negative_slope: \(negativeSlope))" }
}

/// `x` for `x > 0`, else `alpha * (exp(x) - 1)`, as Keras' `ELU` layer (default alpha 1).
public final class ELU: Layer {
    public let alpha: Float

    public init(alpha: Float = 1) { self.alpha = alpha }

    public func outputShape(for inputShape: [Int]) -> [Int] { inputShape }

    public func callAsFunction(_ x: Variable, training: Bool) -> Variable {
        let alpha = alpha
        return x.mapped(cost: 16, { $0 > 0 ? $0 : alpha * Foundation.expm1($0) },
                        derivative: { $0 > 0 ? 1 : alpha * Foundation.exp($0) })
    }

    public var description: String { "ELU(alpha: \(alpha))" }
}
