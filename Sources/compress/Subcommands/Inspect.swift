import ArgumentParser
import Foundation
import ModelIO
import Pipeline

extension Compress {
    /// `compress inspect FILE`: the structure of an HDF5 file, and the layers of a Keras model.
    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the groups and datasets of an HDF5 file, and the layers of a Keras model.")

        @Argument(help: "An HDF5 file: a Keras .h5 model or any other.")
        var file: String

        @Flag(help: "Print JSON instead of text.")
        var json = false

        @Flag(help: "Also list every group and dataset of a Keras model file.")
        var tree = false

        func run() throws {
            let inspection = try reportingErrors {
                try checkRunFiles(models: [file])
                return try FileInspection(path: file)
            }
            if json {
                try printJSON(inspection)
            } else {
                print(inspectionText(inspection, showTree: tree))
            }
        }
    }
}
