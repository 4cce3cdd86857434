import Testing
import TensorCore

/// `op(A) x op(B)` by the definition, in `Double`, with the matching sums of `|a| |b|` that bound
/// the rounding error.
private func referenceProduct(
    _ a: Tensor, _ b: Tensor, transposeA: Bool, transposeB: Bool
) -> (product: [Double], magnitude: [Double]) {
    let m = transposeA ? a.shape[1] : a.shape[0]
    let k = transposeA ? a.shape[0] : a.shape[1]
    let n = transposeB ? b.shape[0] : b.shape[1]
    var product = [Double](repeating: 0, count: m * n)
    var magnitude = [Double](repeating: 0, count: m * n)
    for i in 0..<m {
        for j in 0..<n {
            for p in 0..<k {
                let x = Double(transposeA ? a[p, i] : a[i, p])
                let y = Double(transposeB ? b[j, p] : b[p, j])
                product[i * n + j] += x * y
                magnitude[i * n + j] += abs(x * y)
            }
        }
    }
    return (product, magnitude)
}

/// `(m, k, n)` for `[m, k] x [k, n]`: vectors, a zero inner extent, empty outputs, non-square
/// matrices, sizes that straddle BLAS blocking, and a few seeded random shapes.
private let shapes: [[Int]] = {
    var shapes = [[1, 1, 1], [1, 9, 1], [1, 13, 7], [7, 13, 1], [9, 1, 6], [3, 0, 4], [0, 5, 3], [4, 5, 0],
                  [5, 3, 8], [17, 33, 9], [64, 65, 63]]
    var generator = RandomGenerator(seed: 7)
    for _ in 0..<8 { shapes.append((0..<3).map { _ in 1 + generator.nextInt(below: 40) }) }
    return shapes
}()

@Test("matmul matches a Double triple loop for every transpose combination", arguments: shapes)
func matmulMatchesReference(shape: [Int]) {
    let (m, k, n) = (shape[0], shape[1], shape[2])
    var generator = RandomGenerator(seed: UInt64(m * 10_000 + k * 100 + n))
    for (transposeA, transposeB) in [(false, false), (true, false), (false, true), (true, true)] {
        let a = generator.uniform(shape: transposeA ? [k, m] : [m, k], low: -1, high: 1)
        let b = generator.uniform(shape: transposeB ? [n, k] : [k, n], low: -1, high: 1)
        let c = matmul(a, b, transposeA: transposeA, transposeB: transposeB)
        #expect(c.shape == [m, n])
        let reference = referenceProduct(a, b, transposeA: transposeA, transposeB: transposeB)
        for i in 0..<(m * n) {
            // Float32 accumulation: error grows at most like k * eps * sum |a| |b|.
            let tolerance = 2 * Double(k + 1) * Double(Float.ulpOfOne) * reference.magnitude[i] + 1e-7
            #expect(abs(Double(c.scalars[i]) - reference.product[i]) <= tolerance,
                    "transposeA \(transposeA), transposeB \(transposeB), element \(i)")
        }
    }
}

@Test func gemmAppliesAlphaAndBeta() {
    var generator = RandomGenerator(seed: 3)
    let a = generator.uniform(shape: [4, 6], low: -1, high: 1)
    let b = generator.uniform(shape: [6, 5], low: -1, high: 1)
    let start = generator.uniform(shape: [4, 5], low: -1, high: 1)
    var c = start.scalars
    a.scalars.withUnsafeBufferPointer { pa in
        b.scalars.withUnsafeBufferPointer { pb in
            gemm(m: 4, n: 5, k: 6, a: pa.baseAddress!, b: pb.baseAddress!, c: &c, alpha: 2, beta: -0.5)
        }
    }
    let expected = (matmul(a, b) * 2 + start * -0.5).scalars
    #expect(maxAbsoluteDifference(c, expected) < 1e-5)
}

@Test func gemmWithEmptyInnerExtentScalesOutputByBeta() {
    let nothing: [Float] = [0]
    var c: [Float] = [1, 2, 3, 4, 5, 6]
    gemm(m: 2, n: 3, k: 0, a: nothing, b: nothing, c: &c, beta: 0.5)
    #expect(c == [0.5, 1, 1.5, 2, 2.5, 3])
    gemm(m: 2, n: 3, k: 0, a: nothing, b: nothing, c: &c, beta: 0)
    #expect(c == [0, 0, 0, 0, 0, 0])
}
