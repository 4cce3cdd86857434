import TensorCore

/// NHWC input with rows cut from the top and bottom and columns from the left and right, as
/// Keras' `Cropping2D`; the backward pass puts the gradient back in place, zero elsewhere.
public func cropped2d(_ x: Variable, top: Int, bottom: Int, left: Int, right: Int) -> Variable {
    precondition(x.rank == 4, "cropped2d: expected NHWC input, got \(x.shape)")
    precondition(top >= 0 && bottom >= 0 && left >= 0 && right >= 0, "cropped2d: cropping must be non-negative")
    let n = x.shape[0], h = x.shape[1], w = x.shape[2], c = x.shape[3]
    let oh = h - top - bottom, ow = w - left - right
    precondition(oh > 0 && ow > 0, "cropped2d: cropping \((top, bottom, left, right)) leaves nothing of \(x.shape)")
    // Output row i of image b is the span of `ow * c` floats starting at input row (i + top), column left.
    let span = ow * c
    @inline(__always) func inputOffset(_ b: Int, _ i: Int) -> Int { ((b * h + i + top) * w + left) * c }
    let xValue = x.value
    let y = makeTensor(shape: [n, oh, ow, c]) { out in
        xValue.withScalarPointer { px in
            parallelChunks(n, costPerItem: oh * span) { images in
                for b in images {
                    for i in 0..<oh { (out + (b * oh + i) * span).update(from: px + inputOffset(b, i), count: span) }
                }
            }
        }
    }
    return Variable.record(y, parents: [x]) { gradient in
        x.accumulateGradient { dx, add in
            if !add { dx.update(repeating: 0, count: xValue.count) }
            gradient.withScalarPointer { g in
                parallelChunks(n, costPerItem: oh * span) { images in
                    for b in images {
                        for i in 0..<oh {
                            let src = g + (b * oh + i) * span, dst = dx + inputOffset(b, i)
                            for t in 0..<span { dst[t] += src[t] }
                        }
                    }
                }
            }
        }
    }
}

/// Cropping along height and width, as Keras' `Cropping2D(((top, bottom), (left, right)))`.
public final class Cropping2D: Layer {
    public let top: Int, bottom: Int, left: Int, right: Int

    public init(top: Int, bottom: Int, left: Int, right: Int) {
        precondition(top >= 0 && bottom >= 0 && left >= 0 && right >= 0, "Cropping2D: cropping must be non-negative")
        self.top = top; self.bottom = bottom; self.left = left; self.right = right
    }

    /// `height` rows off the top and the bottom, `width` columns off each side (Keras' `(h, w)` form).
    public convenience init(height: Int, width: Int) { self.init(top: height, bottom: height, left: width, right: width) }

    /// The same cropping on all four sides (Keras' integer form).
    public convenience init(_ cropping: Int) { self.init(height: cropping, width: cropping) }

    public func outputShape(for inputShape: [Int]) -> [Int] {
        precondition(inputShape.count == 3, "Cropping2D: input \(inputShape) should be [h, w, c]")
        let shape = [inputShape[0] - top - bottom, inputShape[1] - left - right, inputShape[2]]
        precondition(shape[0] > 0 && shape[1] > 0, "Cropping2D: cropping leaves nothing of \(inputShape)")
        return shape
    }

    public func callAsFunction(_ x: Variable, training: Bool) -> Variable {
        cropped2d(x, top: top, bottom: bottom, left: left, right: right)
    }

    public var description: String { "Cropping2D(top: \(top), bottom: \(bottom), left: \(left), right: \(right))" }
}
