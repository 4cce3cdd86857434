import Foundation
import NN

/// A histogram of one layer's non-zero weights, with a vertical mark at each shared value
/// (the centroids of k-means weight sharing) when the layer has them.
///
/// Zeros are left out: after pruning they would dwarf everything else, and the kept weights'
/// distribution (two lobes away from zero, Han et al. 2016 Fig. 4) is what shows the effect of
/// pruning and quantization.
///
/// ```swift
/// let svg = WeightHistogram(layer: "fc1", weights: kernel.scalars, sharedValues: codebook.centroids).svg()
/// ```
public struct WeightHistogram: Sendable {
    /// The layer's name, for the title.
    public var layer: String
    /// The non-zero weights (zeros given are dropped).
    public var weights: [Float]
    /// Values to mark: the codebook's centroids; empty for none.
    public var sharedValues: [Float]
    /// The number of equal-width bins between the smallest and largest weight.
    public var bins: Int

    public init(layer: String, weights: [Float], sharedValues: [Float] = [], bins: Int = 60) {
        precondition(bins > 0, "WeightHistogram: bins must be positive")
        self.layer = layer
        self.weights = weights.filter { $0 != 0 && $0.isFinite }
        self.sharedValues = sharedValues.filter(\.isFinite).sorted()
        self.bins = bins
    }

    /// The number of weights in each bin, and the range the bins cover.
    public var counts: (counts: [Int], lower: Double, upper: Double) {
        let values = weights.map(Double.init) + sharedValues.map(Double.init)
        var lower = values.min() ?? -1, upper = values.max() ?? 1
        if upper - lower < 1e-12 { (lower, upper) = (lower - 0.5, upper + 0.5) }
        var counts = [Int](repeating: 0, count: bins)
        let width = (upper - lower) / Double(bins)
        for weight in weights {
            counts[min(Int((Double(weight) - lower) / width), bins - 1)] += 1
        }
        return (counts, lower, upper)
    }

    /// The histogram as an SVG file: one bar (`class="bar"`) per non-empty bin, one dashed
    /// line (`class="shared-value"`) per shared value.
    public func svg() -> String {
        let frame = ChartFrame()
        let (counts, lower, upper) = self.counts
        var title = "\(layer): \(groupedDigits(weights.count)) non-zero weights"
        if !sharedValues.isEmpty { title += ", \(sharedValues.count) shared values" }
        var svg = frame.document(title: title)
        let xScale = AxisScale.linear(covering: lower, upper)
        let yScale = AxisScale.linear(covering: 0, Double(max(counts.max() ?? 0, 1)))
        frame.drawAxes(on: &svg, x: xScale, y: yScale, xLabel: "weight value", yLabel: "weights per bin",
                       xTick: { xScale.tickText($0) }, yTick: { yScale.tickText($0) })
        let binWidth = (upper - lower) / Double(bins)
        for (index, count) in counts.enumerated() where count > 0 {
            let from = lower + Double(index) * binWidth
            let x0 = frame.x(from, on: xScale), x1 = frame.x(from + binWidth, on: xScale)
            let y = frame.y(Double(count), on: yScale)
            svg.rect(x: x0, y: y, width: x1 - x0, height: frame.top + frame.plotHeight - y, fill: chartPalette[0],
                     class: "bar", title: "\(count) weights in [\(svgNumber4(from)), \(svgNumber4(from + binWidth)))")
        }
        for value in sharedValues {
            let x = frame.x(Double(value), on: xScale)
            svg.line(x1: x, y1: frame.top, x2: x, y2: frame.top + frame.plotHeight, stroke: chartPalette[3], strokeWidth: 1,
                     dashed: true, class: "shared-value", title: "shared value \(svgNumber4(Double(value)))")
        }
        return svg.rendered()
    }
}

/// A value with four significant digits for tooltips, never in exponent notation: `0.01235`, `-1.5`.
private func svgNumber4(_ value: Double) -> String {
    guard value.isFinite, abs(value) >= 1e-9 else { return "0" }
    let decimals = min(max(3 - Int(log10(abs(value)).rounded(.down)), 0), 12)
    var text = String(format: "%.\(decimals)f", value)
    while text.contains("."), text.hasSuffix("0") { text.removeLast() }
    if text.hasSuffix(".") { text.removeLast() }
    return text
}

extension WeightHistogram {
    /// One histogram per layer with a kernel, in model order: the kernel's effective weights, its
    /// codebook's centroids marked.
    public static func kernels(of model: Model, bins: Int = 60) -> [WeightHistogram] {
        model.entries.compactMap { entry in
            guard let kernel = entry.layer.parameters.first(where: { ["kernel", "depthwise_kernel"].contains($0.name) }) else { return nil }
            return WeightHistogram(layer: entry.name, weights: kernel.effectiveValue.scalars,
                                   sharedValues: kernel.codebook?.centroids ?? [], bins: bins)
        }
    }

    /// The file name the histogram is written under: `fc1-weights.svg`.
    public var fileName: String { "\(layer)-weights.svg" }
}
