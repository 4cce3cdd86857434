/// How one parameter is quantized, beyond what its `Parameter` carries.
///
/// Masks and codebooks live on the parameter itself (training honours them); this records the
/// rest, which a model file keeps in its compression group and the compressed container reads.
public enum ParameterQuantization: Equatable, Sendable {
    /// k-means weight sharing with indices of `bits` bits; the centroids and assignments are the
    /// parameter's `codebook` (at most `2^bits` centroids).
    case weightSharing(bits: Int)
    /// Linear int8: the codes, scales and zero points. The parameter's value holds the
    /// dequantized weights.
    case int8(Int8QuantizedTensor)
    /// IEEE half precision: the parameter's value holds exactly representable halves.
    case float16
}

/// The compression facts about a model that its parameters do not carry, by dotted parameter key
/// (`"fc1.kernel"`).
///
/// `quantize` produces it, the model writer stores it beside the weights, and
/// `loadModelWithCompressionState(path:)` returns it with the model, so later stages (the
/// compressed container) can use the exact int8 codes and k-means bit widths.
///
/// ```swift
/// let (model, state) = try loadModelWithCompressionState(path: "lenet300-int8.h5")
/// if case .int8(let q) = state.quantization["fc1.kernel"] { print(q.scales) }
/// ```
public struct CompressionState: Equatable, Sendable {
    /// Quantization by dotted parameter key; parameters without an entry are plain float32.
    public var quantization: [String: ParameterQuantization]

    public init(quantization: [String: ParameterQuantization] = [:]) {
        self.quantization = quantization
    }
}
