import Compression
import NN
import Testing
import TensorCore

/// An `m x k` matrix `U diag(spectrum) Vᵀ` with random orthonormal factors: its singular values
/// are exactly `spectrum`.
private func matrix(_ m: Int, _ k: Int, spectrum: [Float], seed: UInt64) throws -> Tensor {
    var generator = RandomGenerator(seed: seed)
    let u = try SingularValueDecomposition(generator.normal(shape: [m, spectrum.count])).u
    let vt = try SingularValueDecomposition(generator.normal(shape: [spectrum.count, k])).vt
    return SingularValueDecomposition(u: u, s: spectrum, vt: vt).reconstructed()
}

/// `flatten -> fc1 (relu) -> fc2 (softmax)` on 6x5 inputs with the given fc1 kernel.
private func model(fc1 kernel: Tensor, seed: UInt64 = 1) -> Model {
    var generator = RandomGenerator(seed: seed)
    let units = kernel.shape[1]
    return Model(inputShape: [6, 5, 1], layers: [
        ("flatten", Flatten()),
        ("fc1", Dense(kernel: kernel, bias: generator.normal(shape: [units]), activation: .relu)),
        ("fc2", Dense(kernel: generator.normal(shape: [units, 4]), bias: generator.normal(shape: [4]), activation: .softmax)),
    ])
}

private func maxDifference(_ a: Tensor, _ b: Tensor) -> Float {
    zip(a.scalars, b.scalars).reduce(0) { max($0, abs($1.0 - $1.1)) }
}

@Suite("SVD of dense layers")
struct LowRankDenseTests {
    @Test("a kernel of exact rank t becomes fc1_u (no bias, linear) and fc1 (bias, activation) with the same outputs")
    func exactFactorization() throws {
        let kernel = try matrix(30, 20, spectrum: [5, 3, 2], seed: 2)
        let original = model(fc1: kernel)
        let result = try factorizeDenseLayers(of: original, layers: LayerSelection("fc1"), settings: DenseSVDSettings(rank: .rank(3)))
        #expect(result.model.layerNames == ["flatten", "fc1_u", "fc1", "fc2"])
        let first = try #require(result.model.layer(named: "fc1_u") as? Dense)
        let second = try #require(result.model.layer(named: "fc1") as? Dense)
        #expect(first.kernel.shape == [30, 3] && first.bias == nil && first.activation == .linear)
        #expect(second.kernel.shape == [3, 20] && second.activation == .relu)
        #expect(second.bias?.value == (original.layer(named: "fc1") as? Dense)?.bias?.value)
        #expect(result.model.layer(named: "fc2") === original.layer(named: "fc2"))

        var generator = RandomGenerator(seed: 3)
        let x = generator.normal(shape: [8, 6, 5, 1])
        #expect(maxDifference(result.model.predict(x), original.predict(x)) < 1e-5)

        let report = try #require(result.layers.first)
        #expect(result.layers.count == 1)
        #expect(report.status == .factorized && report.rank == 3 && report.method == "gesdd")
        #expect(report.parametersBefore == 30 * 20 + 20 && report.parametersAfter == 3 * (30 + 20) + 20)
        #expect(report.relativeError! < 1e-5 && report.discardedEnergy! < 1e-6)
        #expect(report.replacement == ["fc1_u", "fc1"])
    }

    @Test("the split is balanced: both factors carry the square root of each singular value")
    func balancedSplit() throws {
        let result = try factorizeDenseLayers(of: model(fc1: try matrix(30, 20, spectrum: [16, 4, 1], seed: 4)),
                                              layers: LayerSelection("fc1"), settings: DenseSVDSettings(rank: .rank(3)))
        let first = try #require(result.model.layer(named: "fc1_u") as? Dense).kernel.value
        let second = try #require(result.model.layer(named: "fc1") as? Dense).kernel.value
        let columnNorms = (first * first).sum(alongAxis: 0).scalars.map { $0.squareRoot() }
        let rowNorms = (second * second).sum(alongAxis: 1).scalars.map { $0.squareRoot() }
        for (expected, (column, row)) in zip([Float(4), 2, 1], zip(columnNorms, rowNorms)) {
            #expect(abs(column - expected) < 1e-4 && abs(row - expected) < 1e-4)
        }
    }

    @Test("the error and the discarded energy are those of Eckart–Young")
    func truncationError() throws {
        let spectrum: [Float] = [8, 4, 2, 1, 0.5, 0.25]
        let result = try factorizeDenseLayers(of: model(fc1: try matrix(30, 20, spectrum: spectrum, seed: 5)),
                                              layers: LayerSelection("fc1"), settings: DenseSVDSettings(rank: .rank(2)))
        let total = spectrum.reduce(0.0) { $0 + Double($1 * $1) }
        let dropped = spectrum.dropFirst(2).reduce(0.0) { $0 + Double($1 * $1) }
        let report = try #require(result.layers.first)
        #expect(abs(report.discardedEnergy! - dropped / total) < 1e-5)
        #expect(abs(report.relativeError! - (dropped / total).squareRoot()) < 1e-4)
    }

    @Test("energy picks the smallest rank reaching the fraction")
    func energyRank() throws {
        #expect(smallestRank(keeping: 0.9, of: [3, 2, 1]) == 2)   // 13/14 ≥ 0.9 > 9/14
        #expect(smallestRank(keeping: 0.6, of: [3, 2, 1]) == 1)
        #expect(smallestRank(keeping: 13.0 / 14.0, of: [3, 2, 1]) == 2)
        #expect(smallestRank(keeping: 1, of: [3, 2, 1]) == 3)
        let spectrum: [Float] = [10, 6, 3, 1, 0.5, 0.2]
        let kernel = try matrix(30, 40, spectrum: spectrum, seed: 6)
        let result = try factorizeDenseLayers(of: model(fc1: kernel), layers: LayerSelection("fc1"),
                                              settings: DenseSVDSettings(rank: .energy(0.95)))
        // 100 / 146.3 = 0.68, 136 / 146.3 = 0.93, 145 / 146.3 = 0.991.
        #expect(result.layers.first?.rank == 3)
        #expect(result.layers.first!.discardedEnergy! <= 0.05)
    }

    @Test("ratio picks the largest rank with t (m + k) + k <= (m k + k) / ratio")
    func ratioRank() throws {
        #expect(largestRank(weightsPerRank: 784 + 300, originalWeights: 784 * 300, biasCount: 300, ratio: 4) == 54)
        #expect(largestRank(weightsPerRank: 300 + 100, originalWeights: 300 * 100, biasCount: 100, ratio: 4) == 18)
        #expect(largestRank(weightsPerRank: 80, originalWeights: 25_000, biasCount: 50, ratio: 3) == 103)
        #expect(largestRank(weightsPerRank: 80, originalWeights: 25_000, ratio: 3) == 104)
        #expect(largestRank(weightsPerRank: 10, originalWeights: 100, ratio: 2) == 5)   // exactly 50 fits
        #expect(largestRank(weightsPerRank: 110, originalWeights: 100, ratio: 1) == 0)
        var generator = RandomGenerator(seed: 7)
        let result = try factorizeDenseLayers(of: model(fc1: generator.normal(shape: [30, 40])), layers: LayerSelection("fc1"),
                                              settings: DenseSVDSettings(rank: .ratio(3)))
        let report = try #require(result.layers.first)
        #expect(report.rank == 5)   // 5 * 70 + 40 = 390 <= 1240 / 3 < 6 * 70 + 40
        #expect(3 * report.parametersAfter <= report.parametersBefore)
    }

    @Test("a rank that saves nothing leaves the layer alone, and says so")
    func leftAlone() throws {
        var generator = RandomGenerator(seed: 8)
        let original = model(fc1: generator.normal(shape: [30, 20]))
        let result = try factorizeDenseLayers(of: original, layers: nil, settings: DenseSVDSettings(rank: .rank(12)))
        // fc1: 12 * 50 = 600 >= 600; fc2 (20 x 4): 12 * 24 > 80.
        #expect(result.model.layerNames == original.layerNames)
        #expect(result.model.layer(named: "fc1") === original.layer(named: "fc1"))
        #expect(result.layers.map(\.layer) == ["fc1", "fc2"])
        for report in result.layers {
            guard case .leftAlone(let reason) = report.status else { Issue.record("\(report.layer) was factorized"); continue }
            #expect(reason.contains("saves nothing"))
            #expect(report.parametersAfter == report.parametersBefore)
        }
    }

    @Test("selected layers of other types are reported, not factorized; a selection without Dense layers is an error")
    func selection() throws {
        var generator = RandomGenerator(seed: 9)
        let original = model(fc1: generator.normal(shape: [30, 20]))
        let result = try factorizeDenseLayers(of: original, layers: LayerSelection("f*"), settings: DenseSVDSettings(rank: .rank(2)))
        #expect(result.layers.map(\.layer) == ["flatten", "fc1", "fc2"])
        #expect(result.layers[0].status == .leftAlone("a Flatten layer, not Dense"))
        #expect(throws: CompressionError.self) {
            try factorizeDenseLayers(of: original, layers: LayerSelection("flatten"), settings: DenseSVDSettings(rank: .rank(2)))
        }
        #expect(throws: CompressionError.self) {
            try factorizeDenseLayers(of: original, layers: LayerSelection("conv*"), settings: DenseSVDSettings(rank: .rank(2)))
        }
    }

    @Test("a taken name gets a suffix; names stay unique")
    func uniqueNames() throws {
        var generator = RandomGenerator(seed: 10)
        let original = Model(inputShape: [12], layers: [
            ("fc1_u", Dense(inputCount: 12, units: 10, generator: &generator)),
            ("fc1", Dense(inputCount: 10, units: 10, generator: &generator)),
        ])
        let result = try factorizeDenseLayers(of: original, layers: LayerSelection("fc1"), settings: DenseSVDSettings(rank: .rank(2)))
        #expect(result.model.layerNames == ["fc1_u", "fc1_u_1", "fc1"])
    }

    @Test("bad settings are errors naming the setting")
    func badSettings() {
        let original = model(fc1: Tensor(zeros: [30, 20]))
        for settings in [DenseSVDSettings(rank: .rank(0)), DenseSVDSettings(rank: .energy(1.5)), DenseSVDSettings(rank: .ratio(0.5)),
                         DenseSVDSettings(rank: .energy(0.9), method: .randomized)] {
            #expect(throws: CompressionError.self) { try factorizeDenseLayers(of: original, layers: nil, settings: settings) }
        }
        var kernel = Tensor(zeros: [30, 20])
        kernel[1, 2] = .nan
        #expect(throws: CompressionError("layer fc1: field kernel: SingularValueDecomposition: input contains NaN or infinity")) {
            try factorizeDenseLayers(of: model(fc1: kernel), layers: LayerSelection("fc1"), settings: DenseSVDSettings(rank: .rank(2)))
        }
    }

    @Test("the randomized method: near the full SVD's error; chosen automatically only for large layers at small rank")
    func randomized() throws {
        let spectrum = (0..<30).map { Float(1) / Float(1 + $0) }
        let kernel = try matrix(30, 40, spectrum: spectrum, seed: 11)
        func error(_ method: SVDMethod) throws -> (Double, String) {
            let result = try factorizeDenseLayers(of: model(fc1: kernel), layers: LayerSelection("fc1"),
                                                  settings: DenseSVDSettings(rank: .rank(5), method: method))
            return (result.layers[0].relativeError!, result.layers[0].method)
        }
        let (full, fullMethod) = try error(.full)
        let (sketched, sketchedMethod) = try error(.randomized)
        #expect(fullMethod == "gesdd" && sketchedMethod == "randomized")
        #expect(sketched >= full * 0.9999 && sketched <= full * 1.02)

        let automatic = DenseSVDSettings(rank: .rank(32))
        #expect(automatic.usesRandomizedSVD(rank: 32, inputCount: 25088, units: 4096))
        #expect(!automatic.usesRandomizedSVD(rank: 32, inputCount: 784, units: 300))       // small layer
        #expect(!automatic.usesRandomizedSVD(rank: 1100, inputCount: 25088, units: 4096))  // large rank
        #expect(!DenseSVDSettings(rank: .energy(0.9)).usesRandomizedSVD(rank: 32, inputCount: 25088, units: 4096))
    }
}
