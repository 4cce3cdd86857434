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
public final class Rescaling: Layer {
    public let scale: Float
    public let offset: Float

    public init(scale: Float, offset: Float = 0) {
        self.scale = scale
        self.offset = offset
    }

    public func outputShape(for inputShape: [Int]) -> [Int] { inputShape }

    public func callAsFunction(_ x: Variable, training: Bool) -> Variable {
        let scale = scale, offset = offset
        return channelwiseAffine(x, slopes: [scale]) { v, _ in v * scale + offset }
    }

    public var description: String { "Rescaling(scale: \(scale), offset: \(offset))" }
}
