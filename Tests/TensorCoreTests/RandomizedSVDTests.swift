import Testing
@testable import TensorCore

/// A `rows x columns` matrix `U diag(spectrum) Vᵀ` with random orthonormal `U` and `V` (the
/// singular vectors of Gaussian matrices), so its singular values are exactly `spectrum`.
private func matrix(rows: Int, columns: Int, spectrum: [Float], seed: UInt64) throws -> Tensor {
    var generator = RandomGenerator(seed: seed)
    let r = spectrum.count
    let u = try SingularValueDecomposition(generator.normal(shape: [rows, r])).u
    let vt = try SingularValueDecomposition(generator.normal(shape: [r, columns])).vt
    return SingularValueDecomposition(u: u, s: spectrum, vt: vt).reconstructed()
}

/// `sqrt(Σ_{i >= k} s_i²)`: the error of the best rank-`k` approximation (Eckart–Young).
private func optimalError(_ spectrum: [Float], rank k: Int) -> Double {
    spectrum.dropFirst(k).reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
}

/// A slowly decaying spectrum with a noise floor, like a trained layer's.
private func decayingSpectrum(_ count: Int) -> [Float] {
    (0..<count).map { 1 / (1 + Float($0) / 4) + 0.02 }
}

@Suite("Randomized SVD")
struct RandomizedSVDTests {
    @Test("tall and wide: error within 2% of the optimal rank-k error, orthonormal factors",
          arguments: [[300, 120], [120, 300]])
    func nearOptimal(shape: [Int]) throws {
        let spectrum = decayingSpectrum(120)
        let a = try matrix(rows: shape[0], columns: shape[1], spectrum: spectrum, seed: 3)
        let k = 12
        let svd = try SingularValueDecomposition(randomized: a, rank: k, seed: 7)
        #expect(svd.u.shape == [shape[0], k] && svd.s.count == k && svd.vt.shape == [k, shape[1]])
        let error = Double((a - svd.reconstructed()).frobeniusNorm)
        let optimal = optimalError(spectrum, rank: k)
        #expect(error <= 1.02 * optimal, "error \(error), optimal \(optimal)")
        #expect(maxAbsoluteDifference(matmul(svd.u, svd.u, transposeA: true).scalars, identity(k).scalars) < 1e-5)
        #expect(maxAbsoluteDifference(matmul(svd.vt, svd.vt, transposeB: true).scalars, identity(k).scalars) < 1e-5)
        #expect(zip(svd.s, svd.s.dropFirst()).allSatisfy { $0 >= $1 })
        // The leading singular values are those of the matrix.
        #expect(maxAbsoluteDifference(Array(svd.s.prefix(4)), Array(spectrum.prefix(4))) < 1e-3)
    }

    @Test("power iterations help on a slowly decaying spectrum")
    func powerIterationsHelp() throws {
        let spectrum = decayingSpectrum(150)
        let a = try matrix(rows: 400, columns: 150, spectrum: spectrum, seed: 5)
        func error(_ q: Int) throws -> Float {
            let svd = try SingularValueDecomposition(randomized: a, rank: 10, oversampling: 2, powerIterations: q, seed: 1)
            return (a - svd.reconstructed()).frobeniusNorm
        }
        #expect(try error(3) < error(0))
    }

    @Test("a matrix of exact rank k is recovered exactly")
    func exactLowRank() throws {
        let a = try matrix(rows: 200, columns: 90, spectrum: [9, 5, 3, 2, 1], seed: 8)
        let svd = try SingularValueDecomposition(randomized: a, rank: 5, powerIterations: 0, seed: 2)
        #expect((a - svd.reconstructed()).frobeniusNorm < 1e-4 * a.frobeniusNorm)
        #expect(maxAbsoluteDifference(svd.s, [9, 5, 3, 2, 1]) < 1e-4)
    }

    @Test("the same seed gives the same bytes; another seed another sketch")
    func deterministic() throws {
        let a = try matrix(rows: 150, columns: 80, spectrum: decayingSpectrum(80), seed: 4)
        let first = try SingularValueDecomposition(randomized: a, rank: 8, powerIterations: 0, seed: 9)
        let again = try SingularValueDecomposition(randomized: a, rank: 8, powerIterations: 0, seed: 9)
        let other = try SingularValueDecomposition(randomized: a, rank: 8, powerIterations: 0, seed: 10)
        #expect(first == again)
        #expect(first.s != other.s)
    }

    @Test("a sketch as wide as the matrix gives the exact truncated decomposition")
    func wideSketchIsExact() throws {
        var generator = RandomGenerator(seed: 12)
        let a = generator.normal(shape: [30, 16])
        let randomized = try SingularValueDecomposition(randomized: a, rank: 8, oversampling: 10, seed: 1)
        #expect(randomized == (try SingularValueDecomposition(a).truncated(rank: 8)))
    }

    @Test func nonFiniteInputThrows() {
        var a = Tensor(zeros: [40, 30])
        a[3, 4] = .infinity
        #expect(throws: TensorError.nonFiniteInput(operation: "SingularValueDecomposition(randomized:)")) {
            try SingularValueDecomposition(randomized: a, rank: 2, seed: 1)
        }
    }
}
