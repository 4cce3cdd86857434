import ArgumentParser
import Foundation
import ModelIO
import NN
import Pipeline

extension Compress {
    /// `compress train`: trains a model with the built-in engine and saves it as a Keras `.h5`.
    struct Train: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train a model on a data set and save it as a Keras .h5 file.")

        @Option(help: "lenet300, lenet5, an architecture text file, or a Keras .h5 model to train further.")
        var arch: String = "lenet300"

        @OptionGroup var dataOptions: DataOptions

        @Option(help: "Epochs.") var epochs: Int = 20
        @Option(help: "Optimizer: \(OptimizerKind.allCases.map(\.rawValue).joined(separator: ", ")).")
        var optimizer: OptimizerKind = .nesterov
        @Option(help: "Learning rate (default: 0.05 for momentum and nesterov, 0.1 sgd, 0.01 adagrad, 0.001 rmsprop, adam, adamw).")
        var lr: Float?
        @Option(help: "Momentum for momentum and nesterov.") var momentum: Float = 0.9
        @Option(help: "L2 weight decay on kernels (decoupled for adamw).") var weightDecay: Float = 5e-4
        @Option(help: "Learning-rate schedule: \(ScheduleKind.allCases.map(\.rawValue).joined(separator: ", ")).")
        var schedule: ScheduleKind = .cosine
        @Option(help: "Linear warm-up steps.") var warmup: Int = 0
        @Option(help: "Clip the global gradient norm.") var clipNorm: Float?
        @Option(help: "Minibatch size.") var batchSize: Int = 64
        @Option(help: "Seed for initialisation, shuffling and dropout.") var seed: UInt64 = 1
        @Option(name: .shortAndLong, help: "Where to save the trained model (.h5).") var output: String?

        func validate() throws {
            if epochs < 0 { throw ValidationError("--epochs must be at least 0") }
            if batchSize <= 0 { throw ValidationError("--batch-size must be positive") }
            if let lr, !(lr > 0) { throw ValidationError("--lr must be positive") }
            try dataOptions.require(toDo: "train")
        }

        func run() throws {
            var settings = TrainingSettings()
            settings.epochs = epochs
            settings.batchSize = batchSize
            settings.optimizer = optimizer
            settings.learningRate = lr
            settings.momentum = momentum
            settings.weightDecay = weightDecay
            settings.schedule = schedule
            settings.warmupSteps = warmup
            settings.gradientClipNorm = clipNorm
            settings.seed = seed
            try reportingErrors {
                try settings.validate()
                try checkRunFiles(data: dataOptions.data,
                                  inputs: Architecture.named(arch) == nil ? [RunFile("the architecture (--arch)", arch)] : [],
                                  outputs: output.map { [RunFile("the output (-o)", $0)] } ?? [])
                let model = try modelForArchitectureArgument(arch, seed: seed)
                let train = try dataOptions.load(.train, toDo: "train")
                let test = try dataOptions.load(.test, toDo: "train")
                print("model \(arch): \(groupedDigits(model.parameterCount)) parameters; data \(dataOptions.data ?? ""): \(train.count) training, \(test.count) test examples")
                print("\(optimizer.rawValue) lr \(settings.effectiveLearningRate), \(schedule.rawValue) schedule, batch \(batchSize), weight decay \(weightDecay), seed \(seed)")
                print(SystemReport.blasLine)
                let display = ProgressDisplay()
                let start = Date()
                let result = try trainModel(model, train: train, test: test, settings: settings) { event in
                    switch event {
                    case let .step(epoch, step, steps, loss, accuracy, rate):
                        let eta = rate > 0 ? Double((steps - step) * batchSize) / rate : .nan
                        display.update(done: step, total: steps, status: String(
                            format: "epoch %d/%d  loss %.4f  acc %.2f%%  %@ img/s  ETA %@",
                            epoch + 1, epochs, loss, accuracy * 100, groupedDigits(Int(rate)), durationText(eta)))
                    case let .epochEnd(epoch, train, test):
                        var line = String(format: "epoch %d/%d  loss %.4f  acc %.2f%%  %@ img/s  %.1fs",
                                          epoch + 1, epochs, train.meanLoss, train.top1Accuracy * 100,
                                          groupedDigits(Int(train.imagesPerSecond)), train.seconds)
                        if let test {
                            line += String(format: "  test loss %.4f  acc %.2f%%  error %.2f%%", test.meanLoss, test.top1Accuracy * 100, test.top1Error * 100)
                        }
                        display.finish(line)
                    }
                }
                let final = result.finalTest ?? evaluateModel(model, on: test)
                print(String(format: "test accuracy %.2f%% (error %.2f%%), top-5 %.2f%%, loss %.4f, after %d epochs in %@",
                             final.top1Accuracy * 100, final.top1Error * 100, final.top5Accuracy * 100, final.meanLoss,
                             epochs, durationText(Date().timeIntervalSince(start))))
                if let output {
                    try saveKerasModel(model, to: output, protecting: [arch])
                    print("saved \(output)")
                }
            }
        }
    }
}

extension OptimizerKind: ExpressibleByArgument {}
extension ScheduleKind: ExpressibleByArgument {}
