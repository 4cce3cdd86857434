import TensorCore

/// Standardisation with stored statistics over the last axis, as Keras' `Normalization(axis=-1)`:
/// `(x - mean) / max(sqrt(variance), 1e-7)`.
///
/// Keras 3 takes the larger of the standard deviation and `backend.epsilon()` (1e-7), not
/// `sqrt(variance + epsilon)`. Parameters `mean` and `variance` (non-trainable, `[channels]`)
/// are Keras' adapted weights; its third weight, the integer `count`, only feeds `adapt()`.
public final class Normalization: Layer {
    /// Keras' `backend.epsilon()`, the smallest divisor.
    public static let epsilon: Float = 1e-7

    public let channels: Int
    public let mean: Parameter
    public let variance: Parameter

    /// Creates a layer with the given statistics, one per channel.
    public init(mean: Tensor, variance: Tensor) {
        precondition(mean.rank == 1 && variance.shape == mean.shape, "Normalization: mean \(mean.shape) and variance \(variance.shape) must be [channels]")
        channels = mean.count
        self.mean = Parameter(name: "mean", value: mean, isTrainable: false)
        self.variance = Parameter(name: "variance", value: variance, isTrainable: false)
    }

    /// Creates a layer with mean 0 and variance 1 (Keras' initial values), to be loaded.
    public convenience init(channels: Int) {
        self.init(mean: Tensor(zeros: [channels]), variance: Tensor(repeating: 1, shape: [channels]))
    }

    public var parameters: [Parameter] { [mean, variance] }

    public func outputShape(for inputShape: [Int]) -> [Int] {
        precondition(inputShape.last == channels, "Normalization: input \(inputShape) does not end in \(channels)")
        return inputShape
    }

    public func callAsFunction(_ x: Variable, training: Bool) -> Variable {
        let m = mean.value.scalars
        let deviation = variance.value.scalars.map { Swift.max($0.squareRoot(), Normalization.epsilon) }
        return channelwiseAffine(x, slopes: deviation.map { 1 / $0 }) { v, c in (v - m[c]) / deviation[c] }
    }

    public var description: String { "Normalization(\(channels))" }
}
