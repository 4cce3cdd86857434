/// A numerical check of the running BLAS and LAPACK kernels against double-precision references.
///
/// Products of seeded random matrices in every transpose combination, at shapes that straddle the
/// kernels' blocking, and the reconstruction of a random matrix from its SVD. Correct
/// single-precision kernels stay within a few units of float rounding (relative to the sizes
/// involved); a kernel set that computes wrong results on a CPU misses by orders of magnitude.
public struct BLASSelfCheck: Encodable, Sendable {
    /// The largest product error, relative to the sum of `|a| |b|` over the inner dimension.
    public var gemmError: Double
    /// The largest reconstruction error of `U S Vᵀ`, relative to the largest matrix entry.
    public var svdError: Double
    /// Whether both errors are within the bounds of correct float32 kernels (`1e-5`).
    public var passed: Bool

    /// Runs the check with the kernels running now.
    public static func run() -> BLASSelfCheck {
        var random = RandomGenerator(seed: 1)
        var gemmError = 0.0
        for (m, k, n) in [(1, 7, 1), (5, 3, 8), (33, 65, 17), (96, 72, 80), (257, 129, 130)] {
            for transposeA in [false, true] {
                for transposeB in [false, true] {
                    let a = (0..<(m * k)).map { _ in Float.random(in: -1...1, using: &random) }
                    let b = (0..<(k * n)).map { _ in Float.random(in: -1...1, using: &random) }
                    gemmError = max(gemmError, productError(m, k, n, a, transposeA, b, transposeB))
                }
            }
        }
        let svdError = reconstructionError(rows: 60, columns: 40, random: &random)
        return BLASSelfCheck(gemmError: gemmError, svdError: svdError, passed: gemmError < 1e-5 && svdError < 1e-5)
    }

    private static func productError(_ m: Int, _ k: Int, _ n: Int, _ a: [Float], _ transposeA: Bool,
                                     _ b: [Float], _ transposeB: Bool) -> Double {
        var c = [Float](repeating: 0, count: m * n)
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    guard let a = a.baseAddress, let b = b.baseAddress, let c = c.baseAddress else { return }
                    gemm(m: m, n: n, k: k, a: a, transposeA: transposeA, b: b, transposeB: transposeB, c: c)
                }
            }
        }
        var worst = 0.0
        for i in 0..<m {
            for j in 0..<n {
                var exact = 0.0, magnitude = 0.0
                for p in 0..<k {
                    let x = Double(transposeA ? a[p * m + i] : a[i * k + p])
                    let y = Double(transposeB ? b[j * k + p] : b[p * n + j])
                    exact += x * y
                    magnitude += abs(x * y)
                }
                worst = max(worst, abs(exact - Double(c[i * n + j])) / max(magnitude, .leastNormalMagnitude))
            }
        }
        return worst
    }

    private static func reconstructionError(rows: Int, columns: Int, random: inout RandomGenerator) -> Double {
        let matrix = Tensor(shape: [rows, columns], scalars: (0..<(rows * columns)).map { _ in random.nextNormal() })
        guard let svd = try? SingularValueDecomposition(matrix) else { return .infinity }
        let largest = matrix.scalars.map { Double(abs($0)) }.max() ?? 1
        return zip(svd.reconstructed().scalars, matrix.scalars).map { Double(abs($0 - $1)) }.max().map { $0 / largest } ?? .infinity
    }
}
