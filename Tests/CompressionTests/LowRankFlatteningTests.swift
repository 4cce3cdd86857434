import Compression
import NN
import Testing
import TensorCore

/// A `[Y, X, C, F]` kernel that is exactly a sum of `terms` rank-1 terms `v ⊗ h ⊗ l ⊗ p`.
private func separableKernel(_ shape: [Int], terms: Int, seed: UInt64) -> Tensor {
    var generator = RandomGenerator(seed: seed)
    let factors = shape.map { generator.normal(shape: [$0, terms]) }
    var kernel = Tensor(zeros: shape)
    for y in 0..<shape[0] {
        for x in 0..<shape[1] {
            for c in 0..<shape[2] {
                for f in 0..<shape[3] {
                    var sum: Float = 0
                    for k in 0..<terms { sum += factors[0][y, k] * factors[1][x, k] * factors[2][c, k] * factors[3][f, k] }
                    kernel[y, x, c, f] = sum
                }
            }
        }
    }
    return kernel
}

/// `conv (kernel, stride, padding, relu) -> flatten` on 9x10x3 inputs.
private func model(kernel: Tensor, strides: Size2D, padding: Padding) -> Model {
    var generator = RandomGenerator(seed: 1)
    return Model(inputShape: [9, 10, kernel.shape[2]], layers: [
        ("conv", Conv2D(kernel: kernel, bias: generator.normal(shape: [kernel.shape[3]]), strides: strides,
                        padding: padding, activation: .relu)),
        ("flatten", Flatten()),
    ])
}

@Suite("Flattened convolutions")
struct LowRankFlatteningTests {
    @Test("an exactly separable kernel: the flattened layers give the original outputs",
          arguments: [Padding.valid, .same], [Size2D(1), Size2D(2), Size2D(2, 1)])
    func exactFlattening(padding: Padding, strides: Size2D) throws {
        let kernel = separableKernel([3, 5, 3, 4], terms: 2, seed: 2)
        let original = model(kernel: kernel, strides: strides, padding: padding)
        let result = try flattenConvolutions(of: original, layers: nil, settings: FlatteningSettings(rank: .rank(2)))
        let report = try #require(result.layers.first)
        #expect(report.status == .factorized && report.rank == 2 && report.method == "cp-als")
        #expect(report.relativeError! < 1e-4)
        #expect(result.model.outputShape == original.outputShape)

        var generator = RandomGenerator(seed: 3)
        let x = generator.normal(shape: [2, 9, 10, 3])
        let expected = original.predict(x), actual = result.model.predict(x)
        let scale = expected.scalars.map(abs).max()!
        let difference = zip(expected.scalars, actual.scalars).map { abs($0 - $1) }.max()!
        #expect(difference <= 1e-4 * scale, "max difference \(difference) at scale \(scale)")
    }

    @Test("the four layers: 1x1 without bias, (Y,1) and (1,X) depthwise with the strides, 1x1 with bias and activation")
    func layerStructure() throws {
        let kernel = separableKernel([3, 5, 3, 4], terms: 2, seed: 4)
        let original = model(kernel: kernel, strides: Size2D(2, 3), padding: .same)
        let result = try flattenConvolutions(of: original, layers: LayerSelection("conv"), settings: FlatteningSettings(rank: .rank(2)))
        #expect(result.model.layerNames == ["conv_l", "conv_v", "conv_h", "conv", "flatten"])
        #expect(result.layers.first?.replacement == ["conv_l", "conv_v", "conv_h", "conv"])
        let l = try #require(result.model.layer(named: "conv_l") as? Conv2D)
        let v = try #require(result.model.layer(named: "conv_v") as? DepthwiseConv2D)
        let h = try #require(result.model.layer(named: "conv_h") as? DepthwiseConv2D)
        let p = try #require(result.model.layer(named: "conv") as? Conv2D)
        #expect(l.kernel.shape == [1, 1, 3, 2] && l.bias == nil && l.activation == .linear && l.strides == Size2D(1))
        #expect(v.kernel.shape == [3, 1, 2, 1] && v.bias == nil && v.activation == .linear)
        #expect(v.strides == Size2D(2, 1) && v.padding == .same)
        #expect(h.kernel.shape == [1, 5, 2, 1] && h.bias == nil && h.activation == .linear)
        #expect(h.strides == Size2D(1, 3) && h.padding == .same)
        #expect(p.kernel.shape == [1, 1, 2, 4] && p.activation == .relu && p.strides == Size2D(1))
        #expect(p.bias?.value == (original.layer(named: "conv") as? Conv2D)?.bias?.value)
        let report = try #require(result.layers.first)
        #expect(report.parametersBefore == 3 * 5 * 3 * 4 + 4)
        #expect(report.parametersAfter == 2 * (3 + 3 + 5 + 4) + 4)
    }

    @Test("ratio picks the largest K; a K that saves nothing leaves the layer alone")
    func rankChoice() throws {
        // LeNet-5 conv2, 5x5x20x50 and 50 biases: 80 weights per term, 25,050 / 3 = 8,350 -> K = 103.
        #expect(largestRank(weightsPerRank: 20 + 5 + 5 + 50, originalWeights: 25_000, biasCount: 50, ratio: 3) == 103)
        var generator = RandomGenerator(seed: 5)
        let kernel = generator.normal(shape: [3, 3, 4, 6])   // 216 weights, 16 per term
        let original = model(kernel: kernel, strides: Size2D(1), padding: .valid)
        let byRatio = try flattenConvolutions(of: original, layers: nil,
                                              settings: FlatteningSettings(rank: .ratio(2), maxIterations: 20, restarts: 1))
        #expect(byRatio.layers.first?.rank == 6)   // 6 * 16 + 6 = 102 <= 222 / 2 < 7 * 16 + 6
        let tooMany = try flattenConvolutions(of: original, layers: nil, settings: FlatteningSettings(rank: .rank(14)))
        #expect(tooMany.model.layer(named: "conv") === original.layer(named: "conv"))
        guard case .leftAlone(let reason) = tooMany.layers.first?.status else {
            Issue.record("14 terms (224 weights for 216) were applied")
            return
        }
        #expect(reason.contains("saves nothing"))
    }

    @Test("a selection without Conv2D layers and bad settings are errors")
    func errors() {
        let original = model(kernel: Tensor(zeros: [3, 3, 3, 2]), strides: Size2D(1), padding: .valid)
        #expect(throws: CompressionError.self) {
            try flattenConvolutions(of: original, layers: LayerSelection("flatten"), settings: FlatteningSettings(rank: .rank(1)))
        }
        for settings in [FlatteningSettings(rank: .rank(0)), FlatteningSettings(rank: .ratio(0.9)),
                         FlatteningSettings(rank: .rank(1), maxIterations: 0), FlatteningSettings(rank: .rank(1), restarts: 0)] {
            #expect(throws: CompressionError.self) { try flattenConvolutions(of: original, layers: nil, settings: settings) }
        }
    }
}

@Suite("CP decomposition by alternating least squares")
struct CPDecompositionTests {
    @Test("a tensor of CP rank K is recovered, with balanced terms")
    func exactRecovery() throws {
        let tensor = separableKernel([4, 3, 5, 6], terms: 3, seed: 6)
        let cp = try CPDecomposition(fitting: tensor, rank: 3, seed: 1)
        #expect(cp.factors.map(\.shape) == [[4, 3], [3, 3], [5, 3], [6, 3]])
        #expect(cp.relativeError < 1e-4)
        let reconstruction = cp.reconstructed()
        #expect((reconstruction - tensor).frobeniusNorm <= 1e-4 * tensor.frobeniusNorm)
        for r in 0..<3 {
            let norms = cp.factors.map { factor in (0..<factor.shape[0]).reduce(Float(0)) { $0 + factor[$1, r] * factor[$1, r] }.squareRoot() }
            #expect(norms.allSatisfy { abs($0 - norms[0]) <= 1e-4 * norms[0] })
        }
    }

    @Test("more terms fit better; the reported error is the reconstruction's")
    func errorFallsWithRank() throws {
        var generator = RandomGenerator(seed: 7)
        let tensor = generator.normal(shape: [5, 5, 6, 8])
        var previous = Double.infinity
        for rank in [1, 4, 16] {
            let cp = try CPDecomposition(fitting: tensor, rank: rank, maxIterations: 100, seed: 2)
            let direct = Double((cp.reconstructed() - tensor).frobeniusNorm / tensor.frobeniusNorm)
            #expect(abs(direct - cp.relativeError) < 1e-4)
            #expect(cp.relativeError < previous)
            previous = cp.relativeError
        }
    }

    @Test("the same seed gives the same factors; a zero tensor has zero error")
    func deterministic() throws {
        var generator = RandomGenerator(seed: 8)
        let tensor = generator.normal(shape: [3, 3, 4, 5])
        let a = try CPDecomposition(fitting: tensor, rank: 4, maxIterations: 50, seed: 3)
        let b = try CPDecomposition(fitting: tensor, rank: 4, maxIterations: 50, seed: 3)
        #expect(a.factors == b.factors && a.relativeError == b.relativeError)
        let zero = try CPDecomposition(fitting: Tensor(zeros: [2, 3, 4]), rank: 2)
        #expect(zero.relativeError == 0 && zero.reconstructed() == Tensor(zeros: [2, 3, 4]))
    }
}
