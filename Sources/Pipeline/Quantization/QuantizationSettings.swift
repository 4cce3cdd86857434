import Compression

/// The quantization `compress quantize` applies.
public enum QuantizationMethod: String, CaseIterable, Sendable {
    /// k-means weight sharing of kernels (Deep Compression), optionally fine-tuned.
    case kmeans
    /// Linear int8 of kernels, per tensor or per output channel, symmetric or asymmetric.
    case int8
    /// IEEE half precision of every parameter.
    case fp16
}

/// Everything that decides a quantization run besides the model and the data.
///
/// ```swift
/// var settings = QuantizationSettings(method: .kmeans)
/// settings.bitWidths = try BitWidths(parsing: "conv*=8,fc*=5")
/// settings.retraining = TrainingSettings()     // fine-tune the shared values
/// ```
public struct QuantizationSettings: Sendable {
    public var method: QuantizationMethod
    /// k-means: bits per layer (5 for every layer unless set).
    public var bitWidths: BitWidths
    /// k-means: where the centroids start.
    public var initialization = CentroidInitialization.linear
    /// k-means: seeds `random` and `kmeans++` initialisation.
    public var seed: UInt64 = 1
    /// int8: one scale per output channel instead of one per tensor.
    public var perChannel = false
    /// int8: symmetric (`scale = max|w| / 127`, no zero point) or asymmetric (scale and zero point).
    public var symmetric = true
    /// k-means: fine-tuning of the shared values after clustering; nil for none.
    public var retraining: TrainingSettings?

    public init(method: QuantizationMethod) {
        self.method = method
        bitWidths = BitWidths(bits: 5)
    }

    /// The fine-tuning `compress quantize --retrain` starts from: SGD with Nesterov momentum,
    /// cosine decay, a rate well below training's, since a centroid's gradient sums those of all
    /// its weights.
    public static var defaultFineTuning: TrainingSettings {
        var settings = TrainingSettings()
        settings.epochs = 10
        settings.learningRate = 0.001
        return settings
    }

    /// Checks that the settings go together; the message names the setting.
    public func validate() throws {
        if retraining != nil && method != .kmeans {
            throw CompressionError("retraining applies to k-means weight sharing only; \(method.rawValue) is post-training")
        }
        try retraining?.validate()
    }
}
