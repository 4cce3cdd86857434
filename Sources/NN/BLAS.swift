import CBLAS
#if canImport(Glibc)
import Glibc
#endif
import TensorCore

// NN parallelises its kernels itself, splitting minibatches (or output rows) across worker
// threads, and calls single-threaded sgemm inside each part. Small training matrices run far
// faster that way than through OpenBLAS's own threads, which also spin while idle and would
// compete with the workers. The first NN kernel therefore switches OpenBLAS to one thread.
//
// It also keeps glibc from returning large freed blocks to the kernel: a training step frees
// and reallocates the same activation-sized buffers every time, and mapping them afresh costs a
// page fault per 4 KiB.


/// One-time runtime set-up before the first kernel: OpenBLAS on one thread, malloc tuned.
@inlinable
func prepareRuntime() {
    if !runtimePrepared { configureRuntime() }
}

@usableFromInline nonisolated(unsafe) var runtimePrepared = false

@usableFromInline
func configureRuntime() {
    runtimePrepared = true
    BLASBackend.prepare()
    openblas_set_num_threads(1)
    #if canImport(Glibc)
    // mallopt is declared in <malloc.h>, which the Glibc module does not include.
    typealias MallOpt = @convention(c) (Int32, Int32) -> Int32
    if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") {
        let mallopt = unsafeBitCast(symbol, to: MallOpt.self)
        let trimThreshold: Int32 = -1, mmapThreshold: Int32 = -3   // M_TRIM_THRESHOLD, M_MMAP_THRESHOLD
        _ = mallopt(mmapThreshold, 256 << 20)
        _ = mallopt(trimThreshold, 1 << 30)
    }
    #endif
}

/// `C = alpha * op(A) * op(B) + beta * C` with explicit leading dimensions (row-major), so a
/// kernel can hand a block of rows or columns of a larger matrix to sgemm.
@inlinable
func sgemm(m: Int, n: Int, k: Int,
           a: UnsafePointer<Float>, lda: Int, transposeA: Bool = false,
           b: UnsafePointer<Float>, ldb: Int, transposeB: Bool = false,
           c: UnsafeMutablePointer<Float>, ldc: Int, beta: Float = 0) {
    guard m > 0, n > 0 else { return }
    if k == 0 {
        for i in 0..<m {
            let row = c + i * ldc
            for j in 0..<n { row[j] = beta == 0 ? 0 : row[j] * beta }
        }
        return
    }
    prepareRuntime()
    cblas_sgemm(CblasRowMajor,
                transposeA ? CblasTrans : CblasNoTrans,
                transposeB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k),
                1, a, Int32(lda), b, Int32(ldb),
                beta, c, Int32(ldc))
}
