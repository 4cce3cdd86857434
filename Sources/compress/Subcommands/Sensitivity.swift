import ArgumentParser
import Compression
import Foundation
import ModelIO
import Pipeline

extension Compress {
    /// `compress sensitivity MODEL`: accuracy with each layer pruned alone at several sparsities.
    struct Sensitivity: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Accuracy with each layer pruned alone at several sparsities (Han et al. 2015 Fig. 5).",
            discussion: "Prints a table (or JSON with --json) and draws the curves as SVG with --plot.")

        @Argument(help: "A model file.") var model: String
        @OptionGroup var dataOptions: DataOptions
        @Option(help: "The layers to analyse, by name glob: conv*,fc1 (default: every layer with a kernel).") var layers: String?
        @Option(help: "Sparsities to prune each layer to, comma-separated fractions or percentages.")
        var sparsities = "0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,0.95"
        @Option(help: "Evaluate on the first N test images only (default: all).") var limit: Int?
        @Option(help: "Images per inference batch.") var batchSize: Int = 1000
        @Option(help: "Write the curves as an SVG chart to this file.") var plot: String?
        @Flag(help: "Print JSON instead of the table.") var json = false

        func validate() throws {
            if let limit, limit <= 0 { throw ValidationError("--limit must be positive") }
            if batchSize <= 0 { throw ValidationError("--batch-size must be positive") }
            _ = try parsedSparsities()
            try dataOptions.require(toDo: "measure sensitivity")
        }

        func run() throws {
            var settings = SensitivitySettings()
            settings.layers = layers.map(LayerSelection.init)
            settings.sparsities = try parsedSparsities()
            settings.batchSize = batchSize
            let analysis = try reportingErrors {
                try checkRunFiles(models: [model], data: dataOptions.data,
                                  outputs: plot.map { [RunFile("the chart (--plot)", $0)] } ?? [])
                let network = try loadModel(path: model)
                var test = try dataOptions.load(.test, toDo: "measure sensitivity")
                if let limit { test = test.prefix(limit) }
                let display = ProgressDisplay()
                var analysis = try analyzeSensitivity(network, on: test, settings: settings) { event in
                    switch event {
                    case let .evaluated(layer, sparsity, top1, done, total):
                        display.update(done: done, total: total, status: String(format: "%@ at %.0f%%: top-1 %.2f%%", layer, sparsity * 100, top1 * 100))
                    case let .layerFinished(layer):
                        let worst = layer.points.map(\.top1).min() ?? 0
                        display.finish(String(format: "%@: %d sparsities, lowest top-1 %.2f%%", layer.layer, layer.points.count, worst * 100))
                    }
                }
                analysis.model = model
                analysis.data = dataOptions.data
                if let plot { try writeText(analysis.chart.svg(), to: plot, protecting: [model]) }
                return analysis
            }
            if json {
                try printJSON(analysis)
            } else {
                print(analysis.text)
            }
            if let plot, !json { print("wrote \(plot)") }
        }

        private func parsedSparsities() throws -> [Double] {
            do {
                let values = try sparsities.split(separator: ",").map { try parseFraction(String($0), setting: "--sparsities") }
                guard !values.isEmpty else { throw ValidationError("--sparsities is empty") }
                if let bad = values.first(where: { !(0..<1).contains($0) }) {
                    throw ValidationError("--sparsities: \(bad) is outside [0, 1); give fractions like 0.9 or percentages like 90%")
                }
                return values
            } catch let error as CheckUsageError {
                throw ValidationError(error.description)
            }
        }
    }
}
