/// Conversion between `Float` and IEEE 754 binary16 ("half precision") bit patterns.
///
/// Encoding rounds to the nearest representable half, ties to even, exactly as the IEEE default
/// rounding mode prescribes: magnitudes from 65520 up become infinity (65504 is the largest finite
/// half), magnitudes at or below 2⁻²⁵ become a signed zero, and values in between that are smaller
/// than 2⁻¹⁴ become subnormals (steps of 2⁻²⁴). NaN stays NaN (quiet, keeping the top payload
/// bits) and signs are kept, including the sign of zero. Decoding is exact.
///
/// The conversion is plain integer arithmetic, so results do not depend on the CPU's F16C support
/// or on the compiler runtime.
///
/// ```swift
/// let bits = Float16Bits.encode(weights.scalars)    // store 2 bytes per weight
/// let restored = Float16Bits.decode(bits)           // nearest halves, widened back to Float
/// ```
public enum Float16Bits {
    /// The binary16 bit pattern nearest to `value` (round to nearest, ties to even).
    ///
    /// ```swift
    /// Float16Bits.encode(1)         // 0x3C00
    /// Float16Bits.encode(65520)     // 0x7C00, infinity
    /// ```
    public static func encode(_ value: Float) -> UInt16 {
        let bits = value.bitPattern
        let sign = UInt16(truncatingIfNeeded: (bits >> 16) & 0x8000)
        let magnitude = bits & 0x7FFF_FFFF
        switch magnitude {
        case 0x7F80_0001...:
            // NaN: keep it quiet and keep the payload's top 10 bits.
            return sign | 0x7E00 | UInt16(truncatingIfNeeded: (magnitude >> 13) & 0x03FF)
        case 0x477F_F000...:
            // 65520 and above (including infinity): halfway to 2^16 and beyond rounds to infinity.
            return sign | 0x7C00
        case 0x3880_0000...:
            // Normal half: rebias the exponent (127 -> 15) and round 23 mantissa bits to 10.
            // A carry out of the mantissa correctly bumps the exponent.
            let rebiased = magnitude - 0x3800_0000
            let rounded = (rebiased + 0x0FFF + ((rebiased >> 13) & 1)) >> 13
            return sign | UInt16(truncatingIfNeeded: rounded)
        case 0x3300_0001...:
            // Subnormal half: the value in units of 2^-24, rounded to nearest even. A result of
            // 0x400 is the smallest normal, which has exactly that bit pattern.
            let exponent = magnitude >> 23
            let significand = (magnitude & 0x007F_FFFF) | 0x0080_0000
            let shift = 126 - exponent
            let truncated = significand >> shift
            let remainder = significand & ((1 << shift) - 1)
            let halfway: UInt32 = 1 << (shift - 1)
            let roundUp = remainder > halfway || (remainder == halfway && truncated & 1 == 1)
            return sign | UInt16(truncatingIfNeeded: truncated + (roundUp ? 1 : 0))
        default:
            // At most 2^-25: exactly halfway to the smallest subnormal ties to zero.
            return sign
        }
    }

    /// The `Float` whose value is the binary16 bit pattern `bits` (exact).
    ///
    /// ```swift
    /// Float16Bits.decode(0x7BFF)    // 65504
    /// Float16Bits.decode(0x0001)    // 2^-24, about 5.96e-8
    /// ```
    public static func decode(_ bits: UInt16) -> Float {
        let sign = UInt32(bits & 0x8000) << 16
        let exponent = UInt32(bits >> 10) & 0x1F
        let mantissa = UInt32(bits & 0x03FF)
        switch exponent {
        case 0x1F:
            return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
        case 0:
            // Zero or subnormal: mantissa x 2^-24, exact in Float.
            let magnitude = Float(mantissa) * 0x1p-24
            return sign == 0 ? magnitude : -magnitude
        default:
            return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))
        }
    }

    /// Encodes every value (see `encode(_:)` for one value).
    public static func encode(_ values: [Float]) -> [UInt16] {
        values.map(encode)
    }

    /// Decodes every bit pattern (see `decode(_:)` for one pattern).
    public static func decode(_ bits: [UInt16]) -> [Float] {
        bits.map(decode)
    }
}

extension Tensor {
    /// The elements as binary16 bit patterns in row-major order, rounded to nearest even.
    ///
    /// ```swift
    /// let half = weight.float16Bits()
    /// let restored = Tensor(shape: weight.shape, float16Bits: half)
    /// ```
    public func float16Bits() -> [UInt16] {
        Float16Bits.encode(scalars)
    }

    /// Creates a tensor from binary16 bit patterns in row-major order.
    ///
    /// - Precondition: `float16Bits.count` matches the shape.
    public init(shape: [Int], float16Bits: [UInt16]) {
        self.init(shape: shape, scalars: Float16Bits.decode(float16Bits))
    }
}
