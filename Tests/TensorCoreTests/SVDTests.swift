import Testing
@testable import TensorCore

/// Checks the defining properties of a thin SVD of `a`: shapes, descending non-negative singular
/// values, orthonormal singular vectors and reconstruction.
private func expectValidDecomposition(_ svd: SingularValueDecomposition, of a: Tensor,
                                      sourceLocation: SourceLocation = #_sourceLocation) {
    let m = a.shape[0], n = a.shape[1], r = min(m, n)
    #expect(svd.u.shape == [m, r], sourceLocation: sourceLocation)
    #expect(svd.s.count == r, sourceLocation: sourceLocation)
    #expect(svd.vt.shape == [r, n], sourceLocation: sourceLocation)
    #expect(svd.s.allSatisfy { $0 >= 0 }, sourceLocation: sourceLocation)
    #expect(zip(svd.s, svd.s.dropFirst()).allSatisfy { $0 >= $1 }, sourceLocation: sourceLocation)
    let uTu = matmul(svd.u, svd.u, transposeA: true)
    let vtV = matmul(svd.vt, svd.vt, transposeB: true)
    #expect(maxAbsoluteDifference(uTu.scalars, identity(r).scalars) < 1e-5, sourceLocation: sourceLocation)
    #expect(maxAbsoluteDifference(vtV.scalars, identity(r).scalars) < 1e-5, sourceLocation: sourceLocation)
    let error = (svd.reconstructed() - a).frobeniusNorm
    #expect(error <= 1e-5 * Swift.max(a.frobeniusNorm, 1), "relative error \(error / a.frobeniusNorm)",
            sourceLocation: sourceLocation)
}

/// `[m, n]`: single elements, rows, columns, wide, tall, square, and rank-deficient inputs.
private let shapes: [[Int]] = [[1, 1], [1, 9], [9, 1], [5, 12], [12, 5], [40, 17], [17, 40], [24, 24]]

@Test("sgesdd decomposition is valid", arguments: shapes)
func decompositionIsValid(shape: [Int]) throws {
    var generator = RandomGenerator(seed: UInt64(shape[0] * 100 + shape[1]))
    let a = generator.normal(shape: shape)
    expectValidDecomposition(try SingularValueDecomposition(a), of: a)
}

@Test("sgesvd fallback agrees with sgesdd", arguments: shapes)
func fallbackAgrees(shape: [Int]) throws {
    var generator = RandomGenerator(seed: UInt64(shape[0] * 100 + shape[1]))
    let a = generator.normal(shape: shape)
    let fallback = try SingularValueDecomposition.lapack(a, routine: .qrIteration).get()
    expectValidDecomposition(fallback, of: a)
    let primary = try SingularValueDecomposition.lapack(a, routine: .divideAndConquer).get()
    #expect(maxAbsoluteDifference(fallback.s, primary.s) <= 1e-5 * primary.s[0])
}

@Test func knownSingularValues() throws {
    // numpy.linalg.svd gives [5, 3] and [5.4649857, 0.36596619] for these matrices.
    let a = Tensor(shape: [2, 3], scalars: [3, 2, 2, 2, 3, -2])
    let svdA = try SingularValueDecomposition(a)
    #expect(maxAbsoluteDifference(svdA.s, [5, 3]) < 1e-5)
    expectValidDecomposition(svdA, of: a)

    let b = Tensor(shape: [2, 2], scalars: [1, 2, 3, 4])
    #expect(maxAbsoluteDifference(try SingularValueDecomposition(b).s, [5.4649857, 0.36596619]) < 1e-5)

    // Rank one: the second singular value vanishes.
    let c = Tensor(shape: [3, 2], scalars: [1, 2, 2, 4, 3, 6])
    let svdC = try SingularValueDecomposition(c)
    #expect(maxAbsoluteDifference(svdC.s, [Float(70).squareRoot(), 0]) < 1e-5)
    expectValidDecomposition(svdC, of: c)
}

@Test(arguments: [[0, 4], [4, 0], [0, 0]])
func emptyMatrixHasNoSingularValues(shape: [Int]) throws {
    let svd = try SingularValueDecomposition(Tensor(zeros: shape))
    #expect(svd.u.shape == [shape[0], 0])
    #expect(svd.s.isEmpty)
    #expect(svd.vt.shape == [0, shape[1]])
    #expect(svd.reconstructed() == Tensor(zeros: shape))
}

@Test func nonFiniteInputThrows() {
    let a = Tensor(shape: [2, 2], scalars: [1, .nan, 3, 4])
    #expect(throws: TensorError.nonFiniteInput(operation: "SingularValueDecomposition")) {
        try SingularValueDecomposition(a)
    }
}

@Test func truncationIsTheBestLowRankApproximation() throws {
    var generator = RandomGenerator(seed: 11)
    let a = generator.normal(shape: [20, 14])
    let svd = try SingularValueDecomposition(a)
    #expect(abs(a.frobeniusNorm - Float(svd.s.reduce(0.0) { $0 + Double($1 * $1) }.squareRoot())) < 1e-4)
    for k in [0, 1, 5, 14] {
        let truncated = svd.truncated(rank: k)
        #expect(truncated.u.shape == [20, k] && truncated.s.count == k && truncated.vt.shape == [k, 14])
        // Eckart-Young: the squared error is the energy of the dropped singular values.
        let error = (a - truncated.reconstructed()).frobeniusNorm
        let dropped = svd.s.dropFirst(k).reduce(0.0) { $0 + Double($1 * $1) }.squareRoot()
        #expect(abs(Double(error) - dropped) < 1e-4 * Double(a.frobeniusNorm))
    }
}
