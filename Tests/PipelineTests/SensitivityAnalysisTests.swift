import Compression
import Foundation
import ModelIO
import NN
import Pipeline
import TensorCore
import Testing

/// Flatten, fc1 (16 -> 12, relu), fc2 (12 -> 3) on 4x4 images, trained briefly on `data`.
private func trainedModel(on data: Dataset) throws -> Model {
    var generator = RandomGenerator(seed: 5)
    let model = Model(inputShape: [4, 4, 1], layers: [
        ("flatten", Flatten()),
        ("fc1", Dense(inputCount: 16, units: 12, activation: .relu, generator: &generator)),
        ("fc2", Dense(inputCount: 12, units: 3, generator: &generator)),
    ])
    var settings = TrainingSettings()
    settings.epochs = 10
    settings.batchSize = 20
    _ = try trainModel(model, train: data, test: nil, settings: settings)
    return model
}

/// Random 4x4 images labelled by the largest of three fixed linear scores.
private func linearlyLabelled(count: Int, seed: UInt64) -> Dataset {
    var generator = RandomGenerator(seed: seed)
    var weights = RandomGenerator(seed: 77)
    let projection = weights.normal(shape: [16, 3]).scalars
    let images = generator.uniform(shape: [count, 4, 4, 1])
    let labels = (0..<count).map { n -> Int32 in
        let scores = (0..<3).map { c in (0..<16).reduce(Float(0)) { $0 + (images.scalars[n * 16 + $1] - 0.5) * projection[$1 * 3 + c] } }
        return Int32(scores.indices.max { scores[$0] < scores[$1] }!)
    }
    return Dataset(images: images, labels: labels, classCount: 3)
}

@Suite("Sensitivity analysis")
struct SensitivityAnalysisTests {
    @Test("each layer is pruned alone at each sparsity, and the model is left as it was")
    func analysis() throws {
        let data = linearlyLabelled(count: 300, seed: 1)
        let model = try trainedModel(on: data)
        let kernel = model.parameter(named: "fc1.kernel")!
        kernel.mask = Tensor(shape: kernel.shape, scalars: (0..<kernel.count).map { $0 % 4 == 0 ? 0 : 1 })   // 25% already cut
        kernel.applyMask()
        let before = model.namedParameters.map { ($0.key, $0.parameter.value, $0.parameter.mask) }
        var settings = SensitivitySettings()
        settings.sparsities = [0, 0.5, 0.99]
        var events = 0
        let analysis = try analyzeSensitivity(model, on: data, settings: settings) { event in
            if case .evaluated = event { events += 1 }
        }
        #expect(events == 6)
        #expect(analysis.layers.map(\.layer) == ["fc1", "fc2"])
        #expect(analysis.layers.map(\.weights) == [192, 36])
        let fc1 = analysis.layers[0].points, fc2 = analysis.layers[1].points
        // fc1's existing cuts stay cut: at "0%" a quarter of it is still zero.
        #expect(fc1[0].measuredSparsity == 0.25)
        #expect(fc1[0].top1 == analysis.baselineTop1)
        #expect(fc2[0].measuredSparsity == 0)
        #expect(fc2[0].top1 == analysis.baselineTop1)
        #expect(fc2[2].measuredSparsity == 1)   // round(0.99 × 36) = 36: every weight cut
        #expect(fc2[2].top1 < analysis.baselineTop1)
        #expect(analysis.baselineTop1 > 0.6)
        for (key, value, mask) in before {
            let parameter = model.parameter(named: key)!
            #expect(parameter.value == value, "\(key)")
            #expect(parameter.mask == mask, "\(key)")
        }
        #expect(kernel.maskMode == .pruned)
        #expect(evaluateModel(model, on: data).top1Accuracy == analysis.baselineTop1)
    }

    @Test("the selection picks layers by glob; a bad sparsity or pattern is an error")
    func selection() throws {
        let data = linearlyLabelled(count: 60, seed: 2)
        let model = try trainedModel(on: data)
        var settings = SensitivitySettings()
        settings.layers = LayerSelection("fc2")
        settings.sparsities = [0.5]
        #expect(try analyzeSensitivity(model, on: data, settings: settings).layers.map(\.layer) == ["fc2"])
        settings.layers = LayerSelection("conv*")
        #expect(throws: CompressionError.self) { try analyzeSensitivity(model, on: data, settings: settings) }
        settings.layers = nil
        settings.sparsities = [1.0]
        #expect(throws: CompressionError.self) { try analyzeSensitivity(model, on: data, settings: settings) }
    }

    @Test("the table has a column per sparsity; the chart a line per layer from the unpruned accuracy")
    func outputs() throws {
        let point = { (s: Double, top1: Double) in SensitivityAnalysis.Point(sparsity: s, measuredSparsity: s, top1: top1, top5: 1) }
        let analysis = SensitivityAnalysis(model: "m.h5", data: "mnist", images: 10_000, baselineTop1: 0.99, baselineTop5: 1, layers: [
            .init(layer: "conv1", weights: 500, points: [point(0.5, 0.985), point(0.9, 0.90)]),
            .init(layer: "fc1", weights: 400_000, points: [point(0.5, 0.99), point(0.9, 0.989)]),
        ])
        let lines = analysis.text.split(separator: "\n")
        #expect(lines[2].split(separator: " ") == ["layer", "weights", "50%", "90%"])
        #expect(lines[3].split(separator: " ") == ["conv1", "500", "98.50%", "90.00%"])
        #expect(lines[4].split(separator: " ") == ["fc1", "400,000", "99.00%", "98.90%"])
        let chart = analysis.chart
        #expect(chart.series.map(\.name) == ["conv1", "fc1"])
        #expect(chart.series[0].points.map(\.x) == [0, 50, 90])
        #expect(chart.series[0].points.first?.y == 99)
        let root = try parseXML(chart.svg())
        #expect(root.descendants(named: "polyline").count == 2)
    }
}
