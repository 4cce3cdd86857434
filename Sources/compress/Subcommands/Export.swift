import ArgumentParser
import Foundation
import Pipeline

extension Compress {
    /// `compress export MODEL.dcz --c DIR`: the model and the C runtime, ready for a firmware.
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Export a .dcz model as C: the file as an array, the C99 runtime that runs it, an example main.c.",
            discussion: """
                Writes DIR/model.h and model.c (the file as a const array, its input and output shapes,
                the arena each runtime mode needs), DIR/runtime/ (the runtime: no allocation, libc's
                string.h and math.h only) and DIR/main.c, which prints one predicted class per image:
                  cc -O2 -std=c99 -IDIR/runtime/include DIR/*.c DIR/runtime/*.c -lm -o classify
                See docs/DEPLOY.md.
                """)

        @Argument(help: "A compressed model file (.dcz).") var model: String
        @Option(name: .customLong("c"), help: "The folder to write the C files to (created when missing).") var directory: String
        @Flag(help: "Print the report as JSON.") var json = false

        func run() throws {
            let report = try reportingErrors { try exportC(model: model, directory: directory) }
            if json {
                try printJSON(report)
            } else {
                let shape = { (s: [Int]) in s.map(String.init).joined(separator: "x") }
                print("wrote \(directory): model.h, model.c (\(groupedDigits(report.modelBytes)) bytes of model), main.c, "
                      + "runtime/ (\(report.files.count - 3) files); input \(shape(report.inputShape)), output \(shape(report.outputShape)); "
                      + "arena \(groupedDigits(report.arenaStreaming)) bytes streaming, \(groupedDigits(report.arenaDecoded)) decoded")
            }
        }
    }
}
