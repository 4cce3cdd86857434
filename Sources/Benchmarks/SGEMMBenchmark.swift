import Foundation
import TensorCore

/// `bench sgemm`: GFLOP/s of `matmul` on random square matrices.
///
/// Each size is warmed up once (OpenBLAS starts its threads and faults in buffers on the first
/// call), then timed `repeats` times; the best run counts, as `2 n³` flops over its seconds.
/// The output allocation is part of the timed call, as it is for NumPy's `a @ b`.
struct SGEMMBenchmark {
    let sizes: [Int]
    let repeats: Int

    init(options: Options) throws(UsageError) {
        sizes = try options.positiveIntegers("sizes", default: [1024, 2048])
        repeats = try options.positiveInteger("repeats", default: 5)
    }

    func run() {
        print("# \(BLASBackend.configuration); \(BLASBackend.kernelSummary)")
        var generator = RandomGenerator(seed: 1)
        for n in sizes {
            let a = generator.uniform(shape: [n, n], low: -1, high: 1)
            let b = generator.uniform(shape: [n, n], low: -1, high: 1)
            withExtendedLifetime(matmul(a, b)) {}
            var best = Double.infinity
            for _ in 0..<repeats {
                let start = ContinuousClock.now
                let product = matmul(a, b)
                let elapsed = ContinuousClock.now - start
                withExtendedLifetime(product) {}
                best = min(best, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
            }
            let gflops = 2 * Double(n) * Double(n) * Double(n) / best / 1e9
            print(String(format: "sgemm n=%d gflops=%.1f seconds=%.4f", n, gflops, best))
        }
    }
}
