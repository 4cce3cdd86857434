import Foundation
import TensorCore

/// A rank-`K` canonical polyadic (CP, CANDECOMP/PARAFAC) decomposition of an `N`-way tensor,
/// `T[i₀, …, i_{N−1}] ≈ Σ_r Π_n A_n[i_n, r]`, fitted by alternating least squares (CP-ALS).
///
/// Each sweep solves for one factor at a time with the others fixed:
/// `A_n = T_(n) (⊙_{m≠n} A_m) (∗_{m≠n} A_mᵀA_m)⁻¹`. The matricized-tensor-times-Khatri-Rao product
/// contracts the largest other mode with one sgemm and the remaining modes elementwise, so no
/// Khatri-Rao product of all other modes is ever formed (it would be `K x 2.4M` for a 3x3x512x512
/// kernel); the `K x K` normal equations are solved by Cholesky in double precision with a tiny
/// ridge that grows only if the Gram matrix is singular (a factor with a zero column).
///
/// CP-ALS finds a local optimum, so the fit runs from several starting points and keeps the best:
/// the first starts from the leading left singular vectors of each unfolding (HOSVD, from the
/// eigenvectors of `T_(n) T_(n)ᵀ`; modes with fewer than `K` indices get the rest of their columns
/// from Gaussian draws), the others from Gaussian factors. Every draw comes from a
/// ``RandomGenerator`` seeded with `seed` and the run number, so the result is deterministic. A run
/// stops when the relative error (from the residual, in double precision) improves by less than
/// `tolerance` in a sweep, or after `maxIterations` sweeps.
///
/// The factors returned are balanced: the `N` columns of each rank-1 term have the same norm.
///
/// ```swift
/// let cp = try CPDecomposition(fitting: kernel, rank: 64, seed: 1)   // kernel [5, 5, 20, 50]
/// print(cp.factors.map(\.shape), cp.relativeError)   // [[5, 64], [5, 64], [20, 64], [50, 64]]
/// ```
public struct CPDecomposition: Sendable {
    /// One `[I_n, K]` factor per mode.
    public let factors: [Tensor]
    /// `‖T − T̂‖_F / ‖T‖_F` of the best run (0 for a zero tensor).
    public let relativeError: Double

    /// The number of rank-1 terms.
    public var rank: Int { factors[0].shape[1] }

    /// Fits a rank-`rank` CP decomposition to `tensor`.
    ///
    /// - Parameters:
    ///   - tensor: At least two axes, each non-empty.
    ///   - rank: The number of rank-1 terms, at least 1.
    ///   - maxIterations: Sweeps per run, at least 1.
    ///   - tolerance: Stop a run when a sweep improves the relative error by less than this.
    ///   - restarts: Runs, at least 1; the first starts from the HOSVD.
    ///   - seed: Seeds every random start.
    /// - Throws: ``CompressionError`` if the tensor holds NaN or infinity, or LAPACK fails.
    public init(fitting tensor: Tensor, rank: Int, maxIterations: Int = 500, tolerance: Double = 1e-7,
                restarts: Int = 3, seed: UInt64 = 1) throws(CompressionError) {
        precondition(tensor.rank >= 2 && tensor.shape.allSatisfy { $0 > 0 },
                     "CPDecomposition: needs a tensor with at least two non-empty axes, got \(tensor.shape)")
        precondition(rank >= 1 && maxIterations >= 1 && restarts >= 1 && tolerance >= 0,
                     "CPDecomposition: rank, iterations and restarts must be positive")
        guard tensor.scalars.allSatisfy(\.isFinite) else { throw CompressionError("the tensor holds NaN or infinity") }
        let problem = CPProblem(tensor: tensor, rank: rank)
        guard problem.normSquared > 0 else {
            factors = tensor.shape.map { Tensor(zeros: [$0, rank]) }
            relativeError = 0
            return
        }
        var best: (factors: [[Float]], error: Double)?
        for run in 0..<restarts {
            var generator = RandomGenerator(seed: seed &+ UInt64(run) &* 0x9E37_79B9)
            let start = run == 0 ? try problem.hosvdStart(generator: &generator) : problem.gaussianStart(generator: &generator)
            let fit = try problem.alternatingLeastSquares(from: start, maxIterations: maxIterations, tolerance: tolerance)
            let error = problem.relativeError(of: fit)
            if best == nil || error < best!.error { best = (fit, error) }
        }
        factors = zip(best!.factors, tensor.shape).map { Tensor(shape: [$1, rank], scalars: $0) }
        relativeError = best!.error
    }

    /// `Σ_r Π_n A_n[i_n, r]`, a tensor of the decomposed tensor's shape.
    public func reconstructed() -> Tensor {
        let shape = factors.map { $0.shape[0] }
        return Tensor(shape: shape, scalars: CPDecomposition.reconstruct(factors.map(\.scalars), shape: shape, rank: rank))
    }
}

/// The tensor, its unfoldings arranged for the MTTKRP, and the ALS steps.
private struct CPProblem {
    let tensor: Tensor
    let shape: [Int]
    let rank: Int
    let normSquared: Double
    /// Per mode `n`: the axis order `[n, rest..., last]` with `last` the largest other mode, and
    /// the tensor permuted to it.
    let orders: [[Int]]
    let permuted: [Tensor]

    init(tensor: Tensor, rank: Int) {
        let shape = tensor.shape
        self.tensor = tensor
        self.shape = shape
        self.rank = rank
        normSquared = tensor.scalars.reduce(0.0) { $0 + Double($1) * Double($1) }
        var orders: [[Int]] = []
        for n in shape.indices {
            var others = shape.indices.filter { $0 != n }
            let largest = others.max { shape[$0] < shape[$1] }!
            others.removeAll { $0 == largest }
            orders.append([n] + others + [largest])
        }
        self.orders = orders
        permuted = orders.map { tensor.transposed(permutation: $0) }
    }

    // MARK: Starts

    /// Unit-norm Gaussian columns for every mode.
    func gaussianStart(generator: inout RandomGenerator) -> [[Float]] {
        shape.map { normalizedColumns(generator.normal(shape: [$0, rank]).scalars, rows: $0).columns }
    }

    /// The leading left singular vectors of each unfolding, Gaussian columns past the mode's size.
    func hosvdStart(generator: inout RandomGenerator) throws(CompressionError) -> [[Float]] {
        var start: [[Float]] = []
        for n in shape.indices {
            let rows = shape[n]
            let unfolding = permuted[n].reshaped([rows, -1])
            let vectors: SingularValueDecomposition
            do { vectors = try SingularValueDecomposition(matmul(unfolding, unfolding, transposeB: true)) } catch {
                throw CompressionError("SVD of the mode-\(n) unfolding: \(error)")
            }
            var factor = generator.normal(shape: [rows, rank]).scalars
            for i in 0..<rows {
                for r in 0..<Swift.min(rank, rows) { factor[i * rank + r] = vectors.u[i, r] }
            }
            start.append(normalizedColumns(factor, rows: rows).columns)
        }
        return start
    }

    // MARK: ALS

    /// Sweeps until the error stalls; returns balanced factors.
    func alternatingLeastSquares(from start: [[Float]], maxIterations: Int,
                                 tolerance: Double) throws(CompressionError) -> [[Float]] {
        var factors = start
        var grams = factors.enumerated().map { gram($1, rows: shape[$0]) }
        var weights = [Float](repeating: 1, count: rank)
        var previousError = Double.infinity
        for _ in 0..<maxIterations {
            for n in shape.indices {
                var hadamard = [Double](repeating: 1, count: rank * rank)
                for m in shape.indices where m != n {
                    for i in 0..<(rank * rank) { hadamard[i] *= grams[m][i] }
                }
                let solved = try solveNormalEquations(hadamard, mttkrp(mode: n, factors: factors), rows: shape[n])
                (factors[n], weights) = normalizedColumns(solved, rows: shape[n])
                grams[n] = gram(factors[n], rows: shape[n])
            }
            // The error from the residual itself: the shortcut ‖T‖² − 2⟨T, T̂⟩ + ‖T̂‖² cancels
            // catastrophically in single precision below a relative error of about 3e-4.
            var weighted = factors
            let last = shape.count - 1
            for i in 0..<shape[last] {
                for r in 0..<rank { weighted[last][i * rank + r] *= weights[r] }
            }
            let error = relativeError(of: weighted)
            if previousError - error < tolerance { break }
            previousError = error
        }
        // Spread each term's weight evenly over its N columns.
        let order = Float(shape.count)
        for n in shape.indices {
            for i in 0..<shape[n] {
                for r in 0..<rank { factors[n][i * rank + r] *= pow(weights[r], 1 / order) }
            }
        }
        return factors
    }

    /// `T_(n) (⊙_{m≠n} A_m)`, `[I_n, K]`: one sgemm over the largest other mode, then the
    /// remaining modes elementwise.
    func mttkrp(mode n: Int, factors: [[Float]]) -> [Float] {
        let order = orders[n]
        let last = order.last!
        let restModes = Array(order.dropFirst().dropLast())
        let restCount = restModes.reduce(1) { $0 * shape[$1] }
        let rows = shape[n] * restCount
        let contracted = matmul(permuted[n].reshaped([rows, shape[last]]),
                                Tensor(shape: [shape[last], rank], scalars: factors[last]))
        let rest = khatriRao(restModes.map { factors[$0] }, rows: restModes.map { shape[$0] }, rank: rank)
        var result = [Float](repeating: 0, count: shape[n] * rank)
        contracted.scalars.withUnsafeBufferPointer { w in
            rest.withUnsafeBufferPointer { kr in
                result.withUnsafeMutableBufferPointer { out in
                    for i in 0..<shape[n] {
                        let target = out.baseAddress! + i * rank
                        for j in 0..<restCount {
                            let source = w.baseAddress! + (i * restCount + j) * rank
                            let weight = kr.baseAddress! + j * rank
                            for r in 0..<rank { target[r] += source[r] * weight[r] }
                        }
                    }
                }
            }
        }
        return result
    }

    /// Solves `X H = M` for `X` (`[rows, K]`), `H` symmetric positive semi-definite, by Cholesky
    /// with a ridge of `1e-10` of the mean diagonal, raised a hundredfold while `H` is singular.
    func solveNormalEquations(_ h: [Double], _ m: [Float], rows: Int) throws(CompressionError) -> [Float] {
        let k = rank
        let meanDiagonal = Swift.max((0..<k).reduce(0.0) { $0 + h[$1 * k + $1] } / Double(k), 1e-30)
        var ridge = 1e-10 * meanDiagonal
        var factor: [Double]?
        for _ in 0..<12 {
            factor = choleskyFactor(h, size: k, ridge: ridge)
            if factor != nil { break }
            ridge *= 100
        }
        guard let l = factor else { throw CompressionError("CP-ALS: the normal equations are singular") }
        var x = [Float](repeating: 0, count: rows * k)
        var y = [Double](repeating: 0, count: k)
        for i in 0..<rows {
            // L y = m_i, then Lᵀ x_i = y.
            for r in 0..<k {
                var sum = Double(m[i * k + r])
                for s in 0..<r { sum -= l[r * k + s] * y[s] }
                y[r] = sum / l[r * k + r]
            }
            for r in stride(from: k - 1, through: 0, by: -1) {
                var sum = y[r]
                for s in (r + 1)..<k { sum -= l[s * k + r] * Double(x[i * k + s]) }
                x[i * k + r] = Float(sum / l[r * k + r])
            }
        }
        return x
    }

    /// `‖T − T̂‖_F / ‖T‖_F`, by reconstructing `T̂`.
    func relativeError(of factors: [[Float]]) -> Double {
        let reconstruction = CPDecomposition.reconstruct(factors, shape: shape, rank: rank)
        var sum = 0.0
        for (a, b) in zip(tensor.scalars, reconstruction) { sum += Double(a - b) * Double(a - b) }
        return (sum / normSquared).squareRoot()
    }

    /// `AᵀA` of an `[rows, K]` factor, in double precision.
    func gram(_ factor: [Float], rows: Int) -> [Double] {
        let product = matmul(Tensor(shape: [rows, rank], scalars: factor), Tensor(shape: [rows, rank], scalars: factor),
                             transposeA: true)
        return product.scalars.map(Double.init)
    }

    /// The factor with unit-norm columns, and the norms (a zero column stays zero, norm 0).
    func normalizedColumns(_ factor: [Float], rows: Int) -> (columns: [Float], norms: [Float]) {
        var norms = [Double](repeating: 0, count: rank)
        for i in 0..<rows {
            for r in 0..<rank { norms[r] += Double(factor[i * rank + r]) * Double(factor[i * rank + r]) }
        }
        let scales = norms.map { $0 > 0 ? Float(1 / $0.squareRoot()) : 0 }
        var columns = factor
        for i in 0..<rows {
            for r in 0..<rank { columns[i * rank + r] *= scales[r] }
        }
        return (columns, norms.map { Float($0.squareRoot()) })
    }
}

extension CPDecomposition {
    /// `Σ_r Π_n A_n[i_n, r]` as row-major scalars of `shape`.
    fileprivate static func reconstruct(_ factors: [[Float]], shape: [Int], rank: Int) -> [Float] {
        let leadingRows = shape.dropLast().reduce(1, *)
        let leading = khatriRao(Array(factors.dropLast()), rows: Array(shape.dropLast()), rank: rank)
        return matmul(Tensor(shape: [leadingRows, rank], scalars: leading),
                      Tensor(shape: [shape.last!, rank], scalars: factors.last!), transposeB: true).scalars
    }
}

/// The row-wise Khatri-Rao product of `[rows[j], K]` matrices: row `(i₀, i₁, …)` (last index
/// fastest) is the elementwise product of row `i_j` of each; one row of ones for no matrices.
private func khatriRao<S: Sequence<Int>>(_ matrices: [[Float]], rows: S, rank: Int) -> [Float] {
    var result = [Float](repeating: 1, count: rank)
    var resultRows = 1
    for (matrix, count) in zip(matrices, rows) {
        var next = [Float](repeating: 0, count: resultRows * count * rank)
        for i in 0..<resultRows {
            for j in 0..<count {
                let target = (i * count + j) * rank
                for r in 0..<rank { next[target + r] = result[i * rank + r] * matrix[j * rank + r] }
            }
        }
        result = next
        resultRows *= count
    }
    return result
}

/// The lower Cholesky factor of `h + ridge I` (`size x size`, row-major), or nil if it is not
/// positive definite.
private func choleskyFactor(_ h: [Double], size k: Int, ridge: Double) -> [Double]? {
    var l = [Double](repeating: 0, count: k * k)
    for i in 0..<k {
        for j in 0...i {
            var sum = h[i * k + j] + (i == j ? ridge : 0)
            for p in 0..<j { sum -= l[i * k + p] * l[j * k + p] }
            if i == j {
                guard sum > 0, sum.isFinite else { return nil }
                l[i * k + i] = sum.squareRoot()
            } else {
                l[i * k + j] = sum / l[j * k + j]
            }
        }
    }
    return l
}
