import Dispatch
import ModelIO
import NN
import TensorCore

/// What a training run reports while it goes.
public enum TrainingEvent: Sendable {
    /// After each step: position in the epoch and running figures over the epoch so far.
    case step(epoch: Int, step: Int, stepsPerEpoch: Int, meanLoss: Double, accuracy: Double, imagesPerSecond: Double)
    /// After each epoch: the epoch's training figures and, when test data was given, the test figures.
    case epochEnd(epoch: Int, train: Evaluation, test: Evaluation?)
}

/// The outcome of ``trainModel(_:train:test:settings:onEvent:)``: per-epoch training and test figures.
public struct TrainingResult: Sendable {
    public var epochs: [(train: Evaluation, test: Evaluation?)]
    /// The last test evaluation, when test data was given.
    public var finalTest: Evaluation? { epochs.last?.test }
}

/// Trains `model` in place on `train` for `settings.epochs` epochs, evaluating on `test` after
/// each epoch, and calls `onEvent` as it goes.
///
/// Batches are shuffled from `settings.seed` (epoch `e` has its own permutation) and prepared one
/// ahead on a background thread. Masks and codebooks on the model's parameters are honoured by the
/// optimizer, so a pruned or weight-shared model stays so.
public func trainModel(_ model: Model, train: Dataset, test: Dataset?, settings: TrainingSettings,
                       evaluationBatchSize: Int = 1000, onEvent: (TrainingEvent) -> Void = { _ in }) throws -> TrainingResult {
    try settings.validate()
    try checkModelFitsData(model, train)
    if let test { try checkModelFitsData(model, test) }
    let stepsPerEpoch = (train.count + settings.batchSize - 1) / settings.batchSize
    let trainer = Trainer(model: model, optimizer: settings.makeOptimizer(totalSteps: stepsPerEpoch * settings.epochs))
    var result = TrainingResult(epochs: [])
    for epoch in 0..<settings.epochs {
        var metrics = ClassificationMetrics()
        let start = DispatchTime.now().uptimeNanoseconds
        var step = 0
        for batch in Minibatches(train, batchSize: settings.batchSize, seed: settings.seed, epoch: epoch).prefetched() {
            let (loss, outputs) = trainer.trainStep(batch)
            guard loss.isFinite else {
                throw TrainingError("the loss became \(loss) at epoch \(epoch + 1), step \(step + 1); lower the learning rate, or raise it over the first steps (--warmup 100, or warmup: 100 in a recipe)")
            }
            metrics.add(meanLoss: loss, logits: outputs, labels: batch.labels)
            step += 1
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            onEvent(.step(epoch: epoch, step: step, stepsPerEpoch: stepsPerEpoch, meanLoss: metrics.meanLoss,
                          accuracy: metrics.top1Accuracy, imagesPerSecond: seconds > 0 ? Double(metrics.count) / seconds : 0))
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let trainEvaluation = Evaluation(metrics: metrics, seconds: seconds, steps: step)
        let testEvaluation = test.map { evaluateModel(model, on: $0, batchSize: evaluationBatchSize) }
        result.epochs.append((trainEvaluation, testEvaluation))
        onEvent(.epochEnd(epoch: epoch, train: trainEvaluation, test: testEvaluation))
    }
    return result
}

/// Loss, top-1 and top-5 accuracy and images/s of `model` on `data`, in inference mode.
public func evaluateModel(_ model: Model, on data: Dataset, batchSize: Int = 1000) -> Evaluation {
    Trainer.evaluate(model, Minibatches(data, batchSize: batchSize, seed: nil).prefetched())
}

/// Throws unless each example of `data` fits the model's input and every label has an output:
/// the model's output width is its number of classes.
///
/// - Throws: ``TrainingError`` for a shape mismatch; ``DataError/labelOutOfRange(file:index:label:classCount:)``
///   naming the labels' file and the index of the first label the model has no output for.
public func checkModelFitsData(_ model: Model, _ data: Dataset) throws {
    let exampleSize = data.imageShape.reduce(1, *)
    guard exampleSize == model.inputShape.reduce(1, *) else {
        throw TrainingError("the data's examples have shape \(data.imageShape), the model takes \(model.inputShape)")
    }
    try data.checkLabels(below: model.outputShape.reduce(1, *))
}
