import Compression
import Dispatch
import Foundation
import ModelIO
import NN

/// What a low-rank run reports while it goes.
public enum LowRankEvent: Sendable {
    /// A stage finished (`original`, `factorized`, `retrained`), with the test accuracy when there
    /// is test data.
    case stage(name: String, testAccuracy: Double?)
    /// Progress of the fine-tuning run of `epochs` epochs.
    case training(epochs: Int, TrainingEvent)
}

/// Factorizes the model in `input` as `settings` ask, fine-tuning on `train` when they say so,
/// and saves the result, a plain Keras model, as `.h5` at `output`.
///
/// The input is never overwritten; the output is written atomically, and its path is checked
/// before any work.
public func runLowRank(input: String, output: String, settings: LowRankSettings, train: Dataset?, test: Dataset?,
                       onEvent: (LowRankEvent) -> Void = { _ in }) throws -> LowRankReport {
    try RunFiles.checkOutput(output, protecting: [input])
    let model = try loadModel(path: input)
    var (factorized, report) = try factorizeModel(model, settings: settings, train: train, test: test, onEvent: onEvent)
    try saveKerasModel(factorized, to: output, protecting: [input])
    report.model = input
    report.output = output
    return report
}

/// Applies the low-rank pass of `settings` to `model`, evaluates on `test` before and after,
/// and fine-tunes on `train` when ``LowRankSettings/retrain`` is set.
///
/// `model` itself is not rebuilt: the result is a new ``Sequential`` that shares the unchanged
/// layers with it (so retraining updates those shared layers too).
///
/// ```swift
/// var settings = LowRankSettings(pass: .svd(DenseSVDSettings(rank: .ratio(4))), layers: LayerSelection("fc1,fc2"))
/// settings.retrain = true
/// let (small, report) = try factorizeModel(lenet300, settings: settings, train: train, test: test)
/// print(report.text)
/// ```
/// - Throws: ``CompressionError`` or ``TrainingError`` for bad settings, a selection that matches
///   nothing, retraining without training data, or data that does not fit the model.
public func factorizeModel(_ model: Model, settings: LowRankSettings, train: Dataset?, test: Dataset?,
                           onEvent: (LowRankEvent) -> Void = { _ in }) throws -> (model: Model, report: LowRankReport) {
    let start = DispatchTime.now().uptimeNanoseconds
    try settings.validate()
    if settings.retrain {
        guard let train else { throw CompressionError("retraining needs training data") }
        try checkModelFitsData(model, train)
    }
    if let test { try checkModelFitsData(model, test) }

    func testAccuracy(_ network: Model, stage: String) -> Double? {
        let accuracy = test.map { evaluateModel(network, on: $0).top1Accuracy }
        onEvent(.stage(name: stage, testAccuracy: accuracy))
        return accuracy
    }
    let accuracyBefore = testAccuracy(model, stage: "original")
    let factorized: FactorizedModel
    switch settings.pass {
    case .svd(let svd): factorized = try factorizeDenseLayers(of: model, layers: settings.layers, settings: svd)
    case .flatten(let flattening): factorized = try flattenConvolutions(of: model, layers: settings.layers, settings: flattening)
    }
    let layers = factorized.layers.map(LowRankReport.Layer.init)
    let accuracyFactorized = testAccuracy(factorized.model, stage: "factorized")

    var accuracyRetrained: Double?
    if settings.retrain, let train {
        let epochs = settings.training.epochs
        let result = try trainModel(factorized.model, train: train, test: test, settings: settings.training) { event in
            onEvent(.training(epochs: epochs, event))
        }
        accuracyRetrained = result.finalTest?.top1Accuracy
        onEvent(.stage(name: "retrained", testAccuracy: accuracyRetrained))
    }
    let report = LowRankReport(
        model: nil, output: nil, pass: settings.pass.name, rankRule: settings.pass.rankDescription, layers: layers,
        modelParametersBefore: model.parameterCount, modelParametersAfter: factorized.model.parameterCount,
        testAccuracyBefore: accuracyBefore, testAccuracyFactorized: accuracyFactorized,
        testAccuracyRetrained: accuracyRetrained, epochs: settings.retrain ? settings.training.epochs : 0,
        seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    return (factorized.model, report)
}
