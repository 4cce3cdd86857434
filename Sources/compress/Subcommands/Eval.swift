import ArgumentParser
import Foundation
import ModelIO
import NN
import Pipeline

extension Compress {
    /// `compress eval MODEL`: accuracy, loss and speed of a model on a test set.
    struct Eval: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Evaluate a model on the test split of a data set: top-1, top-5, loss, images/s.")

        @Argument(help: "A model file (Keras .h5).") var model: String
        @OptionGroup var dataOptions: DataOptions
        @Option(help: "Images per inference batch.") var batchSize: Int = 1000
        @Flag(help: "Print JSON instead of text.") var json = false
        @Option(help: "Also write every image's logits to this file, raw little-endian float32 (to compare another runtime with).")
        var logits: String?

        func validate() throws {
            if batchSize <= 0 { throw ValidationError("--batch-size must be positive") }
            try dataOptions.require(toDo: "evaluate a model")
        }

        func run() throws {
            let evaluation = try reportingErrors {
                try checkRunFiles(models: [model], data: dataOptions.data)
                let network = try loadModel(path: model)
                let test = try dataOptions.load(.test, toDo: "evaluate a model")
                try checkModelFitsData(network, test)
                if let logits { try writeModelLogits(network, on: test, batchSize: batchSize, to: logits) }
                return evaluateModel(network, on: test, batchSize: batchSize)
            }
            let data = dataOptions.data ?? ""
            let report = EvaluationReport(model: model, data: data, evaluation)
            if json {
                try printJSON(report)
            } else {
                print(String(format: "%@ on %@ (%d images): top-1 %.2f%% (error %.2f%%), top-5 %.2f%%, loss %.4f, %@ images/s",
                             model, data, report.images, report.top1 * 100, (1 - report.top1) * 100,
                             report.top5 * 100, report.loss, groupedDigits(Int(report.imagesPerSecond))))
            }
        }
    }
}
