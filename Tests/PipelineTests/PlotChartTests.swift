import Foundation
import Pipeline
import Testing

@Suite("SVG plots")
struct PlotChartTests {
    @Test("a weight histogram has a bar per non-empty bin, a mark per shared value, and no zeros")
    func histogram() throws {
        // Two clusters, many pruned zeros: 3 weights near -0.5, 2 near 0.5.
        let weights: [Float] = [0, 0, 0, 0, -0.5, -0.5, -0.49, 0.5, 0.5, 0]
        let chart = WeightHistogram(layer: "fc1", weights: weights, sharedValues: [0.5, -0.5], bins: 10)
        let counts = chart.counts
        #expect(counts.counts.reduce(0, +) == 5)
        #expect(counts.counts.filter { $0 > 0 }.count == 2)
        let root = try parseXML(chart.svg())
        #expect(root.name == "svg")
        let bars = root.descendants(named: "rect").filter { $0.attributes["class"] == "bar" }
        #expect(bars.count == 2)
        #expect(bars.map { $0.descendants(named: "title").first?.text ?? "" }.allSatisfy { $0.hasPrefix("3 weights") || $0.hasPrefix("2 weights") })
        let marks = root.descendants(named: "line").filter { $0.attributes["class"] == "shared-value" }
        #expect(marks.count == 2)
        let title = try #require(root.descendants(named: "text").first { $0.attributes["class"] == "title" })
        #expect(title.text == "fc1: 5 non-zero weights, 2 shared values")
        // The taller bar (3 weights) is higher: a smaller y.
        let ys = bars.compactMap { Double($0.attributes["y"] ?? "") }
        #expect(ys[0] < ys[1])
    }

    @Test("the same data gives the same bytes; names are escaped")
    func deterministicAndEscaped() throws {
        let weights = (0..<500).map { Float(sin(Double($0) + 0.5)) * 0.1 }
        let a = WeightHistogram(layer: "conv<1>&\"x\"", weights: weights).svg()
        let b = WeightHistogram(layer: "conv<1>&\"x\"", weights: weights).svg()
        #expect(a == b)
        let root = try parseXML(a)
        #expect(root.descendants(named: "text").contains { $0.text.hasPrefix("conv<1>&\"x\": 500 non-zero weights") })
        #expect(!a.contains(/[0-9]e[-+][0-9]/))   // numbers never in exponent notation
    }

    @Test("the stage size chart has one labelled bar per stage with sizes and ratios")
    func stageSizes() throws {
        let stages = [(name: "fp32", bytes: 1_070_000), (name: "pruned", bytes: 98_000), (name: "huffman", bytes: 27_900)]
        for scale in StageSizeChart.Scale.allCases {
            let root = try parseXML(StageSizeChart(stages: stages, scale: scale).svg())
            let bars = root.descendants(named: "rect").filter { $0.attributes["class"] == "bar" }
            #expect(bars.count == 3)
            let labels = root.descendants(named: "text").filter { $0.attributes["class"] == "bar-label" }.map(\.text)
            #expect(labels == ["fp32", "pruned", "huffman"])
            let values = root.descendants(named: "text").filter { $0.attributes["class"] == "bar-value" }.map(\.text)
            #expect(values == ["1.07 MB", "98.0 kB (10.9x)", "27.9 kB (38.4x)"])
            let heights = bars.compactMap { Double($0.attributes["height"] ?? "") }
            #expect(heights[0] > heights[1] && heights[1] > heights[2] && heights[2] > 0)
        }
        let logTicks = try parseXML(StageSizeChart(stages: stages).svg()).descendants(named: "text")
            .filter { $0.attributes["class"] == "y-tick" }.map(\.text)
        #expect(logTicks == ["10.0 kB", "100 kB", "1.00 MB", "10.0 MB"])
    }

    @Test("a line chart has one line per series, a point per value, and a legend")
    func lines() throws {
        let chart = LineChart(title: "sensitivity", xLabel: "sparsity (%)", yLabel: "top-1 accuracy (%)", series: [
            .init(name: "conv1", points: [(0, 99.2), (50, 99.1), (90, 95.0)]),
            .init(name: "fc1", points: [(0, 99.2), (50, 99.2), (90, 99.0)]),
        ], xRange: 0...100)
        let svg = chart.svg()
        let root = try parseXML(svg)
        #expect(root.descendants(named: "polyline").count == 2)
        #expect(root.descendants(named: "circle").count == 6)
        #expect(root.descendants(named: "text").filter { $0.attributes["class"] == "legend" }.map(\.text) == ["conv1", "fc1"])
        let xTicks = root.descendants(named: "text").filter { $0.attributes["class"] == "x-tick" }.map(\.text)
        #expect(xTicks == ["0", "20", "40", "60", "80", "100"])
        #expect(chart.svg() == svg)
    }

    @Test("sizes read in SI units with three significant digits")
    func byteText() {
        #expect(byteCountText(512) == "512 B")
        #expect(byteCountText(27_931) == "27.9 kB")
        #expect(byteCountText(1_085_888) == "1.09 MB")
        #expect(byteCountText(999_600) == "1.00 MB")
    }
}
