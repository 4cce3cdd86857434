import ArgumentParser
import Foundation
import ModelIO
import Pipeline

extension Compress {
    /// `compress report MODEL`: per-layer sizes, sparsity, bits and accuracy of a model file.
    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Report a model file layer by layer: parameters, non-zeros, bits, index bits, codebooks, bytes, accuracy.",
            discussion: """
                Works on Keras .h5 models and compressed .dcz files. Bytes are those of the compressed \
                format: the file's own for .dcz, what compress huffman would write for .h5. With --data \
                the top-1 and top-5 accuracy are measured (and the baseline's, with --baseline); with \
                --plots a weight histogram per layer is drawn as SVG, shared values marked.
                """)

        @Argument(help: "A model file: Keras .h5 or compressed .dcz.") var model: String
        @Option(help: "The original model to compare with (size, parameters, accuracy).") var baseline: String?
        @OptionGroup var dataOptions: DataOptions
        @Option(help: "Evaluate on the first N test images only.") var limit: Int?
        @Option(help: "text, markdown or json.") var format: ReportFormat = .text
        @Option(help: "Write a weight histogram per layer (SVG) into this folder.") var plots: String?

        func validate() throws {
            if let limit, limit <= 0 { throw ValidationError("--limit must be positive") }
            if limit != nil && dataOptions.data == nil { throw ValidationError("--limit applies with --data") }
        }

        func run() throws {
            let report = try reportingErrors {
                try checkRunFiles(models: [model] + (baseline.map { [$0] } ?? []), data: dataOptions.data,
                                  outputFolders: plots.map { [RunFile("the plots folder (--plots)", $0)] } ?? [])
                var test = try dataOptions.loadIfGiven(.test)
                if let limit { test = test?.prefix(limit) }
                let (report, network) = try makeModelReport(path: model, baseline: baseline, test: test, data: dataOptions.data)
                if let plots {
                    try FileManager.default.createDirectory(atPath: plots, withIntermediateDirectories: true)
                    for histogram in WeightHistogram.kernels(of: network) {
                        try writeText(histogram.svg(), to: URL(fileURLWithPath: plots).appendingPathComponent(histogram.fileName).path,
                                      protecting: [model] + (baseline.map { [$0] } ?? []))
                    }
                }
                return report
            }
            switch format {
            case .text: print(report.text)
            case .markdown: print(report.markdown)
            case .json: try printJSON(report)
            }
        }
    }
}

extension ReportFormat: ExpressibleByArgument {}
