/// A chart of one or more lines over a shared x axis, with a legend: the accuracy of each
/// layer against its sparsity in a sensitivity analysis.
///
/// ```swift
/// let chart = LineChart(title: "sensitivity", xLabel: "sparsity (%)", yLabel: "top-1 accuracy (%)",
///                       series: [.init(name: "fc1", points: [(0, 98.2), (50, 98.2), (90, 97.9)])])
/// let svg = chart.svg()
/// ```
public struct LineChart: Sendable {
    /// One line: its name in the legend and its points, drawn in order.
    public struct Series: Sendable {
        public var name: String
        public var points: [(x: Double, y: Double)]

        public init(name: String, points: [(x: Double, y: Double)]) {
            self.name = name
            self.points = points
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    /// The x range drawn; nil covers the points.
    public var xRange: ClosedRange<Double>?
    /// The y range drawn; nil covers the points.
    public var yRange: ClosedRange<Double>?

    public init(title: String, xLabel: String, yLabel: String, series: [Series],
                xRange: ClosedRange<Double>? = nil, yRange: ClosedRange<Double>? = nil) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.xRange = xRange
        self.yRange = yRange
    }

    /// The chart as an SVG file: one `polyline` (`class="series"`) per series with a circle per
    /// point (`class="point"`), and a legend entry (`class="legend"`) naming each series.
    public func svg() -> String {
        var frame = ChartFrame()
        frame.right = 130
        var svg = frame.document(title: title)
        let xs = series.flatMap { $0.points.map(\.x) }, ys = series.flatMap { $0.points.map(\.y) }
        let xScale = AxisScale.linear(covering: xRange?.lowerBound ?? xs.min() ?? 0, xRange?.upperBound ?? xs.max() ?? 1)
        let yScale = AxisScale.linear(covering: yRange?.lowerBound ?? ys.min() ?? 0, yRange?.upperBound ?? ys.max() ?? 1)
        frame.drawAxes(on: &svg, x: xScale, y: yScale, xLabel: xLabel, yLabel: yLabel,
                       xTick: { xScale.tickText($0) }, yTick: { yScale.tickText($0) })
        for (index, line) in series.enumerated() {
            let colour = chartPalette[index % chartPalette.count]
            let points = line.points.map { (x: frame.x($0.x, on: xScale), y: frame.y($0.y, on: yScale)) }
            svg.polyline(points, stroke: colour, class: "series", title: line.name)
            for (point, value) in zip(points, line.points) {
                svg.circle(x: point.x, y: point.y, radius: 3, fill: colour, class: "point",
                           title: "\(line.name): \(svgNumber(value.x)), \(svgNumber(value.y))")
            }
            let legendY = frame.top + 8 + Double(index) * 18
            let legendX = frame.left + frame.plotWidth + 14
            svg.line(x1: legendX, y1: legendY, x2: legendX + 18, y2: legendY, stroke: colour, strokeWidth: 2, class: "legend-line")
            svg.text(line.name, x: legendX + 24, y: legendY + 4, size: 11, class: "legend")
        }
        return svg.rendered()
    }
}
