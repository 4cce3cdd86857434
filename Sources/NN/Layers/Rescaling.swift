import TensorCore

/// `f(x, channel)` for every element, whose derivative is the constant `slopes[channel]`; the
/// channel is the position along the last axis (`slopes` holds one value per channel, or one for all).
func channelwiseAffine(_ x: Variable, slopes: [Float], _ f: (Float, Int) -> Float) -> Variable {
    let c = slopes.count
    precondition(c == 1 || x.shape.last == c, "channelwiseAffine: \(c) values for input \(x.shape)")
    let xValue = x.value, count = x.value.count
    let y = makeTensor(shape: x.shape) { o in
        xValue.withScalarPointer { px in
            parallelChunks(count) { r in for i in r { o[i] = f(px[i], i % c) } }
        }
    }
    return Variable.record(y, parents: [x]) { gradient in
        gradient.withMutableScalarPointer { g in
            parallelChunks(count) { r in for i in r { g[i] *= slopes[i % c] } }
        }
        x.accumulate(gradient)
    }
}

/// `x * scale + offset`, as Keras' `Rescaling` (`scale: 1 / 255` maps bytes to [0, 1]).
///
/// Scale and offset are one value each, or one per channel (the last axis), as Keras 3 allows:
/// EfficientNet divides each colour channel by its own standard deviation.
public final class Rescaling: Layer {
    /// One value, or one per channel.
    public let scale: [Float]
    /// One value, or one per channel.
    public let offset: [Float]

    public init(scale: [Float], offset: [Float] = [0]) {
        precondition(!scale.isEmpty && !offset.isEmpty && (scale.count == 1 || offset.count == 1 || scale.count == offset.count),
                     "Rescaling: \(scale.count) scales and \(offset.count) offsets")
        self.scale = scale
        self.offset = offset
    }

    public convenience init(scale: Float, offset: Float = 0) { self.init(scale: [scale], offset: [offset]) }

    public func outputShape(for inputShape: [Int]) -> [Int] {
        let channels = Swift.max(scale.count, offset.count)
        precondition(channels == 1 || inputShape.last == channels, "Rescaling: \(channels) channels for input \(inputShape)")
        return inputShape
    }

    public func callAsFunction(_ x: Variable, training: Bool) -> Variable {
        // Both per channel when either is.
        let channels = Swift.max(scale.count, offset.count)
        let scales = scale.count == channels ? scale : Array(repeating: scale[0], count: channels)
        let offsets = offset.count == channels ? offset : Array(repeating: offset[0], count: channels)
        return channelwiseAffine(x, slopes: scales) { v, c in v * scales[c] + offsets[c] }
    }

    public var description: String { "Rescaling(scale: \(scale), offset: \(offset))" }
}
