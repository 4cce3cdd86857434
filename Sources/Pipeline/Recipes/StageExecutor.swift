import Compression
import Foundation
import ModelIO
import NN

/// Progress of a running stage, for the display.
public enum StageProgress: Sendable {
    /// A training step: `phase` (`training`, `round 2/3: retrained`, `fine-tuning`), the epoch
    /// (0-based) of `epochs`, the step of `steps`, and running loss and accuracy over the epoch.
    case step(phase: String, epoch: Int, epochs: Int, step: Int, steps: Int, loss: Double, accuracy: Double, imagesPerSecond: Double)
    /// A line for the log: an epoch's figures, a step of a pass.
    case line(String)
}

/// The data a stage runs on.
public struct StageData: Sendable {
    /// The training split; nil when no stage of the recipe trains.
    public var train: Dataset?
    public var test: Dataset

    public init(train: Dataset?, test: Dataset) {
        self.train = train
        self.test = test
    }
}

/// Runs one stage of a recipe: reads the model file `input` and writes the stage's result to
/// `output`. ``PassStageExecutor`` runs the real passes; tests substitute their own.
public protocol StageExecutor {
    /// Runs `stage` on the model in `input` (nil for a first `train` stage that builds its model
    /// from `arch`), writes the resulting model to `output` (`.h5`, or `.dcz` for `huffman`),
    /// and returns the pass's report as text.
    func run(_ stage: RecipePlan.Stage, input: String?, output: String, modelName: String, data: StageData,
             onProgress: (StageProgress) -> Void) throws -> String
}

/// Runs each stage type with the Pipeline API of its pass: ``trainModel(_:train:test:settings:evaluationBatchSize:onEvent:)``,
/// ``pruneModel(_:settings:train:test:onEvent:)``, ``quantizeModel(_:settings:train:test:onEvent:)``,
/// ``factorizeModel(_:settings:train:test:onEvent:)`` and ``huffmanEncodeModelFile(input:output:settings:)``.
///
/// Masks and codebooks travel with the model file. The quantization state (k-means bits, int8
/// codes, FP16 storage) is carried from stage to stage as long as it still describes the weights:
/// k-means bits survive retraining (centroids move, assignments stay), int8 codes and FP16
/// storage do not survive a stage that changes weights, and a low-rank stage replaces layers.
public struct PassStageExecutor: StageExecutor {
    public init() {}

    public func run(_ stage: RecipePlan.Stage, input: String?, output: String, modelName: String, data: StageData,
                    onProgress: (StageProgress) -> Void) throws -> String {
        func load() throws -> (Model, CompressionState) {
            guard let input else { throw CompressionError("stage \(stage.index + 1) (\(stage.label)) has no model to work on") }
            return try loadModelWithCompressionState(path: input)
        }
        func needTrain() throws -> Dataset {
            guard let train = data.train else { throw CompressionError("stage \(stage.index + 1) (\(stage.label)) trains but no training data was loaded") }
            return train
        }
        func save(_ model: Model, _ state: CompressionState) throws {
            try saveKerasModel(model, name: modelName, to: output, protecting: input.map { [$0] } ?? [], compressionState: state)
        }
        switch stage.resolved {
        case let .train(arch, settings):
            let (model, state) = try arch.map { (try modelForArchitectureArgument($0, seed: settings.seed), CompressionState()) } ?? load()
            let result = try trainModel(model, train: needTrain(), test: data.test, settings: settings) { event in
                report(event, phase: "training", epochs: settings.epochs, onProgress)
            }
            try save(model, state.keepingWeightSharing)
            return trainingText(result, settings: settings)

        case .retrain(let settings):
            let (model, state) = try load()
            let result = try trainModel(model, train: needTrain(), test: data.test, settings: settings) { event in
                report(event, phase: "retraining", epochs: settings.epochs, onProgress)
            }
            try save(model, state.keepingWeightSharing)
            return trainingText(result, settings: settings)

        case .prune(let settings):
            let (model, state) = try load()
            let pruningReport = try pruneModel(model, settings: settings, train: settings.trains ? needTrain() : nil, test: data.test) { event in
                switch event {
                case .stage(let step):
                    onProgress(.line(String(format: "%@: %.2f%% kept", step.name, step.keptPercent)
                        + (step.testError.map { String(format: ", test error %.2f%%", $0 * 100) } ?? "")))
                case let .training(name, epochs, event):
                    report(event, phase: name, epochs: epochs, onProgress)
                }
            }
            try save(model, state.keepingWeightSharing)
            return pruningReport.text

        case .quantize(let settings):
            let (model, state) = try load()
            let epochs = settings.retraining?.epochs ?? 0
            let outcome = try quantizeModel(model, settings: settings, train: settings.retraining != nil ? needTrain() : nil, test: data.test) { event in
                report(event, phase: "fine-tuning", epochs: epochs, onProgress)
            }
            var merged = state
            merged.quantization.merge(outcome.state.quantization) { _, new in new }
            try save(model, merged)
            return outcome.report.text

        case .lowRank(let settings):
            let (model, _) = try load()
            let (factorized, lowRankReport) = try factorizeModel(model, settings: settings, train: settings.retrain ? needTrain() : nil,
                                                                 test: data.test) { event in
                switch event {
                case let .stage(name, accuracy):
                    onProgress(.line(name + (accuracy.map { String(format: ": test accuracy %.2f%%", $0 * 100) } ?? "")))
                case let .training(epochs, event):
                    report(event, phase: "fine-tuning", epochs: epochs, onProgress)
                }
            }
            try save(factorized, CompressionState())
            return lowRankReport.text

        case .huffman(let settings):
            guard let input else { throw CompressionError("huffman needs a model to encode") }
            let encoding = try huffmanEncodeModelFile(input: input, output: output, settings: settings)
            return compressedModelText(encoding.summary)
        }
    }
}

extension CompressionState {
    /// Only the k-means bit widths, which stay true while centroids are retrained.
    var keepingWeightSharing: CompressionState {
        CompressionState(quantization: quantization.filter {
            if case .weightSharing = $0.value { return true }
            return false
        })
    }
}

/// Passes a training event on as progress.
private func report(_ event: TrainingEvent, phase: String, epochs: Int, _ onProgress: (StageProgress) -> Void) {
    switch event {
    case let .step(epoch, step, steps, loss, accuracy, rate):
        onProgress(.step(phase: phase, epoch: epoch, epochs: epochs, step: step, steps: steps, loss: loss, accuracy: accuracy, imagesPerSecond: rate))
    case let .epochEnd(epoch, train, test):
        var line = String(format: "%@ epoch %d/%d  loss %.4f  acc %.2f%%  %.1fs", phase, epoch + 1, epochs, train.meanLoss,
                          train.top1Accuracy * 100, train.seconds)
        if let test { line += String(format: "  test error %.2f%%", test.top1Error * 100) }
        onProgress(.line(line))
    }
}

private func trainingText(_ result: TrainingResult, settings: TrainingSettings) -> String {
    var text = "trained: \(trainingSummary(settings))"
    if let test = result.finalTest {
        text += String(format: "\ntest accuracy %.2f%% (error %.2f%%), top-5 %.2f%%", test.top1Accuracy * 100, test.top1Error * 100, test.top5Accuracy * 100)
    }
    return text
}
