import ArgumentParser
import Foundation
import ModelIO
import Pipeline

extension Compress {
    /// `compress check FILE...`: holds files to size, growth and accuracy limits, for CI.
    ///
    /// Exit status: 0 when every limit holds; 1 when a limit is broken (each broken limit on its
    /// own line with the figure and the limit); 2 on bad usage (an unknown option, a missing or
    /// malformed value, `--max-growth` without `--baseline`) or when a file cannot be checked
    /// (missing file, unreadable baseline, a model that does not load). The argument parser's
    /// usual code for bad usage is 64; `check` parses its own arguments so that CI scripts see
    /// exactly these three codes.
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Hold files to size, growth and accuracy limits (for CI).",
            usage: "compress check <files> ... [--max-bytes <n>] [--baseline <sizes.json> [--max-growth <2%>] [--update-baseline]] [--min-accuracy <0.98> [--data <data>]] [--junit <out.xml>]",
            discussion: """
                Exit status: 0 within limits; 1 when a limit is broken (each broken limit on its own line, \
                with the figure and the limit); 2 on bad usage or when a file cannot be checked.

                The baseline is JSON: {"files": {"<path as given>": <bytes>, ...}}. --update-baseline \
                records the current sizes there (atomically) instead of applying --max-growth.

                \(CheckOptions.optionsHelp)
                """)

        @Argument(parsing: .captureForPassthrough, help: .hidden) var arguments: [String] = []

        func run() throws {
            let options: CheckOptions
            do {
                options = try CheckOptions.parse(arguments)
                try options.limits.validate()
            } catch let error as CheckUsageError {
                throw usageFailure(error.description)
            } catch {
                if CheckOptions.exitCode(for: error) == .success {   // --help
                    print(Compress.helpMessage(for: Check.self))
                    return
                }
                throw usageFailure(CheckOptions.message(for: error))
            }
            try options.run()
        }

        /// Prints a usage error with the usage line and returns the exit code 2.
        private func usageFailure(_ message: String) -> ExitCode {
            let text = "compress check: \(message)\nUsage: \(Check.configuration.usage ?? "")\n  See 'compress check --help' for more information.\n"
            FileHandle.standardError.write(Data(text.utf8))
            return ExitCode(2)
        }
    }
}

/// The arguments of `compress check`, parsed by the command itself so that bad usage exits with 2.
struct CheckOptions: ParsableArguments {
    @Argument(help: "Files to check: models, compressed files, any file.") var files: [String]
    @Option(help: "Largest size allowed, in bytes (units kB, KiB, MB, MiB accepted).") var maxBytes: String?
    @Option(help: #"Size baseline JSON: {"files": {"path": bytes}}."#) var baseline: String?
    @Option(help: "Growth allowed over the baseline: 2% or 0.02 (default 0 with --baseline).") var maxGrowth: String?
    @Option(help: "Lowest top-1 accuracy on the test split: 0.98 or 98%.") var minAccuracy: String?
    @OptionGroup var dataOptions: DataOptions
    @Option(help: "Also write the results as JUnit XML to this file.") var junit: String?
    @Flag(help: "Record the files' current sizes in the baseline instead of applying --max-growth.") var updateBaseline = false

    /// The options section of the help, for `compress check --help`.
    static var optionsHelp: String {
        let help = helpMessage(columns: 78)
        guard let start = help.range(of: "ARGUMENTS:") else { return help }
        return String(help[start.lowerBound...])
    }

    /// The limits the options ask for; malformed values are ``CheckUsageError``s.
    var limits: SizeLimits {
        get throws {
            var limits = SizeLimits()
            limits.maxBytes = try maxBytes.map { try parseByteCount($0, setting: "--max-bytes") }
            limits.baseline = baseline
            limits.maxGrowth = try maxGrowth.map { try parseFraction($0, setting: "--max-growth") }
            limits.minAccuracy = try minAccuracy.map { try parseFraction($0, setting: "--min-accuracy") }
            limits.updateBaseline = updateBaseline
            return limits
        }
    }

    func run() throws {
        let limits = try limits
        let outcome: SizeCheckOutcome
        do {
            let baselineFile = baseline.map { [RunFile("the baseline (--baseline)", $0)] } ?? []
            try checkRunFiles(data: limits.minAccuracy != nil ? dataOptions.data : nil,
                              inputs: files.map { RunFile("the checked file", $0) } + (updateBaseline ? [] : baselineFile),
                              outputs: (junit.map { [RunFile("the JUnit report (--junit)", $0)] } ?? []) + (updateBaseline ? baselineFile : []))
            outcome = try checkSizes(files: files, limits: limits) { try dataOptions.load(.test, toDo: "check --min-accuracy") }
            if let junit {
                try writeText(junitXML(outcome.results), to: junit, protecting: files + [baseline].compactMap { $0 })
            }
        } catch {
            printError(error)
            throw ExitCode(2)
        }
        for result in outcome.results { print(result.line) }
        if let baseline, limits.updateBaseline {
            if outcome.baselineChanges.isEmpty {
                print("\(baseline) not updated: a limit is broken")
            } else {
                print("\(baseline) updated:")
                for change in outcome.baselineChanges { print("  " + change.line) }
            }
        }
        let broken = outcome.failures.count
        guard !outcome.results.isEmpty else { return }
        print("\(outcome.results.count - broken) of \(outcome.results.count) limits hold" + (broken > 0 ? "; \(broken) broken" : ""))
        if broken > 0 { throw ExitCode.failure }
    }
}
