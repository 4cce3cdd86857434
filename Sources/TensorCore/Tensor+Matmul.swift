import CBLAS

/// Computes `C = alpha * op(A) * op(B) + beta * C` on raw row-major buffers with `cblas_sgemm`.
///
/// `op(X)` is `X` or its transpose, chosen by the BLAS flags, so no transposed copy is made.
/// `op(A)` is `m x k`, `op(B)` is `k x n`, `C` is `m x n`.
/// - Parameters:
///   - a: `A` stored row-major as `m x k` (or `k x m` when `transposeA`).
///   - b: `B` stored row-major as `k x n` (or `n x k` when `transposeB`).
///   - c: the output, `m x n`, read when `beta != 0`.
public func gemm(
    m: Int, n: Int, k: Int,
    a: UnsafePointer<Float>, transposeA: Bool = false,
    b: UnsafePointer<Float>, transposeB: Bool = false,
    c: UnsafeMutablePointer<Float>,
    alpha: Float = 1, beta: Float = 0
) {
    precondition(m >= 0 && n >= 0 && k >= 0, "gemm: negative extent in m \(m), n \(n), k \(k)")
    precondition(max(m, n, k) <= Int(Int32.max), "gemm: extents m \(m), n \(n), k \(k) exceed BLAS's 32-bit integers")
    guard m > 0, n > 0 else { return }
    guard k > 0 else {
        // BLAS leaves C untouched for k == 0 only when beta == 1; make the math explicit.
        if beta == 0 { c.update(repeating: 0, count: m * n) } else if beta != 1 {
            for i in 0..<(m * n) { c[i] *= beta }
        }
        return
    }
    let lda = transposeA ? m : k
    let ldb = transposeB ? k : n
    BLASBackend.prepare()
    cblas_sgemm(CblasRowMajor,
                transposeA ? CblasTrans : CblasNoTrans,
                transposeB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k),
                alpha, a, Int32(lda), b, Int32(ldb),
                beta, c, Int32(n))
}

/// The matrix product `op(a) x op(b)` of two rank-2 tensors, where `op` optionally transposes.
///
/// ```swift
/// let y = matmul(x, w)                       // [batch, in] x [in, out]
/// let dx = matmul(dy, w, transposeB: true)   // [batch, out] x [in, out]^T
/// ```
public func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
    precondition(a.rank == 2 && b.rank == 2, "matmul: needs rank-2 tensors, got \(a.shape) and \(b.shape)")
    let m = transposeA ? a.shape[1] : a.shape[0]
    let k = transposeA ? a.shape[0] : a.shape[1]
    let kb = transposeB ? b.shape[1] : b.shape[0]
    let n = transposeB ? b.shape[0] : b.shape[1]
    precondition(k == kb, "matmul: inner extents differ, \(a.shape)\(transposeA ? "^T" : "") x \(b.shape)\(transposeB ? "^T" : "")")
    var out = [Float](repeating: 0, count: m * n)
    a.scalars.withUnsafeBufferPointer { pa in
        b.scalars.withUnsafeBufferPointer { pb in
            out.withUnsafeMutableBufferPointer { pc in
                guard let pa = pa.baseAddress, let pb = pb.baseAddress, let pc = pc.baseAddress else { return }
                gemm(m: m, n: n, k: k, a: pa, transposeA: transposeA, b: pb, transposeB: transposeB, c: pc)
            }
        }
    }
    return Tensor(shape: [m, n], scalars: out)
}
