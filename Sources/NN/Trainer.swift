import Foundation
import TensorCore

/// One minibatch: inputs with the batch axis first, and integer class labels.
public struct Batch: Sendable {
    /// `[n, ...]`, e.g. `[n, 28, 28, 1]` (NHWC) or `[n, 784]`; reshaped to the model's input shape
    /// when the element count per example matches.
    public var inputs: Tensor
    /// One class index per example.
    public var labels: [Int32]
    /// Regression targets for ``Loss/meanSquaredError`` (`[n, outputs]`); nil uses one-hot labels.
    public var targets: Tensor?

    public init(inputs: Tensor, labels: [Int32], targets: Tensor? = nil) {
        precondition(inputs.rank >= 1 && inputs.shape[0] == labels.count,
                     "Batch: \(labels.count) labels for inputs of shape \(inputs.shape)")
        self.inputs = inputs
        self.labels = labels
        self.targets = targets
    }

    /// The number of examples.
    public var count: Int { labels.count }
}

/// A source of minibatches, one pass (epoch) at a time.
///
/// `batches(epoch:)` is called once at the start of every epoch (0-based) and must return the
/// minibatches of that epoch in order; a source that shuffles should derive its order from its
/// seed and `epoch`, so that runs repeat. Any `Sequence` of ``Batch`` works, including a lazy one
/// that reads or prefetches as it is iterated.
///
/// ```swift
/// struct Shuffled: BatchSource {
///     func batches(epoch: Int) -> [Batch] { ... }
/// }
/// ```
public protocol BatchSource {
    associatedtype Batches: Sequence where Batches.Element == Batch
    /// The minibatches of one epoch, in order.
    func batches(epoch: Int) -> Batches
}

/// Batches cut from tensors in memory, reshuffled every epoch from a seed.
public struct InMemoryBatchSource: BatchSource, Sendable {
    /// `[n, ...]`.
    public let inputs: Tensor
    public let labels: [Int32]
    public let batchSize: Int
    /// When set, each epoch visits the examples in the permutation drawn from `seed + epoch`.
    public let shuffleSeed: UInt64?
    /// Whether a final batch smaller than `batchSize` is dropped.
    public let dropsLast: Bool

    public init(inputs: Tensor, labels: [Int32], batchSize: Int, shuffleSeed: UInt64? = nil, dropsLast: Bool = false) {
        precondition(batchSize > 0, "InMemoryBatchSource: batch size must be positive")
        precondition(inputs.rank >= 1 && inputs.shape[0] == labels.count, "InMemoryBatchSource: \(labels.count) labels for \(inputs.shape)")
        self.inputs = inputs
        self.labels = labels
        self.batchSize = batchSize
        self.shuffleSeed = shuffleSeed
        self.dropsLast = dropsLast
    }

    /// The number of examples.
    public var count: Int { labels.count }

    public func batches(epoch: Int) -> [Batch] {
        let n = labels.count
        let order: [Int]
        if let shuffleSeed {
            var generator = RandomGenerator(seed: shuffleSeed &+ UInt64(epoch) &* 0x9E37_79B9_7F4A_7C15)
            order = generator.permutation(n)
        } else {
            order = Array(0..<n)
        }
        let exampleShape = Array(inputs.shape.dropFirst())
        let size = exampleShape.reduce(1, *)
        var result: [Batch] = []
        var start = 0
        while start < n {
            let end = Swift.min(start + batchSize, n)
            if end - start < batchSize && dropsLast && start > 0 { break }
            let indices = order[start..<end]
            let x = makeTensor(shape: [end - start] + exampleShape) { out in
                inputs.withScalarPointer { src in
                    for (row, index) in indices.enumerated() {
                        (out + row * size).update(from: src + index * size, count: size)
                    }
                }
            }
            result.append(Batch(inputs: x, labels: indices.map { labels[$0] }))
            start = end
        }
        return result
    }
}

/// Metrics of a pass over data.
public struct Evaluation: Sendable, Equatable, CustomStringConvertible {
    public var metrics: ClassificationMetrics
    /// Wall-clock seconds of the pass.
    public var seconds: Double
    /// Optimizer steps taken (0 for evaluation).
    public var steps: Int

    public var count: Int { metrics.count }
    public var meanLoss: Double { metrics.meanLoss }
    public var top1Accuracy: Double { metrics.top1Accuracy }
    public var top5Accuracy: Double { metrics.top5Accuracy }
    public var top1Error: Double { metrics.top1Error }
    /// Figures measured elsewhere, such as by a training loop that reports each step.
    public init(metrics: ClassificationMetrics, seconds: Double, steps: Int) {
        self.metrics = metrics
        self.seconds = seconds
        self.steps = steps
    }

    /// Examples per second over the pass.
    public var imagesPerSecond: Double { seconds > 0 ? Double(metrics.count) / seconds : 0 }

    public var description: String {
        // Three significant digits at least: a large model evaluates at about one image per second.
        let rateDecimals = imagesPerSecond < 10 ? 2 : imagesPerSecond < 100 ? 1 : 0
        return String(format: "loss %.4f, top-1 %.2f%%, top-5 %.2f%%, %d examples, %.*f images/s",
                      meanLoss, 100 * top1Accuracy, 100 * top5Accuracy, count, rateDecimals, imagesPerSecond)
    }
}

/// Fits a model with an optimizer, one minibatch or one epoch at a time.
///
/// ```swift
/// let model = try Architecture.lenet300.build(seed: 42)
/// let trainer = Trainer(model: model, optimizer: SGD(learningRate: 0.05, momentum: 0.9))
/// for epoch in 0..<20 {
///     let train = trainer.trainEpoch(source.batches(epoch: epoch))
///     let test = trainer.evaluate(testSource.batches(epoch: 0))
///     print(epoch, train, test)
/// }
/// ```
public final class Trainer {
    public let model: Model
    public let optimizer: Optimizer
    public var loss: Loss
    /// Called after every optimizer step (compression passes hook in here: mask updates, ...).
    public var afterStep: ((Trainer) -> Void)?
    /// Optimizer steps taken by this trainer.
    public private(set) var step = 0

    public init(model: Model, optimizer: Optimizer, loss: Loss = .softmaxCrossEntropy) {
        self.model = model
        self.optimizer = optimizer
        self.loss = loss
    }

    /// Forward, backward and one optimizer update on a batch; returns the batch's mean loss and
    /// the logits (or outputs) the metrics are computed from.
    @discardableResult
    public func trainStep(_ batch: Batch) -> (loss: Float, outputs: Tensor) {
        let (objective, outputs) = forward(batch, training: true)
        objective.backward()
        optimizer.update(model)
        step += 1
        afterStep?(self)
        return (objective.value.scalars[0], outputs)
    }

    /// One pass of ``trainStep(_:)`` over the batches, with running training metrics.
    public func trainEpoch<S: Sequence>(_ batches: S) -> Evaluation where S.Element == Batch {
        var metrics = ClassificationMetrics()
        let start = DispatchTime.now().uptimeNanoseconds
        var steps = 0
        for batch in batches {
            let (value, outputs) = trainStep(batch)
            metrics.add(meanLoss: value, logits: outputs, labels: batch.labels)
            steps += 1
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return Evaluation(metrics: metrics, seconds: seconds, steps: steps)
    }

    /// Loss, top-1 and top-5 accuracy of the model in inference mode over the batches.
    public func evaluate<S: Sequence>(_ batches: S) -> Evaluation where S.Element == Batch {
        Trainer.evaluate(model, batches, loss: loss)
    }

    /// Loss, top-1 and top-5 accuracy of a model in inference mode over the batches.
    public static func evaluate<S: Sequence>(_ model: Model, _ batches: S, loss: Loss = .softmaxCrossEntropy) -> Evaluation
    where S.Element == Batch {
        var metrics = ClassificationMetrics()
        let start = DispatchTime.now().uptimeNanoseconds
        for batch in batches {
            let (objective, outputs) = withoutGradients { Trainer.objective(model, batch, loss: loss, training: false) }
            metrics.add(meanLoss: objective.value.scalars[0], logits: outputs, labels: batch.labels)
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return Evaluation(metrics: metrics, seconds: seconds, steps: 0)
    }

    private func forward(_ batch: Batch, training: Bool) -> (Variable, Tensor) {
        Trainer.objective(model, batch, loss: loss, training: training)
    }

    static func objective(_ model: Model, _ batch: Batch, loss: Loss, training: Bool) -> (Variable, Tensor) {
        let x = Variable(batch.inputs)
        switch loss {
        case .softmaxCrossEntropy:
            let logits = model.logits(x, training: training)
            precondition(logits.rank == 2, "Trainer: the model's output \(logits.shape) is not [batch, classes]")
            return (softmaxCrossEntropy(logits: logits, labels: batch.labels), logits.value)
        case .meanSquaredError:
            let output = model(x, training: training)
            let targets = batch.targets ?? oneHot(batch.labels, classes: output.shape.last ?? 1)
            return (meanSquaredError(output, targets), output.value)
        }
    }
}
