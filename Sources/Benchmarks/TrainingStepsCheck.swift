import Foundation
import ModelIO
import NN
import Pipeline

/// `bench train-steps`: trains a model from its saved initial weights on the training split, in
/// file order or in `compress train`'s shuffled order for `--seed` (written to `--order-out` as
/// little-endian int32 indices), with `compress train`'s default optimizer, schedule and weight
/// decay, and prints the loss of every step: the engine's side of Scripts/check-training-parity.sh.
struct TrainingStepsCheck {
    let model: String
    let data: String
    let batchSize: Int
    let steps: Int
    let epochs: Int
    let seed: UInt64?
    let orderOutput: String?

    init(options: Options) throws(UsageError) {
        guard let model = options.string("model") else { throw UsageError("train-steps needs --model (a Keras .h5)") }
        self.model = model
        data = options.string("data") ?? "mnist"
        batchSize = try options.positiveInteger("batch-size", default: 64)
        steps = try options.positiveInteger("steps", default: 200)
        epochs = try options.positiveInteger("epochs", default: 1)
        seed = try options.string("seed").map { text throws(UsageError) in
            guard let value = UInt64(text) else { throw UsageError("--seed needs a non-negative integer, got '\(text)'") }
            return value
        }
        orderOutput = options.string("order-out")
    }

    func run() throws {
        let network = try loadModel(path: model)
        let train = try DataSource(argument: data).load(split: .train)
        var settings = TrainingSettings()
        settings.batchSize = batchSize
        settings.epochs = epochs
        let stepsPerEpoch = (train.count + batchSize - 1) / batchSize
        let trainer = Trainer(model: network, optimizer: settings.makeOptimizer(totalSteps: stepsPerEpoch * epochs))
        print("# \(settings.optimizer.rawValue) lr \(settings.effectiveLearningRate), \(settings.schedule.rawValue) over \(stepsPerEpoch * epochs) steps, batch \(batchSize), weight decay \(settings.weightDecay); \(SystemReport.blasLine)")
        if let seed, let orderOutput {
            let order = Minibatches.permutation(count: train.count, seed: seed, epoch: 0).map { Int32($0).littleEndian }
            try order.withUnsafeBytes { Data($0) }.write(to: URL(fileURLWithPath: orderOutput))
        }
        var step = 0
        for batch in Minibatches(train, batchSize: batchSize, seed: seed) where step < steps {
            let (loss, _) = trainer.trainStep(batch)
            step += 1
            print("step \(step) loss \(loss)")
            guard loss.isFinite else { break }
        }
    }
}
