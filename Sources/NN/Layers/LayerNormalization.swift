import TensorCore

/// Normalisation of each example over its last axis, as Keras' `LayerNormalization(axis=-1)`:
/// `(x - mean) / sqrt(variance + epsilon) * gamma + beta`, the mean and (biased) variance taken
/// over the last axis of each position.
///
/// Parameters, in Keras' order: `gamma` (when `scale`), `beta` (when `center`), `[channels]`.
public final class LayerNormalization: Layer {
    public let channels: Int
    public let epsilon: Float
    /// `[channels]`, or nil when `scale` is false (then gamma is 1).
    public let gamma: Parameter?
    /// `[channels]`, or nil when `center` is false (then beta is 0).
    public let beta: Parameter?

    /// Creates a layer with gamma 1 and beta 0 (Keras' defaults, as is epsilon 1e-3).
    public init(channels: Int, epsilon: Float = 1e-3, center: Bool = true, scale: Bool = true) {
        precondition(channels > 0, "LayerNormalization: channels must be positive")
        self.channels = channels
        self.epsilon = epsilon
        gamma = scale ? Parameter(name: "gamma", value: Tensor(repeating: 1, shape: [channels])) : nil
        beta = center ? Parameter(name: "beta", value: Tensor(zeros: [channels])) : nil
    }

    public var parameters: [Parameter] { [gamma, beta].compactMap { $0 } }

    public func outputShape(for inputShape: [Int]) -> [Int] {
        precondition(inputShape.last == channels, "LayerNormalization: input \(inputShape) does not end in \(channels)")
        return inputShape
    }

    public func callAsFunction(_ x: Variable, training: Bool) -> Variable {
        layerNormalized(x, gamma: gamma?.variable, beta: beta?.variable, epsilon: epsilon)
    }

    public var description: String { "LayerNormalization(\(channels), epsilon: \(epsilon))" }
}

/// `(x - mean) / sqrt(variance + epsilon) * gamma + beta` over the last axis of each position.
func layerNormalized(_ x: Variable, gamma: Variable?, beta: Variable?, epsilon: Float) -> Variable {
    let c = x.shape.last ?? 1, rows = x.value.count / Swift.max(c, 1)
    precondition(gamma.map { $0.shape == [c] } ?? true && beta.map { $0.shape == [c] } ?? true,
                 "layerNormalized: gamma and beta must be [\(c)] for input \(x.shape)")
    let xValue = x.value
    let gammaValues = gamma?.value.scalars ?? [Float](repeating: 1, count: c)
    let betaValues = beta?.value.scalars ?? [Float](repeating: 0, count: c)
    var inverseDeviation = [Float](repeating: 0, count: rows)
    // xhat is kept for the backward pass.
    let xhat = makeTensor(shape: x.shape) { h in
        xValue.withScalarPointer { px in inverseDeviation.withUnsafeMutableBufferPointer { inverse in
            let inv = SendablePointer(inverse.baseAddress!)
            parallelChunks(rows, costPerItem: 4 * c) { range in
                for r in range {
                    let xr = px + r * c, hr = h + r * c
                    var sum: Float = 0
                    for j in 0..<c { sum += xr[j] }
                    let mean = sum / Float(c)
                    var squares: Float = 0
                    for j in 0..<c { squares += (xr[j] - mean) * (xr[j] - mean) }
                    let s = 1 / (squares / Float(c) + epsilon).squareRoot()
                    inv.pointer[r] = s
                    for j in 0..<c { hr[j] = (xr[j] - mean) * s }
                }
            }
        } }
    }
    let y = makeTensor(shape: x.shape) { o in
        xhat.withScalarPointer { h in
            parallelChunks(rows, costPerItem: c) { range in
                for r in range { for j in 0..<c { o[r * c + j] = h[r * c + j] * gammaValues[j] + betaValues[j] } }
            }
        }
    }
    let parents = [x] + [gamma, beta].compactMap { $0 }
    let inverse = inverseDeviation
    return Variable.record(y, parents: parents) { gradient in
        gradient.withScalarPointer { g in xhat.withScalarPointer { h in
            // Column sums for gamma (g * xhat) and beta (g), per part, added in part order.
            let parts = partitionCount(rows, costPerItem: 2 * c)
            let partials = UnsafeMutablePointer<Float>.allocate(capacity: parts * 2 * c)
            partials.update(repeating: 0, count: parts * 2 * c)
            defer { partials.deallocate() }
            parallelPartitioned(rows, partitions: parts) { part, range in
                let dGamma = partials + part * 2 * c, dBeta = dGamma + c
                for r in range {
                    for j in 0..<c {
                        dGamma[j] += g[r * c + j] * h[r * c + j]
                        dBeta[j] += g[r * c + j]
                    }
                }
            }
            for (parameter, start) in [(gamma, 0), (beta, c)] {
                parameter?.accumulateGradient { d, add in
                    if !add { d.update(repeating: 0, count: c) }
                    for part in 0..<parts { for j in 0..<c { d[j] += partials[part * 2 * c + start + j] } }
                }
            }
            // dx = inv * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)), dxhat = g * gamma.
            x.accumulateGradient { dx, add in
                parallelChunks(rows, costPerItem: 4 * c) { range in
                    for r in range {
                        let gr = g + r * c, hr = h + r * c, d = dx + r * c
                        var meanDxhat: Float = 0, meanDxhatXhat: Float = 0
                        for j in 0..<c {
                            meanDxhat += gr[j] * gammaValues[j]
                            meanDxhatXhat += gr[j] * gammaValues[j] * hr[j]
                        }
                        meanDxhat /= Float(c)
                        meanDxhatXhat /= Float(c)
                        for j in 0..<c {
                            let v = inverse[r] * (gr[j] * gammaValues[j] - meanDxhat - hr[j] * meanDxhatXhat)
                            d[j] = add ? d[j] + v : v
                        }
                    }
                }
            }
        } }
    }
}
