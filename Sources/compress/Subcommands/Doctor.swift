import ArgumentParser
import Pipeline

extension Compress {
    /// `compress doctor`: the CPU, the BLAS kernels and why, thread counts, reproducible mode.
    struct Doctor: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the CPU, the BLAS, its kernels and thread counts, and check the kernels' results.",
            discussion: """
                compress chooses OpenBLAS's kernels before its first computation: the ones OpenBLAS \
                detected, unless the CPU supports wider vectors than they use (OpenBLAS 0.3.21 runs \
                SSE3 kernels on CPUs newer than it), or those OPENBLAS_CORETYPE names, or Haswell in \
                reproducible mode. Exit status 1 when the self-check of sgemm and SVD results fails.
                """)

        @Flag(help: "Print the report as JSON.") var json = false

        func run() throws {
            let report = SystemReport.collect(version: Compress.configuration.version)
            if json { try printJSON(report) } else { print(report.text) }
            if !report.selfCheck.passed { throw ExitCode.failure }
        }
    }
}
