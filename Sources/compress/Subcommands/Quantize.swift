import ArgumentParser
import Compression
import Foundation
import ModelIO
import Pipeline

extension Compress {
    /// `compress quantize MODEL -o OUT --method kmeans|int8|fp16`: k-means weight sharing (with
    /// optional fine-tuning), int8 or FP16, with a per-layer report and test accuracy before and after.
    struct Quantize: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Quantize a model: k-means weight sharing, int8 or FP16.",
            discussion: """
                kmeans shares 2^bits values per layer kernel (only the kept weights of a pruned layer; \
                its zeros stay) and can fine-tune the shared values with --retrain. int8 stores codes and \
                scales per tensor or per output channel; fp16 rounds every parameter to half precision. \
                The output is a Keras .h5 holding the dequantized weights; codebooks, codes and scales go \
                in its compression group. With --data its test split measures accuracy before and after \
                (--retrain needs --data); without it no accuracy is measured.

                Examples:
                  compress quantize pruned300.h5 -o q300.h5 --method kmeans --bits 6 --retrain --data mnist
                  compress quantize pruned5.h5 -o q5.h5 --method kmeans --bits 'conv*=8,fc*=5' --retrain --data mnist
                  compress quantize lenet5.h5 -o lenet5-int8.h5 --method int8 --per-channel
                """)

        @Argument(help: "The model to quantize (Keras .h5).") var model: String
        @Option(name: .shortAndLong, help: "Where to save the quantized model (.h5).") var output: String
        @Option(help: "kmeans, int8 or fp16.") var method: QuantizationMethod

        @Option(help: "kmeans: bits per layer, as 5, 'conv*=8,fc*=5' or '5,conv*=8' (default 5); the last matching glob wins.")
        var bits: String?
        @Option(name: .customLong("init"), help: "kmeans: centroid initialisation: linear (default), density, random, kmeans++.")
        var initialization: CentroidInitialization?
        @Flag(help: "int8: one scale per output channel instead of one per tensor.") var perChannel = false
        @Flag(help: "int8: symmetric (the default; scale = max|w| / 127) or asymmetric (scale and zero point).")
        var symmetry: Int8Symmetry?

        @Flag(help: "kmeans: fine-tune the shared values on the training split.") var retrain = false
        @OptionGroup var dataOptions: DataOptions
        @Option(help: "Fine-tuning epochs (default \(QuantizationSettings.defaultFineTuning.epochs)).") var epochs: Int?
        @Option(help: "Fine-tuning learning rate, SGD with Nesterov momentum and cosine decay (default \(QuantizationSettings.defaultFineTuning.effectiveLearningRate)).")
        var lr: Float?
        @Option(help: "Fine-tuning minibatch size (default \(QuantizationSettings.defaultFineTuning.batchSize)).") var batchSize: Int?
        @Option(help: "Seed for random and kmeans++ initialisation and fine-tuning.") var seed: UInt64 = 1
        @Flag(help: "Print the report as JSON.") var json = false

        func validate() throws {
            if method != .kmeans {
                if bits != nil { throw ValidationError("--bits applies to --method kmeans only") }
                if initialization != nil { throw ValidationError("--init applies to --method kmeans only") }
                if retrain { throw ValidationError("--retrain applies to --method kmeans only; \(method.rawValue) is post-training") }
            }
            if method != .int8 {
                if perChannel { throw ValidationError("--per-channel applies to --method int8 only") }
                if let symmetry { throw ValidationError("--\(symmetry.rawValue) applies to --method int8 only") }
            }
            if !retrain && (epochs != nil || lr != nil || batchSize != nil) {
                throw ValidationError("--epochs, --lr and --batch-size apply with --retrain only")
            }
            if let bits {
                do { _ = try BitWidths(parsing: bits) } catch let error as CompressionError {
                    throw ValidationError("--bits: \(error.description)")
                }
            }
            if let epochs, epochs < 0 { throw ValidationError("--epochs must be at least 0") }
            if let lr, !(lr > 0 && lr.isFinite) { throw ValidationError("--lr must be positive") }
            if let batchSize, batchSize <= 0 { throw ValidationError("--batch-size must be positive") }
            if retrain { try dataOptions.require(toDo: "fine-tune (--retrain)") }
        }

        func run() throws {
            var settings = QuantizationSettings(method: method)
            if let bits { settings.bitWidths = try BitWidths(parsing: bits) }
            settings.initialization = initialization ?? .linear
            settings.seed = seed
            settings.perChannel = perChannel
            settings.symmetric = (symmetry ?? .symmetric) == .symmetric
            if retrain {
                var training = QuantizationSettings.defaultFineTuning
                training.epochs = epochs ?? training.epochs
                training.learningRate = lr ?? training.learningRate
                training.batchSize = batchSize ?? training.batchSize
                training.seed = seed
                settings.retraining = training
            }
            let outcome = try reportingErrors {
                try checkRunFiles(models: [model], data: dataOptions.data, outputs: [RunFile("the output (-o)", output)])
                let network = try loadModel(path: model)
                let test = try dataOptions.loadIfGiven(.test)
                let train = retrain ? try dataOptions.load(.train, toDo: "fine-tune (--retrain)") : nil
                let display = ProgressDisplay()
                let epochCount = settings.retraining?.epochs ?? 0
                let outcome = try quantizeModel(network, settings: settings, train: train, test: test) { event in
                    switch event {
                    case let .step(epoch, step, steps, loss, accuracy, _):
                        display.update(done: step, total: steps, status: String(
                            format: "fine-tuning epoch %d/%d  loss %.4f  acc %.2f%%", epoch + 1, epochCount, loss, accuracy * 100))
                    case let .epochEnd(epoch, train, test):
                        var line = String(format: "fine-tuning epoch %d/%d  loss %.4f  acc %.2f%%  %.1fs",
                                          epoch + 1, epochCount, train.meanLoss, train.top1Accuracy * 100, train.seconds)
                        if let test { line += String(format: "  test error %.2f%%", test.top1Error * 100) }
                        display.finish(line)
                    }
                }
                try saveKerasModel(network, to: output, protecting: [model], compressionState: outcome.state)
                return outcome
            }
            if json {
                try printJSON(outcome.report)
            } else {
                print(outcome.report.text)
                print("saved \(output)")
            }
        }
    }
}

/// `--symmetric` or `--asymmetric` int8.
enum Int8Symmetry: String, EnumerableFlag {
    case symmetric, asymmetric
}

extension QuantizationMethod: ExpressibleByArgument {}
extension CentroidInitialization: ExpressibleByArgument {}
