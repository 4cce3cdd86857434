import CLAPACKE

extension SingularValueDecomposition {
    /// Columns added to the sketch beyond the rank asked for, unless a caller says otherwise.
    public static let defaultOversampling = 10
    /// Power iterations run unless a caller says otherwise.
    public static let defaultPowerIterations = 2

    /// The leading `rank` singular triplets of an `m x n` matrix by randomized SVD (Halko, Martinsson
    /// and Tropp 2011, algorithms 4.4 and 5.1).
    ///
    /// With `l = rank + oversampling` and `A` oriented so that it has at least as many rows as
    /// columns (the transpose is taken through BLAS flags, not copied):
    /// 1. draw a Gaussian test matrix `Ω` (`n x l`) from a ``RandomGenerator`` seeded with `seed`;
    /// 2. sketch the range, `Y = A Ω`, and orthonormalise it, `Q = qr(Y)`;
    /// 3. `powerIterations` times: `Q = qr(A · qr(Aᵀ Q))`, re-orthonormalising after every product
    ///    so the small singular values are not lost to rounding;
    /// 4. decompose the small `l x n` matrix `B = Qᵀ A = Ũ S Vᵀ` with LAPACK and return
    ///    `U = Q Ũ`, `S`, `Vᵀ`, truncated to `rank`.
    ///
    /// The cost is `2 (powerIterations + 1)` products of `A` with an `l`-column panel plus a few
    /// QR factorisations of the panels (LAPACK `sgeqrf` and `sorgqr`), against `O(m n min(m, n))`
    /// for the full decomposition, so it pays when `rank` is small against `min(m, n)`. Each power
    /// iteration sharpens the decay of the spectrum the sketch sees (`σᵢ` becomes `σᵢ^(2q+1)`),
    /// which is what makes the approximation nearly optimal for slowly decaying spectra.
    ///
    /// When `l >= min(m, n)` the sketch would be the whole space, and the exact decomposition
    /// (``init(_:)``) truncated to `rank` is returned instead.
    ///
    /// ```swift
    /// let fc6 = try SingularValueDecomposition(randomized: weight, rank: 256, seed: 1)   // [25088, 4096]
    /// let approximation = fc6.reconstructed()
    /// ```
    /// - Parameters:
    ///   - matrix: A rank-2 tensor.
    ///   - rank: The number of singular triplets to return, `1...min(m, n)`.
    ///   - oversampling: Extra sketch columns, at least 0; 5 to 10 is usual.
    ///   - powerIterations: Power iterations, at least 0; 1 to 4 is usual.
    ///   - seed: Seeds the Gaussian test matrix; the same seed gives the same result.
    /// - Throws: ``TensorError/nonFiniteInput(operation:)`` if the matrix holds NaN or infinity;
    ///   the errors of LAPACK's QR and SVD routines.
    public init(randomized matrix: Tensor, rank: Int,
                oversampling: Int = SingularValueDecomposition.defaultOversampling,
                powerIterations: Int = SingularValueDecomposition.defaultPowerIterations,
                seed: UInt64) throws(TensorError) {
        precondition(matrix.rank == 2, "SingularValueDecomposition: needs a rank-2 tensor, got shape \(matrix.shape)")
        let m = matrix.shape[0], n = matrix.shape[1]
        precondition(rank >= 1 && rank <= Swift.min(m, n),
                     "SingularValueDecomposition: rank \(rank) outside 1...\(Swift.min(m, n)) for shape \(matrix.shape)")
        precondition(oversampling >= 0 && powerIterations >= 0,
                     "SingularValueDecomposition: oversampling \(oversampling) and power iterations \(powerIterations) must be at least 0")
        precondition(Swift.max(m, n) <= Int(Int32.max),
                     "SingularValueDecomposition: shape \(matrix.shape) exceeds LAPACK's 32-bit extents")
        let width = Swift.min(rank + oversampling, Swift.min(m, n))
        if width == Swift.min(m, n) {
            self = try SingularValueDecomposition(matrix).truncated(rank: rank)
            return
        }
        guard matrix.scalars.allSatisfy(\.isFinite) else {
            throw .nonFiniteInput(operation: "SingularValueDecomposition(randomized:)")
        }
        var generator = RandomGenerator(seed: seed)
        let sketch = RangeSketch(matrix: matrix, width: width)
        // Panels are kept transposed (`l x length`, row-major), which is the column-major
        // `length x l` layout LAPACK's QR works on in place.
        let testMatrix = generator.normal(shape: [width, sketch.columns]).scalars
        var basis = try orthonormalized(sketch.timesTransposed(testMatrix), length: sketch.rows, width: width)
        for _ in 0..<powerIterations {
            let coBasis = try orthonormalized(sketch.transposedTimes(basis), length: sketch.columns, width: width)
            basis = try orthonormalized(sketch.timesTransposed(coBasis), length: sketch.rows, width: width)
        }
        let small = try SingularValueDecomposition(Tensor(shape: [width, sketch.columns], scalars: sketch.transposedTimes(basis)))
        let basisTensor = Tensor(shape: [width, sketch.rows], scalars: basis)
        let full: SingularValueDecomposition
        if sketch.isTransposed {
            // A = Mᵀ = V S (Q Ũ)ᵀ.
            full = SingularValueDecomposition(u: small.vt.transposed(), s: small.s,
                                              vt: matmul(small.u, basisTensor, transposeA: true))
        } else {
            full = SingularValueDecomposition(u: matmul(basisTensor, small.u, transposeA: true), s: small.s, vt: small.vt)
        }
        self = full.truncated(rank: rank)
    }
}

/// The products of a matrix `M` with `l`-column panels that the randomized SVD needs.
///
/// `M` is the caller's matrix `A` or its transpose, whichever has at least as many rows as
/// columns; the transpose goes through BLAS flags. Panels are passed transposed, `l x rows` or
/// `l x columns`, row-major.
private struct RangeSketch {
    let matrix: Tensor
    let width: Int
    /// Whether `M = Aᵀ`.
    let isTransposed: Bool
    /// The rows and columns of `M`, `rows >= columns`.
    let rows: Int, columns: Int

    init(matrix: Tensor, width: Int) {
        self.matrix = matrix
        self.width = width
        isTransposed = matrix.shape[0] < matrix.shape[1]
        rows = Swift.max(matrix.shape[0], matrix.shape[1])
        columns = Swift.min(matrix.shape[0], matrix.shape[1])
    }

    /// `Pᵀ M` (`l x columns`) for a panel given as `Pᵀ` (`l x rows`).
    func transposedTimes(_ panel: [Float]) -> [Float] {
        product(panel, inner: rows, outer: columns, transposeMatrix: isTransposed)
    }

    /// `Pᵀ Mᵀ` (`l x rows`), the transpose of `M P`, for a panel given as `Pᵀ` (`l x columns`).
    func timesTransposed(_ panel: [Float]) -> [Float] {
        product(panel, inner: columns, outer: rows, transposeMatrix: !isTransposed)
    }

    /// `panel (l x inner) · op(A) (inner x outer)`.
    private func product(_ panel: [Float], inner: Int, outer: Int, transposeMatrix: Bool) -> [Float] {
        var out = [Float](repeating: 0, count: width * outer)
        panel.withUnsafeBufferPointer { p in
            matrix.scalars.withUnsafeBufferPointer { a in
                out.withUnsafeMutableBufferPointer { c in
                    gemm(m: width, n: outer, k: inner, a: p.baseAddress!, b: a.baseAddress!, transposeB: transposeMatrix,
                         c: c.baseAddress!)
                }
            }
        }
        return out
    }
}

/// An orthonormal basis of the column space of a `length x width` column-major panel
/// (`length >= width`), by Householder QR: LAPACK `sgeqrf` then `sorgqr`, in place.
private func orthonormalized(_ panel: [Float], length: Int, width: Int) throws(TensorError) -> [Float] {
    BLASBackend.prepare()
    var q = panel
    var tau = [Float](repeating: 0, count: width)
    let layout = Int32(LAPACK_COL_MAJOR)
    let factorInfo = q.withUnsafeMutableBufferPointer { a in
        LAPACKE_sgeqrf(layout, Int32(length), Int32(width), a.baseAddress, Int32(length), &tau)
    }
    if factorInfo < 0 { throw .illegalArgument(routine: "sgeqrf", argument: Int(-factorInfo)) }
    let formInfo = q.withUnsafeMutableBufferPointer { a in
        LAPACKE_sorgqr(layout, Int32(length), Int32(width), Int32(width), a.baseAddress, Int32(length), &tau)
    }
    if formInfo < 0 { throw .illegalArgument(routine: "sorgqr", argument: Int(-formInfo)) }
    return q
}
