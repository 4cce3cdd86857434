import TensorCore

/// NHWC input with every pixel repeated `size.height` times down and `size.width` times across,
/// as Keras' `UpSampling2D(interpolation="nearest")`; the backward pass sums each block.
public func upSampled2d(_ x: Variable, size: Size2D) -> Variable {
    precondition(x.rank == 4, "upSampled2d: expected NHWC input, got \(x.shape)")
    precondition(size.height > 0 && size.width > 0, "upSampled2d: factors must be positive, got \(size)")
    let n = x.shape[0], h = x.shape[1], w = x.shape[2], c = x.shape[3]
    let sh = size.height, sw = size.width, oh = h * sh, ow = w * sw
    let xValue = x.value
    let y = makeTensor(shape: [n, oh, ow, c]) { out in
        xValue.withScalarPointer { px in
            parallelChunks(n * h, costPerItem: sh * ow * c) { rows in
                for row in rows {
                    // Input row `row` (image row * h + i) becomes output rows row * sh ..< (row + 1) * sh.
                    let first = out + row * sh * ow * c
                    for j in 0..<w {
                        for s in 0..<sw { (first + (j * sw + s) * c).update(from: px + (row * w + j) * c, count: c) }
                    }
                    for s in 1..<sh { (first + s * ow * c).update(from: first, count: ow * c) }
                }
            }
        }
    }
    return Variable.record(y, parents: [x]) { gradient in
        x.accumulateGradient { dx, add in
            gradient.withScalarPointer { g in
                parallelChunks(n * h, costPerItem: sh * ow * c) { rows in
                    for row in rows {
                        for j in 0..<w {
                            let d = dx + (row * w + j) * c
                            if !add { d.update(repeating: 0, count: c) }
                            for r in 0..<sh {
                                for s in 0..<sw {
                                    let src = g + ((row * sh + r) * ow + j * sw + s) * c
                                    for ch in 0..<c { d[ch] += src[ch] }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Nearest-neighbour upsampling by integer factors, as Keras' `UpSampling2D` (default 2 x 2).
public final class UpSampling2D: Layer {
    public let size: Size2D

    public init(size: Size2D = Size2D(2)) {
        precondition(size.height > 0 && size.width > 0, "UpSampling2D: factors must be positive, got \(size)")
        self.size = size
    }

    public func outputShape(for inputShape: [Int]) -> [Int] {
        precondition(inputShape.count == 3, "UpSampling2D: input \(inputShape) should be [h, w, c]")
        return [inputShape[0] * size.height, inputShape[1] * size.width, inputShape[2]]
    }

    public func callAsFunction(_ x: Variable, training: Bool) -> Variable { upSampled2d(x, size: size) }

    public var description: String { "UpSampling2D(size: \(size))" }
}
