import Foundation
import TensorCore

/// `bench svd`: the full SVD of a square matrix and the rank-`k` randomized SVD of a tall one,
/// both read from raw float32 files so another implementation can time the same bytes.
///
/// `--dir` holds `square.f32` and `tall.f32` (row-major float32), `shapes.txt` (lines
/// `square M N` and `tall M N`) and `tall-spectrum.f64` (the tall matrix's singular values,
/// descending, float64), as `Scripts/bench-svd.sh` writes them. Each decomposition is timed
/// `--repeats` times and the best run counts; there is no separate warm-up call, since one call
/// takes seconds and a warm-up would double the run. The randomized SVD's relative error
/// `‖A − U S Vᵀ‖_F / ‖A‖_F` is printed beside the optimal rank-`k` error `√(Σ_{i≥k} s_i²) / ‖A‖_F`
/// (Eckart–Young, from the known spectrum) and their ratio. With `--full-tall 1` the tall matrix
/// is also decomposed in full (`sgesdd`, timed once): the speed-up on the same matrix, and the
/// optimal error from the computed singular values as a check of the known spectrum.
struct SVDBenchmark {
    let directory: URL
    let rank: Int
    let oversampling: Int
    let powerIterations: Int
    let repeats: Int
    let fullTall: Bool

    init(options: Options) throws(UsageError) {
        guard let directory = options.string("dir") else { throw UsageError("svd needs --dir") }
        self.directory = URL(fileURLWithPath: directory)
        rank = try options.positiveInteger("rank", default: 256)
        oversampling = try options.nonNegativeInteger("oversampling", default: SingularValueDecomposition.defaultOversampling)
        powerIterations = try options.nonNegativeInteger("power-iterations", default: SingularValueDecomposition.defaultPowerIterations)
        repeats = try options.positiveInteger("repeats", default: 2)
        fullTall = try options.nonNegativeInteger("full-tall", default: 0) > 0
    }

    func run() throws {
        print("# \(BLASBackend.configuration); \(BLASBackend.kernelSummary)")
        let shapes = try readShapes()
        guard let squareShape = shapes["square"], let tallShape = shapes["tall"] else {
            throw UsageError("\(directory.path)/shapes.txt needs lines 'square M N' and 'tall M N'")
        }
        let square = try readMatrix("square.f32", shape: squareShape)
        let full = try best { try SingularValueDecomposition(square) }
        print(String(format: "full-svd m=%d n=%d seconds=%.4f", squareShape[0], squareShape[1], full.seconds))

        let tall = try readMatrix("tall.f32", shape: tallShape)
        let spectrum = try Data(contentsOf: directory.appendingPathComponent("tall-spectrum.f64")).withUnsafeBytes {
            Array($0.bindMemory(to: Double.self))
        }
        let randomized = try best {
            try SingularValueDecomposition(randomized: tall, rank: rank, oversampling: oversampling,
                                           powerIterations: powerIterations, seed: 1)
        }
        let norm = tall.scalars.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        let residual = tall - randomized.result.reconstructed()
        let error = residual.scalars.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot() / norm
        let optimal = spectrum.dropFirst(rank).reduce(0.0) { $0 + $1 * $1 }.squareRoot() / norm
        print(String(format: "randomized-svd m=%d n=%d rank=%d oversampling=%d power-iterations=%d seconds=%.4f error=%.6f optimal=%.6f ratio=%.5f",
                     tallShape[0], tallShape[1], rank, oversampling, powerIterations, randomized.seconds, error, optimal,
                     error / optimal))
        if fullTall {
            let start = ContinuousClock.now
            let exact = try SingularValueDecomposition(tall)
            let elapsed = ContinuousClock.now - start
            let exactOptimal = exact.s.dropFirst(rank).reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot() / norm
            print(String(format: "full-svd-tall m=%d n=%d seconds=%.4f optimal-from-svd=%.6f", tallShape[0], tallShape[1],
                         Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18, exactOptimal))
        }
    }

    /// The last result and the best time of `repeats` timed calls.
    private func best<T>(_ body: () throws -> T) rethrows -> (result: T, seconds: Double) {
        var result: T?
        var fastest = Double.infinity
        for _ in 0..<repeats {
            let start = ContinuousClock.now
            result = try body()
            let elapsed = ContinuousClock.now - start
            fastest = min(fastest, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
        }
        return (result!, fastest)
    }

    private func readShapes() throws -> [String: [Int]] {
        let text = try String(contentsOf: directory.appendingPathComponent("shapes.txt"), encoding: .utf8)
        var shapes: [String: [Int]] = [:]
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count == 3, let m = Int(fields[1]), let n = Int(fields[2]) { shapes[String(fields[0])] = [m, n] }
        }
        return shapes
    }

    private func readMatrix(_ name: String, shape: [Int]) throws -> Tensor {
        let data = try Data(contentsOf: directory.appendingPathComponent(name))
        guard data.count == shape[0] * shape[1] * MemoryLayout<Float>.size else {
            throw UsageError("\(name) holds \(data.count) bytes, expected \(shape[0]) x \(shape[1]) float32")
        }
        return Tensor(shape: shape, scalars: data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) })
    }
}

extension Options {
    /// A non-negative integer option.
    func nonNegativeInteger(_ name: String, default defaultValue: Int) throws(UsageError) -> Int {
        guard let text = string(name) else { return defaultValue }
        guard let value = Int(text), value >= 0 else {
            throw UsageError("--\(name) needs an integer at least 0, got '\(text)'")
        }
        return value
    }
}
