/// The largest rank `t` whose factors, with the layer's bias, hold at most `1 / ratio` of the
/// layer's parameters: `t * weightsPerRank + biasCount <= (originalWeights + biasCount) / ratio`;
/// 0 when not even rank 1 fits.
///
/// For a Dense kernel `m x k`, `weightsPerRank = m + k` and `originalWeights = m k`; for a
/// flattened convolution, `C + Y + X + F` and `Y X C F`. The bias is counted on both sides (it is
/// kept as it is), so the parameter counts reported before and after differ at least `ratio`-fold.
///
/// ```swift
/// largestRank(weightsPerRank: 784 + 300, originalWeights: 784 * 300, biasCount: 300, ratio: 4)   // 54
/// ```
public func largestRank(weightsPerRank: Int, originalWeights: Int, biasCount: Int = 0, ratio: Double) -> Int {
    precondition(weightsPerRank > 0 && originalWeights >= 0 && biasCount >= 0, "largestRank: sizes must be positive")
    precondition(ratio >= 1 && ratio.isFinite, "largestRank: ratio must be a finite number at least 1, got \(ratio)")
    let budget = Double(originalWeights + biasCount) / ratio - Double(biasCount)
    func fits(_ t: Int) -> Bool { Double(t * weightsPerRank + biasCount) * ratio <= Double(originalWeights + biasCount) }
    var t = max(0, Int((budget / Double(weightsPerRank)).rounded(.down)))
    // Guard against rounding of the division either way.
    while fits(t + 1) { t += 1 }
    while t > 0 && !fits(t) { t -= 1 }
    return t
}

/// The smallest rank whose leading singular values keep at least `fraction` of the spectral
/// energy `Σσ²`, the singular values given in descending order.
///
/// ```swift
/// smallestRank(keeping: 0.9, of: [3, 2, 1])   // 2: (9 + 4) / 14 ≈ 0.93
/// ```
/// - Precondition: `0 < fraction <= 1` and `spectrum` is not empty.
public func smallestRank(keeping fraction: Double, of spectrum: [Float]) -> Int {
    precondition(fraction > 0 && fraction <= 1, "smallestRank: the energy fraction must lie in (0, 1], got \(fraction)")
    precondition(!spectrum.isEmpty, "smallestRank: no singular values")
    let energies = spectrum.map { Double($0) * Double($0) }
    let total = energies.reduce(0, +)
    guard total > 0 else { return 1 }
    var kept = 0.0
    for (index, energy) in energies.enumerated() {
        kept += energy
        if kept >= fraction * total { return index + 1 }
    }
    // Summed in the same order as `total`, so the last step always reaches it.
    return spectrum.count
}
