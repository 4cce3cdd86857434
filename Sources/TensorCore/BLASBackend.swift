import CBLAS

/// The OpenBLAS build that ``gemm(m:n:k:a:transposeA:b:transposeB:c:alpha:beta:)`` runs on.
///
/// OpenBLAS picks its kernels for the CPU when it loads (overridable with the
/// `OPENBLAS_CORETYPE` environment variable) and runs on several threads, so benchmarks and logs
/// should say which build, kernels and thread count produced a number.
///
/// ```swift
/// print("\(BLASBackend.configuration), \(BLASBackend.threadCount) threads")
/// ```
public enum BLASBackend {
    /// The build configuration, for example `OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Zen MAX_THREADS=64`.
    public static var configuration: String {
        String(cString: openblas_get_config())
    }

    /// The name of the kernel set chosen for this CPU, for example `Haswell` or `SkylakeX`.
    public static var coreName: String {
        String(cString: openblas_get_corename())
    }

    /// The number of threads OpenBLAS uses for one call.
    public static var threadCount: Int {
        Int(compress_openblas_threads())
    }
}
