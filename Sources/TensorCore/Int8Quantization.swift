/// An affine mapping between `Float` and `Int8`: `x ≈ scale * (q - zeroPoint)`.
///
/// Quantizing divides by the scale, rounds to nearest (ties to even, like NumPy's `round` and
/// PyTorch's `quantize_per_tensor`), shifts by the zero point and clamps:
///
/// - symmetric: `q = clamp(round(x / scale), -127, 127)`, zero point 0. The range is symmetric,
///   so `-q` is always representable; this is the usual choice for weights.
/// - asymmetric: `q = clamp(round(x / scale) + zeroPoint, -128, 127)`. The whole 8-bit range
///   covers `[min, max]` of the data, and 0 maps exactly to `zeroPoint`.
///
/// Inside the representable range the round trip is off by at most `scale / 2` (plus Float
/// rounding); values beyond it saturate.
///
/// ```swift
/// let quantization = Int8Quantization.symmetric(fitting: weight.scalars)
/// let q = quantization.quantize(weight)                        // [Int8]
/// let restored = quantization.dequantize(q, shape: weight.shape)
/// ```
public struct Int8Quantization: Equatable, Sendable {
    /// The real value of one integer step; positive and finite.
    public let scale: Float
    /// The integer that represents 0; always 0 for symmetric quantization.
    public let zeroPoint: Int
    /// Whether the integers are limited to `-127...127` with a zero point of 0.
    public let isSymmetric: Bool

    private init(scale: Float, zeroPoint: Int, isSymmetric: Bool) {
        precondition(scale > 0 && scale.isFinite, "Int8Quantization: scale must be positive and finite, got \(scale)")
        precondition((-128...127).contains(zeroPoint), "Int8Quantization: zero point \(zeroPoint) is outside Int8")
        self.scale = scale
        self.zeroPoint = zeroPoint
        self.isSymmetric = isSymmetric
    }

    /// Symmetric quantization with a given scale.
    public static func symmetric(scale: Float) -> Int8Quantization {
        Int8Quantization(scale: scale, zeroPoint: 0, isSymmetric: true)
    }

    /// Asymmetric quantization with a given scale and zero point.
    public static func asymmetric(scale: Float, zeroPoint: Int) -> Int8Quantization {
        Int8Quantization(scale: scale, zeroPoint: zeroPoint, isSymmetric: false)
    }

    /// Symmetric quantization whose range just covers the largest magnitude: `scale = max|x| / 127`.
    ///
    /// All-zero (or empty) input gets scale 1.
    /// - Precondition: every value is finite.
    public static func symmetric(fitting values: [Float]) -> Int8Quantization {
        precondition(values.allSatisfy(\.isFinite), "Int8Quantization: cannot fit values containing NaN or infinity")
        let largest = values.reduce(Float(0)) { Swift.max($0, $1.magnitude) }
        let scale = largest / 127
        return symmetric(scale: scale > 0 ? scale : 1)
    }

    /// Asymmetric quantization whose 256 levels span `[min(x, 0), max(x, 0)]`.
    ///
    /// The range is widened to include 0 so that zero (padding, pruned weights, ReLU outputs)
    /// stays exact. All-zero (or empty) input gets scale 1 and zero point 0.
    /// - Precondition: every value is finite.
    public static func asymmetric(fitting values: [Float]) -> Int8Quantization {
        precondition(values.allSatisfy(\.isFinite), "Int8Quantization: cannot fit values containing NaN or infinity")
        let low = values.reduce(Float(0)) { Swift.min($0, $1) }
        let high = values.reduce(Float(0)) { Swift.max($0, $1) }
        // The width can exceed Float's range; divided by 255 it fits again.
        let width = Float((Double(high) - Double(low)) / 255)
        let scale = width > 0 ? width : 1
        let zeroPoint = -128 - Int((low / scale).rounded(.toNearestOrEven))
        return asymmetric(scale: scale, zeroPoint: Swift.min(Swift.max(zeroPoint, -128), 127))
    }

    /// The integer range codes are clamped to.
    public var range: ClosedRange<Int8> { isSymmetric ? -127...127 : -128...127 }

    /// The code for `value`, saturating outside the representable range.
    ///
    /// - Precondition: `value` is not NaN.
    public func quantize(_ value: Float) -> Int8 {
        precondition(!value.isNaN, "Int8Quantization: cannot quantize NaN")
        let shifted = (value / scale).rounded(.toNearestOrEven) + Float(zeroPoint)
        let lower = Float(range.lowerBound)
        return Int8(shifted < lower ? lower : (shifted > 127 ? 127 : shifted))
    }

    /// The codes for `values` (see `quantize(_:)` for one value).
    public func quantize(_ values: [Float]) -> [Int8] {
        values.map(quantize)
    }

    /// The codes for a tensor's elements in row-major order.
    public func quantize(_ tensor: Tensor) -> [Int8] {
        quantize(tensor.scalars)
    }

    /// The real value `scale * (code - zeroPoint)`.
    public func dequantize(_ code: Int8) -> Float {
        scale * Float(Int(code) - zeroPoint)
    }

    /// The real values of `codes`.
    public func dequantize(_ codes: [Int8]) -> [Float] {
        codes.map(dequantize)
    }

    /// A tensor of the real values of `codes`, laid out row-major in `shape`.
    ///
    /// - Precondition: `codes.count` matches the shape.
    public func dequantize(_ codes: [Int8], shape: [Int]) -> Tensor {
        Tensor(shape: shape, scalars: dequantize(codes))
    }
}
