import Foundation
import NN
import TensorCore

/// What `compress doctor` prints: the CPU, the BLAS and its kernels, the thread counts, whether
/// reproducible mode is on, and a numerical self-check of the running kernels.
///
/// ```swift
/// print(SystemReport.collect(version: "0.1.0").text)
/// ```
public struct SystemReport: Encodable, Sendable {
    public struct Processor: Encodable, Sendable {
        public var vendor: String
        public var brand: String
        public var family: Int
        public var model: Int
        public var stepping: Int
        public var features: String
        public var vectorLevel: String
    }

    public struct BLAS: Encodable, Sendable {
        /// The build configuration OpenBLAS reports.
        public var configuration: String
        /// The kernel set running.
        public var kernels: String
        /// The kernel set the library picked by itself at load time.
        public var detectedKernels: String
        /// Why the running kernels were chosen.
        public var reason: String
        /// The fastest kernel set this CPU can run, when it needs more than SSE.
        public var bestForCPU: String?
        /// OpenBLAS's thread count for one call (NN runs it on one thread inside each part).
        public var threads: Int
    }

    public var version: String
    public var processor: Processor
    public var blas: BLAS
    /// How many parts NN splits a minibatch into (its worker threads).
    public var nnThreads: Int
    public var reproducible: Bool
    /// The running kernels' results against double-precision references (``BLASSelfCheck``).
    public var selfCheck: BLASSelfCheck

    /// Collects the report for this process (it settles the kernel choice if nothing has yet).
    public static func collect(version: String) -> SystemReport {
        let cpu = CPU.current
        return SystemReport(
            version: version,
            processor: Processor(vendor: cpu.vendor, brand: cpu.brand, family: cpu.family, model: cpu.model,
                                 stepping: cpu.stepping, features: cpu.featureList, vectorLevel: cpu.vectorLevel.description),
            blas: BLAS(configuration: BLASBackend.configuration, kernels: BLASBackend.coreName,
                       detectedKernels: BLASBackend.detectedCoreName, reason: BLASBackend.choice.reason,
                       bestForCPU: BLASKernelChoice.bestKernels(for: cpu), threads: BLASBackend.threadCount),
            nnThreads: kernelThreadCount, reproducible: Reproducibility.isEnabled,
            selfCheck: BLASSelfCheck.run())
    }

    /// The report as aligned `name: value` lines.
    public var text: String {
        let cpuName = processor.brand.isEmpty ? processor.vendor : processor.brand
        let lines: [(String, String)] = [
            ("compress", version),
            ("cpu", "\(cpuName) (family \(processor.family), model \(processor.model), stepping \(processor.stepping))"),
            ("cpu features", "\(processor.features); vector level \(processor.vectorLevel)"),
            ("blas", blas.configuration),
            ("blas kernels", "\(blas.kernels) (\(blas.reason)); OpenBLAS detected \(blas.detectedKernels); best for this CPU \(blas.bestForCPU ?? "any SSE set")"),
            ("threads", "OpenBLAS \(blas.threads), NN \(nnThreads)"),
            ("reproducible", reproducible ? "on (Haswell kernels, 1 OpenBLAS thread, \(Reproducibility.kernelParts) NN parts)" : "off (compress --reproducible or COMPRESS_REPRODUCIBLE=1)"),
            ("self-check", String(format: "%@ (sgemm error %.1e, SVD error %.1e, relative)",
                                  selfCheck.passed ? "passed" : "FAILED", selfCheck.gemmError, selfCheck.svdError)),
        ]
        let width = lines.map(\.0.count).max() ?? 0
        return lines.map { name, value in name + ":" + String(repeating: " ", count: width - name.count + 1) + value }
            .joined(separator: "\n")
    }

    /// One line for the header of training runs and benchmarks.
    public static var blasLine: String {
        "BLAS: OpenBLAS \(BLASBackend.kernelSummary); NN \(kernelThreadCount) thread\(kernelThreadCount == 1 ? "" : "s")\(Reproducibility.isEnabled ? "; reproducible mode" : "")"
    }
}
