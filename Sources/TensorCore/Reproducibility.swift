#if canImport(Glibc)
import Glibc
#endif

/// Reproducible mode: the same bytes on every x86-64 machine with AVX2, at some speed cost.
///
/// Results depend on the order of floating-point additions, which depends on the BLAS kernel
/// set (its blocking and vector width), on how many threads OpenBLAS splits a product over, and
/// on how many parts NN splits a minibatch into. By default each of these follows the machine,
/// so the same seed gives the same bytes only on machines that run the same kernels with the same
/// number of cores. Reproducible mode pins all three: OpenBLAS's `Haswell` kernels, one OpenBLAS
/// thread, and ``kernelParts`` parts per minibatch whatever the core count. It is on when the
/// environment has `COMPRESS_REPRODUCIBLE=1` (the `compress --reproducible` flag sets it), and
/// must be decided before the first BLAS call.
public enum Reproducibility {
    /// Whether reproducible mode is on.
    public static var isEnabled: Bool {
        getenv("COMPRESS_REPRODUCIBLE").map { String(cString: $0) == "1" } ?? false
    }

    /// Turns reproducible mode on for this process and the processes it starts.
    public static func enable() {
        setenv("COMPRESS_REPRODUCIBLE", "1", 1)
    }

    /// The number of parts NN splits work into in reproducible mode, whatever the core count.
    public static let kernelParts = 2
}
