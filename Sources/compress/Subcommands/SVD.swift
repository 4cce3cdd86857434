import ArgumentParser
import Compression
import Foundation
import ModelIO
import Pipeline
import TensorCore

extension Compress {
    /// `compress svd MODEL -o OUT`: Dense layers become two thinner Dense layers (truncated SVD).
    struct SVD: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "svd",
            abstract: "Factorize Dense layers by truncated SVD (Denton et al. 2014): W ≈ U_t S_t V_tᵀ becomes two Dense layers.",
            discussion: """
            A Dense layer NAME (m inputs, k units) becomes NAME_u (m -> t, kernel U_t S_t^½, no bias) \
            and NAME (t -> k, kernel S_t^½ V_tᵀ, the original bias and activation); the result is a plain \
            Keras model. Give the rank as --rank t, as the fraction of spectral energy Σσ² to keep \
            (--energy), or as a parameter compression ratio (--ratio, the largest t with \
            t(m + k) + k <= (mk + k) / ratio: the layer's parameters, bias included, shrink at least \
            ratio-fold). Layers where factorizing saves nothing (t(m + k) >= mk) are left \
            alone and reported. Large layers at small rank use the randomized SVD (Halko et al. 2011), \
            others LAPACK sgesdd. With --data the test accuracy is measured before and after.

            Examples:
              compress svd lenet300.h5 -o svd.h5 --ratio 4 --layers fc1,fc2 --retrain --data mnist
              compress svd vgg.h5 -o vgg-svd.h5 --rank 256 --layers 'fc6'
            """)

        @Argument(help: "The model to factorize (Keras .h5).") var model: String
        @Option(name: .shortAndLong, help: "Where to save the factorized model (.h5).") var output: String

        @Option(help: "The rank t of every chosen layer.") var rank: Int?
        @Option(help: "Per layer, the smallest rank keeping this fraction of Σσ², in (0, 1].") var energy: Double?
        @Option(help: "Per layer, the largest rank with t(m + k) + k <= (mk + k) / ratio (at least 1).") var ratio: Double?
        @Option(help: "Layers to factorize, by name glob: 'dense*', 'fc1,fc2' (default: every Dense layer).")
        var layers: String?
        @Option(help: "SVD: auto (randomized for large layers at small rank), full (sgesdd) or randomized.")
        var method: SVDMethod = .automatic
        @Option(help: "Randomized SVD: extra sketch columns.") var oversampling: Int = SingularValueDecomposition.defaultOversampling
        @Option(help: "Randomized SVD: power iterations.") var powerIterations: Int = SingularValueDecomposition.defaultPowerIterations

        @OptionGroup var fineTuning: FineTuningOptions

        func validate() throws {
            let given = [rank != nil, energy != nil, ratio != nil].filter { $0 }.count
            guard given == 1 else { throw ValidationError("give exactly one of --rank, --energy and --ratio") }
            try fineTuning.validate()
            try fineTuning.validate(fineTuning.settings(for: .svd(svdSettings()), layers: layers))
        }

        private func svdSettings() -> DenseSVDSettings {
            let rule: SVDRank = rank.map(SVDRank.rank) ?? energy.map(SVDRank.energy) ?? .ratio(ratio ?? 1)
            return DenseSVDSettings(rank: rule, method: method, oversampling: oversampling,
                                    powerIterations: powerIterations, seed: fineTuning.seed)
        }

        func run() throws {
            try fineTuning.run(model: model, output: output, settings: fineTuning.settings(for: .svd(svdSettings()), layers: layers))
        }
    }
}

/// The options `compress svd` and `compress flatten` share: data, fine-tuning, seed, output format.
struct FineTuningOptions: ParsableArguments {
    @Flag(help: "Fine-tune the factorized model on the training data.") var retrain = false
    @OptionGroup var dataOptions: DataOptions
    @Option(help: "Fine-tuning epochs (default \(LowRankSettings.defaultEpochs)).") var epochs: Int?
    @Option(help: "Optimizer: \(OptimizerKind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var optimizer: OptimizerKind = .nesterov
    @Option(help: "Learning rate (default: a tenth of the optimizer's default).") var lr: Float?
    @Option(help: "Momentum for momentum and nesterov.") var momentum: Float = 0.9
    @Option(help: "L2 weight decay on kernels (decoupled for adamw).") var weightDecay: Float = 5e-4
    @Option(help: "Learning-rate schedule: \(ScheduleKind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var schedule: ScheduleKind = .cosine
    @Option(help: "Minibatch size.") var batchSize: Int = 64
    @Option(help: "Seed for the factorization's random draws and for shuffling.") var seed: UInt64 = 1
    @Flag(help: "Print the report as JSON.") var json = false

    func validate() throws {
        if !retrain, epochs != nil || lr != nil {
            throw ValidationError("--epochs and --lr set the fine-tuning; add --retrain")
        }
        if retrain { try dataOptions.require(toDo: "fine-tune (--retrain)") }
    }

    /// Turns a setting out of range into a usage error.
    func validate(_ settings: LowRankSettings) throws {
        do {
            try settings.validate()
        } catch let error as CompressionError {
            throw ValidationError(error.description)
        } catch let error as TrainingError {
            throw ValidationError(error.description)
        }
    }

    /// The run's settings for `pass` on the layers matching `layers` (all it applies to when nil).
    func settings(for pass: LowRankPass, layers: String?) -> LowRankSettings {
        var settings = LowRankSettings(pass: pass, layers: layers.map(LayerSelection.init), retrain: retrain)
        settings.training.epochs = epochs ?? LowRankSettings.defaultEpochs
        settings.training.optimizer = optimizer
        settings.training.learningRate = lr ?? optimizer.defaultLearningRate / 10
        settings.training.momentum = momentum
        settings.training.weightDecay = weightDecay
        settings.training.schedule = schedule
        settings.training.batchSize = batchSize
        settings.training.seed = seed
        return settings
    }

    /// Loads the data, runs the pass, shows progress on stderr and prints the report.
    func run(model: String, output: String, settings: LowRankSettings) throws {
        let report = try reportingErrors {
            try checkRunFiles(models: [model], data: dataOptions.data, outputs: [RunFile("the output (-o)", output)])
            let train = retrain ? try dataOptions.load(.train, toDo: "fine-tune (--retrain)") : nil
            let test = try dataOptions.loadIfGiven(.test)
            let display = ProgressDisplay()
            return try runLowRank(input: model, output: output, settings: settings, train: train, test: test) { event in
                switch event {
                case let .stage(name, accuracy?):
                    display.finish(String(format: "%@: test accuracy %.2f%% (error %.2f%%)", name, accuracy * 100, (1 - accuracy) * 100))
                case .stage:
                    break
                case let .training(epochs, .step(epoch, step, steps, loss, accuracy, rate)):
                    let eta = rate > 0 ? Double((steps - step) * batchSize) / rate : .nan
                    display.update(done: step, total: steps, status: String(
                        format: "retraining epoch %d/%d  loss %.4f  acc %.2f%%  ETA %@",
                        epoch + 1, epochs, loss, accuracy * 100, durationText(eta)))
                case let .training(epochs, .epochEnd(epoch, train, test)):
                    var line = String(format: "retraining epoch %d/%d  loss %.4f  acc %.2f%%  %.1fs",
                                      epoch + 1, epochs, train.meanLoss, train.top1Accuracy * 100, train.seconds)
                    if let test { line += String(format: "  test error %.2f%%", test.top1Error * 100) }
                    display.finish(line)
                }
            }
        }
        if json {
            try printJSON(report)
        } else {
            print(report.text)
            print("saved \(output)")
        }
    }
}

extension SVDMethod: ExpressibleByArgument {}
