import CBLAS
#if canImport(Glibc)
import Glibc
#endif

/// The OpenBLAS build that ``gemm(m:n:k:a:transposeA:b:transposeB:c:alpha:beta:)`` runs on, and
/// the choice of its kernels.
///
/// OpenBLAS picks its kernels for the CPU when it loads, from `OPENBLAS_CORETYPE` or its own
/// CPUID table, which Debian's 0.3.21 lacks recent CPUs in (they get SSE3 kernels). Before the
/// first BLAS call of the process, ``prepare()`` checks that choice against the CPU
/// (``BLASKernelChoice``) and, where it falls short, re-runs the library's own initialisation
/// with the better kernel set: `gotoblas_dynamic_quit` and `gotoblas_dynamic_init`, the two
/// functions its load-time constructor calls, exported by every `DYNAMIC_ARCH` build. That takes
/// effect in-process, for the tool, the benchmarks, the tests and any program using TensorCore,
/// without re-executing the binary; builds without them (a single-kernel OpenBLAS) are left as
/// they are. See docs/BLAS.md.
///
/// ```swift
/// print("\(BLASBackend.configuration), \(BLASBackend.kernelSummary)")
/// ```
public enum BLASBackend {
    /// The build configuration, for example `OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Zen MAX_THREADS=64`.
    public static var configuration: String {
        prepare()
        return String(cString: openblas_get_config())
    }

    /// The name of the kernel set running, for example `Haswell` or `SkylakeX`.
    public static var coreName: String {
        prepare()
        return String(cString: openblas_get_corename())
    }

    /// The number of threads OpenBLAS uses for one call.
    public static var threadCount: Int {
        prepare()
        return Int(compress_openblas_threads())
    }

    /// What the library detected at load time, before any switch.
    public static var detectedCoreName: String { selection.detected }

    /// How the running kernels were chosen (the decision taken at ``prepare()``).
    public static var choice: BLASKernelChoice { selection.choice }

    /// `kernels Haswell (detected by OpenBLAS); 2 threads`: one line for logs and headers.
    public static var kernelSummary: String {
        "kernels \(coreName) (\(choice.reason)); \(threadCount) thread\(threadCount == 1 ? "" : "s")"
    }

    /// Settles the kernel choice before the first BLAS call; cheap after the first time.
    ///
    /// Every TensorCore and NN entry point that calls BLAS or LAPACK calls it first.
    /// In reproducible mode on a CPU without AVX2 it stops the process with an error message.
    @inline(__always)
    public static func prepare() {
        _ = selection
    }

    private struct Selection {
        var detected: String
        var choice: BLASKernelChoice
    }

    private static let selection: Selection = {
        let environment = Environment()
        if environment.simulateFallback { _ = reinitialize(with: "Prescott") }
        let detected = String(cString: openblas_get_corename())
        let userSetting = environment.simulateFallback ? nil : environment.coreType
        let choice = BLASKernelChoice.decide(running: detected, userSetting: userSetting,
                                             reproducible: Reproducibility.isEnabled, cpu: .current)
        if let failure = choice.failure {
            printToStandardError("compress: \(failure)")
            exit(1)
        }
        if let warning = choice.warning { printToStandardError("compress: warning: \(warning)") }
        var applied = choice
        if choice.needsSwitch && !reinitialize(with: choice.kernels) {
            applied.reason = "detected by OpenBLAS; this build cannot switch to \(choice.kernels)"
        }
        if Reproducibility.isEnabled { openblas_set_num_threads(1) }
        return Selection(detected: detected, choice: applied)
    }()

    private static func reinitialize(with name: String) -> Bool {
        typealias Hook = @convention(c) () -> Void
        guard let quit = dlsym(nil, "gotoblas_dynamic_quit"),
              let initialize = dlsym(nil, "gotoblas_dynamic_init") else { return false }
        setenv("OPENBLAS_CORETYPE", name, 1)
        unsafeBitCast(quit, to: Hook.self)()
        unsafeBitCast(initialize, to: Hook.self)()
        return String(cString: openblas_get_corename()).lowercased() == name.lowercased()
    }

    private static func printToStandardError(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }

    private struct Environment {
        var coreType: String?
        var simulateFallback: Bool

        init() {
            let value = getenv("OPENBLAS_CORETYPE").map { String(cString: $0) }
            coreType = value?.isEmpty == false ? value : nil
            simulateFallback = getenv("COMPRESS_BLAS_SIMULATE_FALLBACK").map { String(cString: $0) == "1" } ?? false
        }
    }
}
