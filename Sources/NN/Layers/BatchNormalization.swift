import Foundation
import TensorCore

/// Batch normalization over the last axis, as Keras' `BatchNormalization(axis=-1)`.
///
/// Training mode normalises with the batch mean and (biased) variance and updates the moving
/// statistics: `moving = moving * momentum + batch * (1 - momentum)`. Inference mode uses the
/// moving statistics. Parameters: `gamma`, `beta` (trainable), `moving_mean`, `moving_variance`
/// (non-trainable, updated by the layer).
public final class BatchNormalization: Layer {
    public let channels: Int
    public let epsilon: Float
    public let momentum: Float
    /// `[channels]`, or nil when `scale` is false (then gamma is 1).
    public let gamma: Parameter?
    /// `[channels]`, or nil when `center` is false (then beta is 0).
    public let beta: Parameter?
    public let movingMean: Parameter
    public let movingVariance: Parameter

    public init(channels: Int, epsilon: Float = 1e-3, momentum: Float = 0.99, center: Bool = true, scale: Bool = true) {
        precondition(channels > 0, "BatchNormalization: channels must be positive")
        self.channels = channels
        self.epsilon = epsilon
        self.momentum = momentum
        gamma = scale ? Parameter(name: "gamma", value: Tensor(repeating: 1, shape: [channels])) : nil
        beta = center ? Parameter(name: "beta", value: Tensor(zeros: [channels])) : nil
        movingMean = Parameter(name: "moving_mean", value: Tensor(zeros: [channels]), isTrainable: false)
        movingVariance = Parameter(name: "moving_variance", value: Tensor(repeating: 1, shape: [channels]), isTrainable: false)
    }

    /// Parameters in Keras' order: gamma, beta, moving_mean, moving_variance.
    public var parameters: [Parameter] {
        [gamma, beta].compactMap { $0 } + [movingMean, movingVariance]
    }

    public func outputShape(for inputShape: [Int]) -> [Int] {
        precondition(inputShape.last == channels, "BatchNormalization: input \(inputShape) does not end in \(channels)")
        return inputShape
    }

    public func callAsFunction(_ x: Variable, training: Bool) -> Variable {
        precondition(x.shape.last == channels, "BatchNormalization: input \(x.shape) does not end in \(channels)")
        let c = channels
        let rows = x.value.count / c
        var mean: [Float], variance: [Float]
        let xValue = x.value
        if training {
            precondition(rows > 0, "BatchNormalization: empty batch")
            let sum = xValue.withScalarPointer { channelSums($0, rows: rows, channels: c, center: nil) }
            mean = sum.map { Float($0 / Double(rows)) }
            let squares = xValue.withScalarPointer { channelSums($0, rows: rows, channels: c, center: mean) }
            variance = squares.map { Float($0 / Double(rows)) }
            let m = momentum
            movingMean.value = Tensor(shape: [c], scalars: (0..<c).map { movingMean.value.scalars[$0] * m + mean[$0] * (1 - m) })
            movingVariance.value = Tensor(shape: [c], scalars: (0..<c).map { movingVariance.value.scalars[$0] * m + variance[$0] * (1 - m) })
        } else {
            mean = movingMean.value.scalars
            variance = movingVariance.value.scalars
        }
        let invStd = variance.map { 1 / ($0 + epsilon).squareRoot() }
        let gammaVariable = gamma?.variable, betaVariable = beta?.variable
        let gammaValues = gammaVariable?.value.scalars ?? [Float](repeating: 1, count: c)
        let betaValues = betaVariable?.value.scalars ?? [Float](repeating: 0, count: c)
        // One pass; the backward pass recomputes xhat = (x - mean) * invStd from x.
        let y = makeTensor(shape: x.shape) { o in
            xValue.withScalarPointer { px in
                normalize(px, into: o, rows: rows, channels: c, mean: mean, invStd: invStd, gamma: gammaValues, beta: betaValues)
            }
        }
        let parents = [x] + [gammaVariable, betaVariable].compactMap { $0 }
        return Variable.record(y, parents: parents) { gradient in
            gradient.withScalarPointer { dy in xValue.withScalarPointer { px in
                let sums = normalizationGradientSums(dy, px, rows: rows, channels: c, mean: mean, invStd: invStd)
                gammaVariable?.accumulateGradient { d, add in
                    for j in 0..<c { d[j] = (add ? d[j] : 0) + Float(sums[c + j]) }
                }
                betaVariable?.accumulateGradient { d, add in
                    for j in 0..<c { d[j] = (add ? d[j] : 0) + Float(sums[j]) }
                }
                x.accumulateGradient { dx, add in
                    // Batch statistics: dx = gamma * invStd / N * (N * dy - sum(dy) - xhat * sum(dy * xhat)).
                    let n = Float(rows)
                    normalizationInputGradient(dy, px, into: dx, accumulate: add, rows: rows, channels: c, mean: mean, invStd: invStd,
                                               gamma: gammaValues, meanDy: training ? sums[..<c].map { Float($0) / n } : nil,
                                               meanDyXhat: training ? sums[c...].map { Float($0) / n } : nil)
                }
            } }
        }
    }

    public var description: String { "BatchNormalization(\(channels), epsilon: \(epsilon), momentum: \(momentum))" }
}

extension BatchNormalization: DescribedLayer {
    public static var kerasClassName: String { "BatchNormalization" }
    public static var keyword: String { "batchnorm" }

    public static func plan(_ config: LayerConfig, inputShapes: [[Int]]) throws -> LayerPlan {
        let input = try singleInput(inputShapes)
        let axis = try config.ints("axis", default: [-1])
        guard axis == [-1] || axis == [input.count] else {
            throw LayerConfigError(field: "axis", "only the last (channels) axis is supported, got \(axis)")
        }
        let epsilon = try config.float("epsilon", default: 1e-3), momentum = try config.float("momentum", default: 0.99)
        guard epsilon >= 0 else { throw LayerConfigError(field: "epsilon", "must not be negative, got \(epsilon)") }
        let center = try config.bool("center", default: true), scale = try config.bool("scale", default: true)
        let channels = input.last!
        let parameters = (scale ? [ParameterShape("gamma", [channels])] : []) + (center ? [ParameterShape("beta", [channels])] : [])
            + [ParameterShape("moving_mean", [channels]), ParameterShape("moving_variance", [channels])]
        return LayerPlan(outputShape: input, parameters: parameters, config: describing(epsilon, momentum, center, scale))
    }

    static func describing(_ epsilon: Float, _ momentum: Float, _ center: Bool, _ scale: Bool) -> LayerConfig {
        ["axis": -1, "epsilon": .float(epsilon), "momentum": .float(momentum), "center": .bool(center), "scale": .bool(scale)]
    }

    public static func make(_ config: LayerConfig, inputShapes: [[Int]], generator: inout RandomGenerator) throws -> any ModelLayer {
        let c = try plan(config, inputShapes: inputShapes).config
        return BatchNormalization(channels: inputShapes[0].last!, epsilon: try c.float("epsilon"), momentum: try c.float("momentum"),
                                  center: try c.bool("center", default: true), scale: try c.bool("scale", default: true))
    }

    public var config: LayerConfig { Self.describing(epsilon, momentum, beta != nil, gamma != nil) }
}
