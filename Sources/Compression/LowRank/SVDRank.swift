/// How many singular triplets each factorized Dense layer keeps (`compress svd --rank/--energy/--ratio`).
///
/// ```swift
/// let settings = DenseSVDSettings(rank: .ratio(4))      // 4x fewer kernel weights per layer
/// ```
public enum SVDRank: Sendable, Equatable, CustomStringConvertible {
    /// The same rank `t` for every layer.
    case rank(Int)
    /// Per layer, the smallest rank keeping at least this fraction of `Σσ²`, in `(0, 1]`.
    case energy(Double)
    /// Per layer, the largest rank `t` with `t (m + k) + k <= (m k + k) / ratio` (the bias `k`
    /// counted on both sides, so the layer's parameters shrink at least `ratio`-fold); at least 1.
    case ratio(Double)

    /// Checks the value; the message names the option.
    public func validate() throws(CompressionError) {
        switch self {
        case .rank(let t) where t < 1:
            throw CompressionError("the rank must be at least 1, got \(t)")
        case .energy(let fraction) where !(fraction > 0 && fraction <= 1):
            throw CompressionError("the energy fraction must lie in (0, 1], got \(fraction)")
        case .ratio(let ratio) where !(ratio >= 1 && ratio.isFinite):
            throw CompressionError("the compression ratio must be a finite number at least 1, got \(ratio)")
        default:
            return
        }
    }

    public var description: String {
        switch self {
        case .rank(let t): "rank \(t)"
        case .energy(let fraction): "energy \(fraction)"
        case .ratio(let ratio): "ratio \(ratio)"
        }
    }
}
