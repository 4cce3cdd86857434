import Foundation
import TensorCore

/// The mean softmax cross-entropy of `logits` `[n, classes]` against integer class `labels`.
///
/// Fused and numerically stable: the log-sum-exp subtracts each row's maximum, and the
/// gradient is `(softmax(logits) - onehot(labels)) / n`.
///
/// ```swift
/// let loss = softmaxCrossEntropy(logits: model.logits(Variable(x), training: true), labels: y)
/// loss.backward()
/// ```
public func softmaxCrossEntropy(logits: Variable, labels: [Int32]) -> Variable {
    precondition(logits.rank == 2, "softmaxCrossEntropy: logits must be [n, classes], got \(logits.shape)")
    let n = logits.shape[0], classes = logits.shape[1]
    precondition(labels.count == n, "softmaxCrossEntropy: \(labels.count) labels for \(n) rows")
    precondition(labels.allSatisfy { $0 >= 0 && Int($0) < classes }, "softmaxCrossEntropy: a label is outside 0..<\(classes)")
    var total: Double = 0
    let probabilities = makeTensor(shape: logits.shape) { p in
        logits.value.withScalarPointer { x in
            for r in 0..<n {
                let row = x + r * classes, out = p + r * classes
                var m = -Float.infinity
                for j in 0..<classes { m = Swift.max(m, row[j]) }
                var sum: Float = 0
                for j in 0..<classes {
                    let e = Foundation.exp(row[j] - m)
                    out[j] = e
                    sum += e
                }
                let logSum = Foundation.log(sum)
                total += Double(logSum + m - row[Int(labels[r])])
                let inverse = 1 / sum
                for j in 0..<classes { out[j] *= inverse }
            }
        }
    }
    let loss = Tensor(Float(total / Double(Swift.max(n, 1))))
    return Variable.record(loss, parents: [logits]) { gradient in
        let scale = gradient.scalars[0] / Float(Swift.max(n, 1))
        logits.accumulateGradient { d, add in
            probabilities.withScalarPointer { p in
                for r in 0..<n {
                    for j in 0..<classes {
                        let t = r * classes + j
                        let v = (p[t] - (j == Int(labels[r]) ? 1 : 0)) * scale
                        d[t] = add ? d[t] + v : v
                    }
                }
            }
        }
    }
}

/// The mean of `(predictions - targets)²` over all elements (Keras' `mean_squared_error`).
public func meanSquaredError(_ predictions: Variable, _ targets: Tensor) -> Variable {
    precondition(predictions.shape == targets.shape, "meanSquaredError: shapes \(predictions.shape) and \(targets.shape) differ")
    let count = predictions.value.count
    var total: Double = 0
    predictions.value.withScalarPointer { p in targets.withScalarPointer { t in
        for i in 0..<count { let d = Double(p[i] - t[i]); total += d * d }
    } }
    let loss = Tensor(Float(total / Double(Swift.max(count, 1))))
    let values = predictions.value
    return Variable.record(loss, parents: [predictions]) { gradient in
        let scale = 2 * gradient.scalars[0] / Float(Swift.max(count, 1))
        predictions.accumulateGradient { d, add in
            values.withScalarPointer { p in targets.withScalarPointer { t in
                for i in 0..<count {
                    let v = (p[i] - t[i]) * scale
                    d[i] = add ? d[i] + v : v
                }
            } }
        }
    }
}

/// The one-hot encoding of class labels: `[labels.count, classes]`.
public func oneHot(_ labels: [Int32], classes: Int) -> Tensor {
    var values = [Float](repeating: 0, count: labels.count * classes)
    for (i, label) in labels.enumerated() {
        precondition(label >= 0 && Int(label) < classes, "oneHot: label \(label) outside 0..<\(classes)")
        values[i * classes + Int(label)] = 1
    }
    return Tensor(shape: [labels.count, classes], scalars: values)
}

/// The training objective.
public enum Loss: String, Sendable, CaseIterable {
    /// Softmax cross-entropy on the model's logits (a final softmax is skipped).
    case softmaxCrossEntropy
    /// Mean squared error of the model's full output against one-hot labels (or `Batch.targets`).
    case meanSquaredError
}

// MARK: - Metrics

/// How many rows of `logits` `[n, classes]` have their label among the `k` largest entries.
///
/// A label counts when fewer than `k` entries rank before it. Ties rank by class index, as
/// `argmax` in NumPy and PyTorch picks the first largest entry, so a model whose outputs are all
/// equal (collapsed, or pruned to nothing) scores what always answering class 0 scores, not 100%.
/// A NaN ranks before every number, and a label scored NaN never counts.
public func topKCorrect(logits: Tensor, labels: [Int32], k: Int) -> Int {
    precondition(logits.rank == 2 && logits.shape[0] == labels.count, "topKCorrect: logits \(logits.shape) for \(labels.count) labels")
    let classes = logits.shape[1]
    var correct = 0
    logits.withScalarPointer { x in
        for r in 0..<labels.count {
            let row = x + r * classes
            let label = Int(labels[r])
            let target = row[label]
            guard !target.isNaN else { continue }
            var before = 0
            for j in 0..<classes where row[j] > target || row[j].isNaN || (row[j] == target && j < label) { before += 1 }
            if before < k { correct += 1 }
        }
    }
    return correct
}

/// Running classification metrics: mean loss, top-1 and top-5 accuracy.
public struct ClassificationMetrics: Sendable, Equatable {
    public private(set) var count = 0
    public private(set) var lossSum: Double = 0
    public private(set) var top1Correct = 0
    public private(set) var top5Correct = 0

    public init() {}

    /// Adds one batch: its mean loss and its logits (or probabilities: the ranking is the same).
    public mutating func add(meanLoss: Float, logits: Tensor, labels: [Int32]) {
        count += labels.count
        lossSum += Double(meanLoss) * Double(labels.count)
        top1Correct += topKCorrect(logits: logits, labels: labels, k: 1)
        top5Correct += topKCorrect(logits: logits, labels: labels, k: 5)
    }

    /// The mean loss per example.
    public var meanLoss: Double { count == 0 ? 0 : lossSum / Double(count) }
    /// The fraction of examples whose label scored highest.
    public var top1Accuracy: Double { count == 0 ? 0 : Double(top1Correct) / Double(count) }
    /// The fraction of examples whose label is among the five highest scores.
    public var top5Accuracy: Double { count == 0 ? 0 : Double(top5Correct) / Double(count) }
    /// `1 - top1Accuracy`.
    public var top1Error: Double { 1 - top1Accuracy }
}
