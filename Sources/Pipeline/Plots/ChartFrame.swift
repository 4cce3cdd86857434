/// The plot area of a chart inside its SVG drawing, and the drawing of its title, axes, ticks,
/// grid lines and axis labels.
struct ChartFrame {
    /// The drawing's size.
    var width: Double = 640
    var height: Double = 400
    /// Space around the plot area for the title, ticks, labels and a legend.
    var left: Double = 72
    var right: Double = 24
    var top: Double = 44
    var bottom: Double = 56

    var plotWidth: Double { width - left - right }
    var plotHeight: Double { height - top - bottom }

    /// The x coordinate of a value of `scale`.
    func x(_ value: Double, on scale: AxisScale) -> Double { left + scale.fraction(value) * plotWidth }
    /// The y coordinate of a value of `scale` (larger values higher up).
    func y(_ value: Double, on scale: AxisScale) -> Double { top + (1 - scale.fraction(value)) * plotHeight }

    /// A new drawing of the frame's size with the title on top.
    func document(title: String) -> SVGDocument {
        var svg = SVGDocument(width: width, height: height)
        svg.text(title, x: width / 2, y: 24, anchor: .middle, size: 15, bold: true, class: "title")
        return svg
    }

    /// Draws the y axis with grid lines at its ticks (labelled by `yTick`), the x axis line,
    /// and both axis labels; x ticks, when `xTicks` are given, are labelled by `xTick`.
    func drawAxes(on svg: inout SVGDocument, x xScale: AxisScale?, y yScale: AxisScale,
                  xLabel: String, yLabel: String, xTick: (Double) -> String, yTick: (Double) -> String) {
        for tick in yScale.ticks {
            let y = self.y(tick, on: yScale)
            svg.line(x1: left, y1: y, x2: left + plotWidth, y2: y, stroke: "#e4e4e4", class: "grid")
            svg.text(yTick(tick), x: left - 6, y: y + 4, anchor: .end, size: 11, class: "y-tick")
        }
        if let xScale {
            for tick in xScale.ticks {
                let x = self.x(tick, on: xScale)
                svg.line(x1: x, y1: top + plotHeight, x2: x, y2: top + plotHeight + 5, stroke: "#444", class: "x-tick-mark")
                svg.text(xTick(tick), x: x, y: top + plotHeight + 18, anchor: .middle, size: 11, class: "x-tick")
            }
        }
        svg.line(x1: left, y1: top, x2: left, y2: top + plotHeight, stroke: "#444", class: "axis")
        svg.line(x1: left, y1: top + plotHeight, x2: left + plotWidth, y2: top + plotHeight, stroke: "#444", class: "axis")
        svg.text(xLabel, x: left + plotWidth / 2, y: height - 12, anchor: .middle, size: 12, class: "x-label")
        svg.text(yLabel, x: 16, y: top + plotHeight / 2, anchor: .middle, size: 12, rotation: -90, class: "y-label")
    }
}

/// Line and bar colours, in the order series use them (the "deep" palette of seaborn).
let chartPalette = ["#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860", "#da8bc3", "#8c8c8c", "#ccb974", "#64b5cd"]
