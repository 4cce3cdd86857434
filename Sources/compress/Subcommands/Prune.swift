import ArgumentParser
import Compression
import Foundation
import ModelIO
import Pipeline

extension Compress {
    /// `compress prune MODEL -o OUT`: magnitude pruning, AGP or Dynamic Network Surgery.
    struct Prune: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Prune a model: magnitude (Han 2015), gradual AGP (Zhu & Gupta 2017) or Dynamic Network Surgery (Guo 2016).",
            discussion: """
            Values are one number for every chosen layer or per layer by glob, the last match winning: \
            --sparsity 0.9, --sparsity 'conv1=0.34,conv2=0.88,fc*=0.9', --sparsity '0.9,fc3=0.7'. \
            Sparsity is the fraction of weights cut: Han et al.'s kept fractions (LeNet-5: conv1 66%, \
            conv2 12%, fc1 8%, fc2 19%) are --sparsity 'conv1=0.34,conv2=0.88,fc1=0.92,fc2=0.81'. \
            Masks are saved in the model's compression group, so a later prune, quantize or train \
            keeps pruned weights at zero. With --data the test error is measured before and after; \
            training (--retrain, agp, dns) needs --data.

            Examples on MNIST (LeNet-300-100, then LeNet-5):
              compress prune m.h5 -o p.h5 --sparsity fc1=0.92,fc2=0.91,fc3=0.74 --retrain --data mnist
              compress prune m.h5 -o p.h5 --method dns --c-rate fc1=5.5,fc2=5,fc3=2.5 --data mnist
              compress prune m.h5 -o p.h5 --method dns --epochs 15 --data mnist \\
                --c-rate conv1=2,conv2=4.5,fc1=7.5,fc2=3.5
            """)

        @Argument(help: "The model to prune (Keras .h5).") var model: String
        @Option(name: .shortAndLong, help: "Where to save the pruned model (.h5).") var output: String

        @Option(help: "magnitude (one shot or rounds with --retrain), agp (gradual, while training) or dns (surgery, while training).")
        var method: PruningMethod = .magnitude
        @Option(help: "Fraction of weights to cut (1 - kept) in [0, 1), one value or per layer: 'fc1=0.92,fc2=0.91'.")
        var sparsity: String?
        @Option(help: "Magnitude: cut weights below quality x the std of the layer's weights; one value or per layer.")
        var quality: String?
        @Option(name: .customLong("c-rate"), help: "DNS: x = max(mean|w| + c-rate x std|w|, 0), cut below 0.9x, splice above 1.1x; one value or per layer.")
        var cRate: String?
        @Flag(help: "Apply --sparsity to all chosen layers together, with one threshold.")
        var global = false
        @Option(help: "Layers to prune, by name glob: 'fc*', 'conv1,conv2' (default: every layer with weights, or those the values name).")
        var layers: String?
        @Flag(help: "Prune the biases of the chosen layers too.") var pruneBiases = false

        @Flag(help: "Magnitude: retrain after pruning, pruned weights held at zero (agp and dns always train; accepted there).")
        var retrain = false
        @Option(help: "Magnitude with --retrain: prune-and-retrain rounds, the epochs split across them (default \(PruningSettings.defaultRounds)).")
        var rounds: Int?
        @OptionGroup var dataOptions: DataOptions
        @Option(help: "Training epochs in all (default: magnitude \(PruningSettings.defaultEpochs(.magnitude)), agp \(PruningSettings.defaultEpochs(.agp)), dns \(PruningSettings.defaultEpochs(.dns))).")
        var epochs: Int?
        @Option(help: "Optimizer: \(OptimizerKind.allCases.map(\.rawValue).joined(separator: ", ")).")
        var optimizer: OptimizerKind = .nesterov
        @Option(help: "Learning rate (default: 0.4 x the optimizer's default, 0.02 for nesterov; for dns the full default).")
        var lr: Float?
        @Option(help: "Momentum for momentum and nesterov.") var momentum: Float = 0.9
        @Option(help: "L2 weight decay on kernels (decoupled for adamw).") var weightDecay: Float = 5e-4
        @Option(help: "Learning-rate schedule: \(ScheduleKind.allCases.map(\.rawValue).joined(separator: ", ")).")
        var schedule: ScheduleKind = .cosine
        @Option(help: "Minibatch size.") var batchSize: Int = 64
        @Option(help: "Seed for shuffling and the DNS update draws.") var seed: UInt64 = 1

        @Option(help: "AGP: optimizer steps between mask updates (default \(PruningSettings().agpFrequency)).") var frequency: Int?
        @Option(help: "AGP: fraction of the training after which the target sparsity is reached (default \(PruningSettings().agpEndFraction)).")
        var agpEnd: Double?
        @Option(help: "DNS: gamma of the mask-update probability (1 + gamma x iter)^-power (default \(PruningSettings().gamma)).")
        var gamma: Double?
        @Option(help: "DNS: power of the mask-update probability (default \(PruningSettings().power)).") var power: Double?
        @Option(help: "DNS: iteration from which masks stop changing (default: 3/4 of the steps).") var iterStop: Int?
        @Flag(help: "Print the report as JSON.") var json = false

        func validate() throws {
            let settings: PruningSettings
            do {
                settings = try self.settings()
                try settings.validate()
            } catch let error as CompressionError {
                throw ValidationError(error.description)
            }
            if settings.trains { try dataOptions.require(toDo: "train while pruning (--retrain, agp, dns)") }
        }

        /// The settings the options describe; throws a ``CompressionError`` for a value out of range.
        func settings() throws -> PruningSettings {
            var settings = PruningSettings()
            settings.method = method
            settings.sparsity = try sparsity.map { try parsed($0, setting: "--sparsity", valid: (0..<1).contains, range: "in [0, 1)") }
            settings.quality = try quality.map { try parsed($0, setting: "--quality", valid: { $0 > 0 }, range: "positive") }
            settings.cRate = try cRate.map { try parsed($0, setting: "--c-rate", valid: { $0.isFinite }, range: "finite") }
            settings.global = global
            settings.layers = layers.map(LayerSelection.init)
            settings.includeBiases = pruneBiases
            settings.retrain = retrain
            settings.rounds = rounds ?? (retrain && method == .magnitude ? PruningSettings.defaultRounds : 1)
            settings.training.epochs = epochs ?? PruningSettings.defaultEpochs(method)
            settings.training.optimizer = optimizer
            settings.training.learningRate = lr
            settings.training.momentum = momentum
            settings.training.weightDecay = weightDecay
            settings.training.schedule = schedule
            settings.training.batchSize = batchSize
            settings.training.seed = seed
            if let frequency { settings.agpFrequency = frequency }
            if let agpEnd { settings.agpEndFraction = agpEnd }
            if let gamma { settings.gamma = gamma }
            if let power { settings.power = power }
            settings.iterationStop = iterStop
            return settings
        }

        func run() throws {
            let report = try reportingErrors {
                let settings = try settings()
                try checkRunFiles(models: [model], data: dataOptions.data, outputs: [RunFile("the output (-o)", output)])
                let train = settings.trains ? try dataOptions.load(.train, toDo: "train while pruning") : nil
                let test = try dataOptions.loadIfGiven(.test)
                let display = ProgressDisplay()
                return try runPruning(input: model, output: output, settings: settings, train: train, test: test) { event in
                    switch event {
                    case let .stage(stage):
                        var line = String(format: "%@: %.2f%% kept", stage.name, stage.keptPercent)
                        if let error = stage.testError { line += String(format: ", test error %.2f%%", error * 100) }
                        display.finish(line)
                    case let .training(name, epochs, .step(epoch, step, steps, loss, accuracy, rate)):
                        let eta = rate > 0 ? Double((steps - step) * batchSize) / rate : .nan
                        display.update(done: step, total: steps, status: String(
                            format: "%@ epoch %d/%d  loss %.4f  acc %.2f%%  ETA %@",
                            name, epoch + 1, epochs, loss, accuracy * 100, durationText(eta)))
                    case let .training(name, epochs, .epochEnd(epoch, train, test)):
                        var line = String(format: "%@ epoch %d/%d  loss %.4f  acc %.2f%%  %.1fs",
                                          name, epoch + 1, epochs, train.meanLoss, train.top1Accuracy * 100, train.seconds)
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

        private func parsed(_ text: String, setting: String, valid: (Double) -> Bool, range: String) throws -> PerLayerValue {
            let value = try PerLayerValue(parsing: text, setting: setting)
            if let bad = value.entries.first(where: { !valid($0.value) }) {
                let subject = bad.pattern.map { "\(setting) for '\($0)'" } ?? setting
                throw CompressionError("\(subject) must be \(range), got \(bad.value)")
            }
            return value
        }
    }
}

extension PruningMethod: ExpressibleByArgument {}
