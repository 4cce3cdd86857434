import Foundation

/// Maps data values on one axis to a position in [0, 1], linearly or logarithmically, and
/// chooses round tick values.
struct AxisScale: Sendable {
    enum Kind: Sendable { case linear, logarithmic }

    var kind: Kind
    var lower: Double
    var upper: Double

    /// A linear scale over [`lower`, `upper`] widened to round tick values (`niceTicks`).
    static func linear(covering lower: Double, _ upper: Double, tickCount: Int = 6) -> AxisScale {
        var (low, high) = (min(lower, upper), max(lower, upper))
        if high - low < 1e-12 { (low, high) = (low - 0.5, high + 0.5) }
        let step = niceStep((high - low) / Double(max(tickCount - 1, 1)))
        return AxisScale(kind: .linear, lower: (low / step).rounded(.down) * step, upper: (high / step).rounded(.up) * step)
    }

    /// A base-10 logarithmic scale from the power of ten at or below `lower` to the one at or
    /// above `upper` (both positive).
    static func logarithmic(covering lower: Double, _ upper: Double) -> AxisScale {
        let low = pow(10, log10(max(min(lower, upper), 1e-12)).rounded(.down))
        var high = pow(10, log10(max(lower, upper, 1e-12)).rounded(.up))
        if high <= low { high = low * 10 }
        return AxisScale(kind: .logarithmic, lower: low, upper: high)
    }

    /// Where `value` lies, 0 at `lower` and 1 at `upper` (clamped).
    func fraction(_ value: Double) -> Double {
        let result: Double
        switch kind {
        case .linear: result = (value - lower) / (upper - lower)
        case .logarithmic: result = (log10(max(value, lower)) - log10(lower)) / (log10(upper) - log10(lower))
        }
        return min(max(result, 0), 1)
    }

    /// Round values to mark: multiples of 1, 2 or 5 × 10ⁿ (linear), powers of ten (logarithmic).
    var ticks: [Double] {
        switch kind {
        case .linear:
            let step = tickStep
            let first = (lower / step).rounded(.up)
            let last = (upper / step).rounded(.down)
            guard first <= last else { return [] }
            return stride(from: first, through: last, by: 1).map { $0 * step }
        case .logarithmic:
            let first = Int(log10(lower).rounded()), last = Int(log10(upper).rounded())
            return (first...max(first, last)).map { pow(10, Double($0)) }
        }
    }

    /// The distance between linear ticks: about five of them over the range.
    var tickStep: Double { niceStep((upper - lower) / 5) }

    /// A linear tick as text with as many decimals as the tick step needs.
    func tickText(_ value: Double) -> String {
        let decimals = max(0, Int((-log10(tickStep)).rounded(.up)))
        let text = String(format: "%.\(decimals)f", value)
        return text.hasPrefix("-") && Double(text) == 0 ? String(text.dropFirst()) : text
    }
}

/// The smallest of 1, 2, 5 × 10ⁿ at least `rough`.
func niceStep(_ rough: Double) -> Double {
    guard rough > 0, rough.isFinite else { return 1 }
    let power = pow(10, log10(rough).rounded(.down))
    for multiple in [1.0, 2, 5, 10] where multiple * power >= rough * (1 - 1e-9) {
        return multiple * power
    }
    return 10 * power
}

/// A size in bytes with an SI unit, three significant digits: `512 B`, `27.9 kB`, `1.09 MB`.
public func byteCountText(_ bytes: Double) -> String {
    let units = ["B", "kB", "MB", "GB", "TB"]
    var value = bytes
    var unit = 0
    while abs(value) >= 999.5 && unit < units.count - 1 {
        value /= 1000
        unit += 1
    }
    if unit == 0 { return "\(Int(value.rounded())) B" }
    let decimals = abs(value) >= 99.95 ? 0 : (abs(value) >= 9.995 ? 1 : 2)
    return String(format: "%.\(decimals)f %@", value, units[unit])
}
