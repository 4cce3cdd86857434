import TensorCore

/// Rounds values to IEEE 754 half precision (round to nearest, ties to even) and counts what fell
/// outside half's normal range.
///
/// A finite value of magnitude 65520 or more, which IEEE rounding would turn into infinity,
/// saturates to ±65504 (the largest finite half) instead, so the model stays finite and loadable;
/// it is counted as an overflow. Values that land on a subnormal half (magnitude below 2⁻¹⁴) are
/// counted, and so are non-zero values that round to zero.
///
/// ```swift
/// let rounding = Float16Rounding(weights.scalars)
/// rounding.values               // every one exactly representable as a half
/// rounding.subnormalCount
/// ```
public struct Float16Rounding: Sendable, Equatable {
    /// The largest finite half.
    public static let largestFinite: Float = 65504

    /// The rounded values, each exactly a half.
    public let values: [Float]
    /// Finite values beyond half's range, saturated to ±65504.
    public let overflowCount: Int
    /// Values that became non-zero subnormal halves (precision below 11 bits).
    public let subnormalCount: Int
    /// Non-zero values that became zero.
    public let flushedToZeroCount: Int

    /// Rounds `values`.
    ///
    /// - Precondition: every value is finite.
    public init(_ values: [Float]) {
        precondition(values.allSatisfy(\.isFinite), "Float16Rounding: values must be finite")
        var overflow = 0, subnormal = 0, flushed = 0
        self.values = values.map { value in
            let half = Float16Bits.decode(Float16Bits.encode(value))
            if half.isInfinite {
                overflow += 1
                return value < 0 ? -Self.largestFinite : Self.largestFinite
            }
            if half == 0 {
                if value != 0 { flushed += 1 }
            } else if half.magnitude < 0x1p-14 {
                subnormal += 1
            }
            return half
        }
        overflowCount = overflow
        subnormalCount = subnormal
        flushedToZeroCount = flushed
    }
}
