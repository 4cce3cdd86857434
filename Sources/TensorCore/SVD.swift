import CLAPACKE

/// The thin singular value decomposition `A = U · diag(s) · Vᵀ` of an `m x n` matrix.
///
/// With `r = min(m, n)`, `u` is `m x r` with orthonormal columns, `s` holds the `r` singular
/// values in descending order, and `vt` is `r x n` with orthonormal rows. Singular vectors are
/// unique only up to sign (and up to rotation within repeated singular values), so compare
/// reconstructions rather than vectors.
///
/// The decomposition runs LAPACK's divide-and-conquer `sgesdd` on a copy of the matrix (LAPACK
/// overwrites its input) and, if that does not converge, retries with the QR-iteration `sgesvd`.
///
/// ```swift
/// let svd = try SingularValueDecomposition(weight)          // weight: [out, in]
/// let lowRank = svd.truncated(rank: 32)
/// let error = (weight - lowRank.reconstructed()).frobeniusNorm / weight.frobeniusNorm
/// ```
public struct SingularValueDecomposition: Equatable, Sendable {
    /// The left singular vectors as columns, `m x r`.
    public let u: Tensor
    /// The singular values, descending and non-negative.
    public let s: [Float]
    /// The right singular vectors as rows, `r x n`.
    public let vt: Tensor

    /// Decomposes a rank-2 tensor.
    ///
    /// A matrix with no rows or no columns gives `r = 0`: `u` is `m x 0`, `s` is empty and `vt`
    /// is `0 x n`.
    /// - Throws: ``TensorError/nonFiniteInput(operation:)`` if the matrix holds NaN or infinity;
    ///   ``TensorError/illegalArgument(routine:argument:)`` if LAPACK rejects an argument;
    ///   ``TensorError/didNotConverge(routine:info:)`` if both `sgesdd` and `sgesvd` fail.
    /// - Precondition: `matrix.rank == 2` and each extent fits LAPACK's 32-bit integers.
    public init(_ matrix: Tensor) throws(TensorError) {
        precondition(matrix.rank == 2, "SingularValueDecomposition: needs a rank-2 tensor, got shape \(matrix.shape)")
        let m = matrix.shape[0], n = matrix.shape[1]
        precondition(m <= Int(Int32.max) && n <= Int(Int32.max),
                     "SingularValueDecomposition: shape \(matrix.shape) exceeds LAPACK's 32-bit extents")
        guard m > 0, n > 0 else {
            self.init(u: Tensor(zeros: [m, 0]), s: [], vt: Tensor(zeros: [0, n]))
            return
        }
        guard matrix.scalars.allSatisfy(\.isFinite) else {
            throw .nonFiniteInput(operation: "SingularValueDecomposition")
        }
        switch SingularValueDecomposition.lapack(matrix, routine: .divideAndConquer) {
        case .success(let svd):
            self = svd
        case .failure(.didNotConverge):
            self = try SingularValueDecomposition.lapack(matrix, routine: .qrIteration).get()
        case .failure(let error):
            throw error
        }
    }

    /// Creates a decomposition from its factors.
    ///
    /// - Precondition: `u` is `m x r`, `s` has `r` values and `vt` is `r x n`.
    public init(u: Tensor, s: [Float], vt: Tensor) {
        precondition(u.rank == 2 && vt.rank == 2 && u.shape[1] == s.count && vt.shape[0] == s.count,
                     "SingularValueDecomposition: factor shapes \(u.shape), [\(s.count)], \(vt.shape) do not chain")
        self.u = u
        self.s = s
        self.vt = vt
    }

    /// The product `U · diag(s) · Vᵀ`, an `m x n` matrix.
    ///
    /// ```swift
    /// let approximation = try SingularValueDecomposition(w).truncated(rank: 16).reconstructed()
    /// ```
    public func reconstructed() -> Tensor {
        let scaledU = u * Tensor(shape: [s.count], scalars: s)
        return matmul(scaledU, vt)
    }

    /// The best rank-`k` approximation (Eckart–Young): the first `k` singular triplets.
    ///
    /// - Precondition: `0 <= k <= s.count`.
    public func truncated(rank k: Int) -> SingularValueDecomposition {
        precondition(k >= 0 && k <= s.count, "SingularValueDecomposition: rank \(k) outside 0...\(s.count)")
        let m = u.shape[0]
        var leading = [Float](repeating: 0, count: m * k)
        u.scalars.withUnsafeBufferPointer { full in
            for i in 0..<m {
                for j in 0..<k { leading[i * k + j] = full[i * s.count + j] }
            }
        }
        return SingularValueDecomposition(u: Tensor(shape: [m, k], scalars: leading),
                                          s: Array(s.prefix(k)),
                                          vt: vt.rows(0..<k))
    }

    /// The LAPACK driver used for one attempt.
    enum Routine: String {
        /// `sgesdd`: divide and conquer, the fast default.
        case divideAndConquer = "sgesdd"
        /// `sgesvd`: QR iteration, slower but the classic fallback.
        case qrIteration = "sgesvd"
    }

    /// One LAPACK call on a fresh copy of a non-empty, finite matrix.
    static func lapack(_ matrix: Tensor, routine: Routine) -> Result<SingularValueDecomposition, TensorError> {
        BLASBackend.prepare()
        let m = matrix.shape[0], n = matrix.shape[1], r = min(m, n)
        var a = matrix.scalars
        var s = [Float](repeating: 0, count: r)
        var u = [Float](repeating: 0, count: m * r)
        var vt = [Float](repeating: 0, count: r * n)
        let layout = compress_lapack_row_major()
        let all = CChar(UInt8(ascii: "S"))
        let info = a.withUnsafeMutableBufferPointer { a in
            s.withUnsafeMutableBufferPointer { s in
                u.withUnsafeMutableBufferPointer { u in
                    vt.withUnsafeMutableBufferPointer { vt in
                        switch routine {
                        case .divideAndConquer:
                            return LAPACKE_sgesdd(layout, all, Int32(m), Int32(n), a.baseAddress, Int32(n),
                                                  s.baseAddress, u.baseAddress, Int32(r), vt.baseAddress, Int32(n))
                        case .qrIteration:
                            var superb = [Float](repeating: 0, count: Swift.max(r - 1, 1))
                            return LAPACKE_sgesvd(layout, all, all, Int32(m), Int32(n), a.baseAddress, Int32(n),
                                                  s.baseAddress, u.baseAddress, Int32(r), vt.baseAddress, Int32(n),
                                                  &superb)
                        }
                    }
                }
            }
        }
        if info < 0 { return .failure(.illegalArgument(routine: routine.rawValue, argument: Int(-info))) }
        if info > 0 { return .failure(.didNotConverge(routine: routine.rawValue, info: Int(info))) }
        return .success(SingularValueDecomposition(u: Tensor(shape: [m, r], scalars: u), s: s,
                                                   vt: Tensor(shape: [r, n], scalars: vt)))
    }
}
