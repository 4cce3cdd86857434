import NN

/// A weight tensor that k-means and int8 quantization act on: a layer's kernel.
///
/// Biases and normalization parameters are few and sensitive, so they stay in float32 (as in
/// Deep Compression); FP16 conversion alone covers every parameter.
public struct QuantizableWeight {
    /// The layer's name (`conv1`).
    public var layer: String
    /// The dotted parameter key (`conv1.kernel`).
    public var key: String
    /// The parameter.
    public var parameter: Parameter

    /// The axis of output channels, which per-channel int8 gives one scale each: the last axis of
    /// Dense `[in, out]` and Conv2D `[h, w, in, out]` kernels, and the channel axis (2) of a
    /// depthwise kernel `[h, w, channels, multiplier]`.
    public var outputChannelAxis: Int {
        parameter.name == "depthwise_kernel" && parameter.shape.count == 4 ? 2 : parameter.shape.count - 1
    }
}

extension Model {
    /// The kernels of the layers that have one (`kernel`, `depthwise_kernel`), in layer order.
    public var quantizableWeights: [QuantizableWeight] {
        entries.flatMap { entry in
            entry.layer.parameters
                .filter { $0.name == "kernel" || $0.name == "depthwise_kernel" }
                .map { QuantizableWeight(layer: entry.name, key: entry.name + "." + $0.name, parameter: $0) }
        }
    }
}
