import Foundation

/// A bar chart of a model's size after each stage of a pipeline, from the float32 model to the
/// final file, each bar labelled with its size and its compression ratio to the first bar.
///
/// ```swift
/// let svg = StageSizeChart(stages: [("fp32", 1_070_000), ("pruned", 98_000), ("huffman", 27_900)]).svg()
/// ```
public struct StageSizeChart: Sendable {
    /// How bar heights relate to sizes.
    public enum Scale: String, CaseIterable, Sendable {
        /// Heights proportional to the logarithm of the size: small final sizes stay visible.
        case logarithmic = "log"
        /// Heights proportional to the size.
        case linear
    }

    /// Stage names and sizes in bytes, in pipeline order.
    public var stages: [(name: String, bytes: Int)]
    public var scale: Scale
    public var title: String

    public init(stages: [(name: String, bytes: Int)], scale: Scale = .logarithmic, title: String = "size per stage") {
        self.stages = stages
        self.scale = scale
        self.title = title
    }

    /// The chart as an SVG file: one bar (`class="bar"`) per stage, its name below it
    /// (`class="bar-label"`) and its size and ratio above it (`class="bar-value"`).
    public func svg() -> String {
        var frame = ChartFrame()
        frame.bottom = 72
        var svg = frame.document(title: title)
        let sizes = stages.map { Double(max($0.bytes, 1)) }
        let yScale = scale == .logarithmic
            ? AxisScale.logarithmic(covering: sizes.min() ?? 1, sizes.max() ?? 10)
            : AxisScale.linear(covering: 0, sizes.max() ?? 1)
        frame.drawAxes(on: &svg, x: nil, y: yScale, xLabel: "stage", yLabel: scale == .logarithmic ? "bytes (log scale)" : "bytes",
                       xTick: { _ in "" }, yTick: { byteCountText($0) })
        let slot = frame.plotWidth / Double(max(stages.count, 1))
        let first = Double(stages.first?.bytes ?? 0)
        for (index, stage) in stages.enumerated() {
            let x = frame.left + slot * Double(index)
            let y = frame.y(Double(max(stage.bytes, 1)), on: yScale)
            let bottom = frame.top + frame.plotHeight
            svg.rect(x: x + slot * 0.15, y: y, width: slot * 0.7, height: bottom - y, fill: chartPalette[index % chartPalette.count],
                     class: "bar", title: "\(stage.name): \(groupedDigits(stage.bytes)) bytes")
            var value = byteCountText(Double(stage.bytes))
            if index > 0, stage.bytes > 0 { value += String(format: " (%.1fx)", first / Double(stage.bytes)) }
            svg.text(value, x: x + slot / 2, y: y - 5, anchor: .middle, size: 11, class: "bar-value")
            svg.text(stage.name, x: x + slot / 2, y: bottom + 18, anchor: .middle, size: 12, class: "bar-label")
        }
        return svg.rendered()
    }
}
