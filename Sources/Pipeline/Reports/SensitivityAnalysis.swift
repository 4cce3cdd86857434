import Compression
import Foundation
import ModelIO
import NN

/// How a sensitivity analysis runs: which layers, which sparsities.
public struct SensitivitySettings: Sendable, Equatable {
    /// The layers analysed; nil analyses every layer with a kernel.
    public var layers: LayerSelection?
    /// The sparsities each layer is pruned to, each in [0, 1).
    public var sparsities: [Double] = SensitivitySettings.defaultSparsities
    /// Images per inference batch.
    public var batchSize = 1000

    /// 10%, 20%, ..., 90%, 95%: the range of Han et al. 2015 Fig. 5.
    public static let defaultSparsities = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95]

    public init() {}

    /// Throws when a sparsity lies outside [0, 1) or none is given.
    public func validate() throws {
        guard !sparsities.isEmpty else { throw CompressionError("give at least one sparsity") }
        if let bad = sparsities.first(where: { !(0..<1).contains($0) }) {
            throw CompressionError("sparsity \(bad) must be in [0, 1) (the fraction of a layer's weights cut)")
        }
        guard batchSize > 0 else { throw CompressionError("the batch size must be positive, got \(batchSize)") }
    }
}

/// The accuracy of a model with each layer pruned alone by magnitude at several sparsities
/// (Han et al. 2015, Fig. 5; Distiller's sensitivity analysis): which layers can lose many
/// weights, and which cannot.
public struct SensitivityAnalysis: Codable, Sendable, Equatable {
    /// One measurement: a layer pruned to a sparsity.
    public struct Point: Codable, Sendable, Equatable {
        /// The sparsity asked for.
        public var sparsity: Double
        /// The fraction of the layer's weights that are zero at that point (at least `sparsity`
        /// when the layer was already pruned further).
        public var measuredSparsity: Double
        public var top1: Double
        public var top5: Double

        public init(sparsity: Double, measuredSparsity: Double, top1: Double, top5: Double) {
            self.sparsity = sparsity
            self.measuredSparsity = measuredSparsity
            self.top1 = top1
            self.top5 = top5
        }
    }

    /// One layer's curve.
    public struct Layer: Codable, Sendable, Equatable {
        public var layer: String
        /// The weights pruned (the kernel).
        public var weights: Int
        public var points: [Point]

        public init(layer: String, weights: Int, points: [Point]) {
            self.layer = layer
            self.weights = weights
            self.points = points
        }
    }

    /// The model file analysed, when it came from one.
    public var model: String?
    /// The data set, as named on the command line.
    public var data: String?
    /// Test images evaluated per point.
    public var images: Int
    /// Accuracy of the model as given, before any pruning.
    public var baselineTop1: Double
    public var baselineTop5: Double
    public var layers: [Layer]

    public init(model: String?, data: String?, images: Int, baselineTop1: Double, baselineTop5: Double, layers: [Layer]) {
        self.model = model
        self.data = data
        self.images = images
        self.baselineTop1 = baselineTop1
        self.baselineTop5 = baselineTop5
        self.layers = layers
    }

    /// The analysis as a table: one row per layer, one top-1 column per sparsity.
    public var text: String {
        let sparsities = layers.first?.points.map(\.sparsity) ?? []
        var table = TextTable(header: ["layer", "weights"] + sparsities.map { percentLabel($0) },
                              rightAligned: Set(1..<(2 + sparsities.count)))
        for layer in layers {
            table.rows.append([layer.layer, groupedDigits(layer.weights)] + layer.points.map { String(format: "%.2f%%", $0.top1 * 100) })
        }
        var title = "sensitivity"
        if let model { title += " of \(model)" }
        if let data { title += " on \(data)" }
        title += " (\(groupedDigits(images)) test images): top-1 accuracy with each layer pruned alone to the sparsity of each column"
        return [title, String(format: "unpruned: top-1 %.2f%%, top-5 %.2f%%", baselineTop1 * 100, baselineTop5 * 100),
                table.render()].joined(separator: "\n")
    }

    /// The analysis as a line chart: top-1 accuracy (%) against sparsity (%), one line per layer,
    /// each starting from the unpruned accuracy at 0%.
    public var chart: LineChart {
        let series = layers.map { layer in
            LineChart.Series(name: layer.layer, points: [(x: 0, y: baselineTop1 * 100)] + layer.points.map { (x: $0.sparsity * 100, y: $0.top1 * 100) })
        }
        var title = "sensitivity to pruning"
        if let model { title += ": \(URL(fileURLWithPath: model).lastPathComponent)" }
        return LineChart(title: title, xLabel: "weights pruned away (%)", yLabel: "top-1 accuracy (%)", series: series, xRange: 0...100)
    }
}

/// Progress of ``analyzeSensitivity(_:on:settings:onEvent:)``: one event per evaluation.
public enum SensitivityEvent: Sendable {
    /// `layer` pruned to `sparsity` was evaluated; `done` of `total` evaluations are finished.
    case evaluated(layer: String, sparsity: Double, top1: Double, done: Int, total: Int)
    /// Every sparsity of `layer` was evaluated.
    case layerFinished(SensitivityAnalysis.Layer)
}

/// Prunes each selected layer of `model` alone, by magnitude, to each sparsity of `settings`, and
/// evaluates the model on `test` each time.
///
/// Each layer's weights, masks and mask modes are restored after its measurements, so the model
/// is returned as it was given. Masks it already has are respected (a cut weight stays cut), so
/// on a pruned model a point's measured sparsity can exceed the one asked for.
public func analyzeSensitivity(_ model: Model, on test: Dataset, settings: SensitivitySettings,
                               onEvent: (SensitivityEvent) -> Void = { _ in }) throws -> SensitivityAnalysis {
    try settings.validate()
    try checkModelFitsData(model, test)
    let layers = try PrunableLayer.select(in: model, layers: settings.layers, includeBiases: false)
    let baseline = evaluateModel(model, on: test, batchSize: settings.batchSize)
    let total = layers.count * settings.sparsities.count
    var done = 0
    var results: [SensitivityAnalysis.Layer] = []
    for layer in layers {
        let saved = layer.parameters.map { (value: $0.value, mask: $0.mask, mode: $0.maskMode) }
        var points: [SensitivityAnalysis.Point] = []
        for sparsity in settings.sparsities {
            let cut = MagnitudeMask(values: layer.values, existing: layer.hasMask ? layer.mask : nil, sparsity: sparsity)
            layer.setMask(cut.mask, mode: .pruned)
            let evaluation = evaluateModel(model, on: test, batchSize: settings.batchSize)
            points.append(.init(sparsity: sparsity, measuredSparsity: cut.sparsity,
                                top1: evaluation.top1Accuracy, top5: evaluation.top5Accuracy))
            for (parameter, state) in zip(layer.parameters, saved) {
                parameter.mask = state.mask
                parameter.maskMode = state.mode
                parameter.value = state.value
            }
            done += 1
            onEvent(.evaluated(layer: layer.name, sparsity: sparsity, top1: evaluation.top1Accuracy, done: done, total: total))
        }
        let result = SensitivityAnalysis.Layer(layer: layer.name, weights: layer.count, points: points)
        results.append(result)
        onEvent(.layerFinished(result))
    }
    return SensitivityAnalysis(model: nil, data: nil, images: test.count, baselineTop1: baseline.top1Accuracy,
                               baselineTop5: baseline.top5Accuracy, layers: results)
}

/// `0.9` as `90%`, `0.95` as `95%`, `0.125` as `12.5%`.
func percentLabel(_ fraction: Double) -> String {
    let percent = fraction * 100
    return percent == percent.rounded() ? "\(Int(percent))%" : String(format: "%g%%", percent)
}
