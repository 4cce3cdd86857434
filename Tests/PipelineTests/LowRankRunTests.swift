import Compression
import Foundation
import ModelIO
import NN
import Pipeline
import TensorCore
import Testing

/// Random 6x6 images labelled by the largest of three fixed linear scores: learnable, not trivial.
private func linearlyLabelledData(count: Int, seed: UInt64) -> Dataset {
    var generator = RandomGenerator(seed: seed)
    var weights = RandomGenerator(seed: 99)
    let projection = weights.normal(shape: [36, 3]).scalars
    let images = generator.uniform(shape: [count, 6, 6, 1])
    let labels = (0..<count).map { n -> Int32 in
        let scores = (0..<3).map { c in (0..<36).reduce(Float(0)) { $0 + (images.scalars[n * 36 + $1] - 0.5) * projection[$1 * 3 + c] } }
        return Int32(scores.indices.max { scores[$0] < scores[$1] }!)
    }
    return Dataset(images: images, labels: labels, classCount: 3)
}

/// conv (3x3, 1 -> 6, same), flatten, fc1 (216 -> 32, relu), fc2 (32 -> 3, softmax), trained briefly.
private func trainedModel(on data: Dataset) throws -> Model {
    var generator = RandomGenerator(seed: 5)
    let model = Model(inputShape: [6, 6, 1], layers: [
        ("conv", Conv2D(inputChannels: 1, filters: 6, kernelSize: Size2D(3), padding: .same, activation: .relu, generator: &generator)),
        ("flatten", Flatten()),
        ("fc1", Dense(inputCount: 216, units: 32, activation: .relu, generator: &generator)),
        ("fc2", Dense(inputCount: 32, units: 3, activation: .softmax, generator: &generator)),
    ])
    var settings = TrainingSettings()
    settings.epochs = 3
    settings.batchSize = 20
    _ = try trainModel(model, train: data, test: nil, settings: settings)
    return model
}

@Suite("Low-rank runs")
struct LowRankRunTests {
    let train = linearlyLabelledData(count: 400, seed: 1)
    let test = linearlyLabelledData(count: 200, seed: 2)

    func svdSettings(retrain: Bool) -> LowRankSettings {
        var settings = LowRankSettings(pass: .svd(DenseSVDSettings(rank: .ratio(4))), retrain: retrain)
        settings.training.epochs = 2
        settings.training.batchSize = 20
        return settings
    }

    @Test("SVD with retraining: accuracy before, factorized and retrained, parameter totals, stages in order")
    func svdWithRetraining() throws {
        let model = try trainedModel(on: train)
        let before = evaluateModel(model, on: test).top1Accuracy
        var stages: [String] = []
        var epochsSeen = 0
        let (factorized, report) = try factorizeModel(model, settings: svdSettings(retrain: true), train: train, test: test) { event in
            switch event {
            case let .stage(name, _): stages.append(name)
            case .training(_, .epochEnd): epochsSeen += 1
            case .training: break
            }
        }
        #expect(stages == ["original", "factorized", "retrained"] && epochsSeen == 2)
        #expect(report.testAccuracyBefore == before)
        #expect(report.testAccuracyRetrained == evaluateModel(factorized, on: test).top1Accuracy)
        #expect(report.testAccuracyFactorized != nil && report.epochs == 2)
        // fc1 216 x 32: t = floor(6912 / 4 / 248) = 6; fc2 32 x 3: 6 * 35 > 96 / 4, no rank fits.
        #expect(report.layers.map(\.layer) == ["fc1", "fc2"])
        #expect(report.layers[0].rank == 6 && report.layers[0].isFactorized)
        #expect(report.layers[1].leftAloneReason?.contains("no room for rank 1") == true)
        #expect(factorized.layerNames == ["conv", "flatten", "fc1_u", "fc1", "fc2"])
        #expect(report.modelParametersBefore == model.parameterCount)
        #expect(report.modelParametersAfter == factorized.parameterCount)
        #expect(report.modelParametersBefore - report.modelParametersAfter == 216 * 32 - 6 * (216 + 32))
        let text = report.text
        #expect(text.contains("fc1_u, fc1") && text.contains("fc2 (Dense 32x3) left alone"))
        #expect(text.contains("test accuracy: ") && text.contains("retrained"))
    }

    @Test("the same run twice gives the same model and report")
    func deterministic() throws {
        func run() throws -> (Model, LowRankReport) {
            var settings = LowRankSettings(pass: .flatten(FlatteningSettings(rank: .rank(3), maxIterations: 30)), retrain: true)
            settings.training.epochs = 1
            settings.training.batchSize = 25
            return try factorizeModel(try trainedModel(on: train), settings: settings, train: train, test: test)
        }
        let (first, firstRun) = try run()
        let (second, secondRun) = try run()
        var firstReport = firstRun, secondReport = secondRun
        firstReport.seconds = 0
        secondReport.seconds = 0
        #expect(firstReport == secondReport)
        #expect(first.weights == second.weights)
        #expect(first.layerNames == ["conv_l", "conv_v", "conv_h", "conv", "flatten", "fc1", "fc2"])
    }

    @Test("without test data there are no accuracies; retraining without training data is an error")
    func data() throws {
        let model = try trainedModel(on: train)
        let (_, report) = try factorizeModel(model, settings: svdSettings(retrain: false), train: nil, test: nil)
        #expect(report.testAccuracyBefore == nil && report.testAccuracyFactorized == nil && report.testAccuracyRetrained == nil)
        #expect(!report.text.contains("test accuracy"))
        #expect(throws: CompressionError("retraining needs training data")) {
            try factorizeModel(model, settings: svdSettings(retrain: true), train: nil, test: self.test)
        }
    }

    @Test("the saved file loads back with the new layers and the same predictions; the input is protected")
    func savesKerasModel() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lowrank-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("model.h5").path
        let output = directory.appendingPathComponent("flat.h5").path
        try saveKerasModel(try trainedModel(on: train), name: "model", to: input)
        let inputBytes = try Data(contentsOf: URL(fileURLWithPath: input))

        let settings = LowRankSettings(pass: .flatten(FlatteningSettings(rank: .rank(4), maxIterations: 50)))
        let report = try runLowRank(input: input, output: output, settings: settings, train: nil, test: test)
        #expect(report.model == input && report.output == output)
        let loaded = try loadModel(path: output)
        #expect(loaded.layerNames == ["conv_l", "conv_v", "conv_h", "conv", "flatten", "fc1", "fc2"])
        #expect(loaded.layer(named: "conv_v") is DepthwiseConv2D)
        #expect(evaluateModel(loaded, on: test).top1Accuracy == report.testAccuracyFactorized)

        #expect(throws: ModelFileError.self) {
            try runLowRank(input: input, output: input, settings: settings, train: nil, test: nil)
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: input)) == inputBytes)
    }
}
