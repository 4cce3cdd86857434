import ArgumentParser
import Foundation
import ModelIO
import NN
import Pipeline

extension Compress {
    /// `compress decompress MODEL.dcz -o MODEL.h5`: back to a Keras-loadable model.
    struct Decompress: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Decode a .dcz compressed model into a Keras .h5 with the same weights.",
            discussion: """
                The .h5 holds the weights the .dcz was encoded from, bit for bit (pruned weights as +0.0),
                with masks, codebooks and int8/FP16 state in its compression group, so it can be
                pruned, quantized or trained further.
                """)

        @Argument(help: "A compressed model file (.dcz).") var model: String
        @Option(name: .shortAndLong, help: "Where to write the Keras model (.h5).") var output: String
        @Flag(help: "Print the report as JSON.") var json = false

        func run() throws {
            let report = try reportingErrors {
                try checkRunFiles(models: [model], outputs: [RunFile("the output (-o)", output)])
                return try decompressModelFile(input: model, output: output)
            }
            if json {
                try printJSON(report)
            } else {
                print("wrote \(output): model '\(report.name.escapingControlCharacters)', \(groupedDigits(report.parameterCount)) parameters, "
                      + "\(groupedDigits(report.outputBytes)) bytes (from \(groupedDigits(report.inputBytes)) bytes)")
            }
        }
    }
}
