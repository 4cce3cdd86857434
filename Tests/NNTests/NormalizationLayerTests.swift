import Testing
import TensorCore
@testable import NN

@Suite("Layer normalization, Normalization and Rescaling")
struct NormalizationLayerTests {
    @Test func layerNormalizationValues() {
        let layer = LayerNormalization(channels: 4, epsilon: 0)
        #expect(layer.parameters.map(\.name) == ["gamma", "beta"])
        layer.gamma!.value = Tensor(shape: [4], scalars: [1, 2, 1, 1])
        layer.beta!.value = Tensor(shape: [4], scalars: [0, 0, 0, 10])
        // Row [1, 2, 3, 4]: mean 2.5, variance 1.25.
        let y = layer(Variable(Tensor(shape: [1, 4], scalars: [1, 2, 3, 4]))).value.scalars
        let s = 1 / Float(1.25).squareRoot()
        expectClose(y, [-1.5 * s, -1 * s, 0.5 * s, 1.5 * s + 10])
        #expect(LayerNormalization(channels: 3, center: false).parameters.map(\.name) == ["gamma"])
    }

    @Test(arguments: [(true, true), (false, true), (true, false)])
    func layerNormalizationGradients(_ center: Bool, _ scale: Bool) {
        let layer = LayerNormalization(channels: 5, center: center, scale: scale)
        layer.gamma?.value = randomTensor([5], seed: 1, scale: 2)
        layer.beta?.value = randomTensor([5], seed: 2)
        let x = Variable(randomTensor([2, 3, 4, 5], seed: 3, scale: 2), requiresGrad: true)
        let targets = [CheckTarget("x", x)] + layer.parameters.map { CheckTarget($0.name, $0) }
        checkGradients(targets, tolerance: 3e-2) { layer(x, training: true) }
    }

    @Test func layerNormalizationAcrossWorkers() {
        let layer = LayerNormalization(channels: 64)
        layer.gamma!.value = randomTensor([64], seed: 4)
        let x = Variable(randomTensor([512, 64], seed: 5), requiresGrad: true)
        let y = layer(x).value
        // Row 300: mean gamma-weighted output checks the normalisation of a late row.
        var mean: Float = 0, squares: Float = 0
        for j in 0..<64 { mean += x.value[300, j] }
        mean /= 64
        for j in 0..<64 { squares += (x.value[300, j] - mean) * (x.value[300, j] - mean) }
        let expected = (x.value[300, 7] - mean) / (squares / 64 + 1e-3).squareRoot() * layer.gamma!.value[7]
        #expect(abs(y[300, 7] - expected) < 1e-5)
        checkGradients([CheckTarget("x", x), CheckTarget("gamma", layer.gamma!), CheckTarget("beta", layer.beta!)], samples: 8) {
            layer(x, training: true)
        }
    }

    @Test func normalizationFollowsKeras3() {
        // (x - mean) / max(sqrt(variance), 1e-7): a zero variance divides by 1e-7.
        let layer = Normalization(mean: Tensor(shape: [3], scalars: [1, 2, 0]), variance: Tensor(shape: [3], scalars: [4, 0.25, 0]))
        #expect(layer.parameters.map(\.name) == ["mean", "variance"] && layer.parameters.allSatisfy { !$0.isTrainable })
        let x = Variable(Tensor(shape: [1, 1, 3], scalars: [5, 1, 3e-7]), requiresGrad: true)
        expectClose(layer(x).value.scalars, [2, -2, 3])
        let input = Variable(randomTensor([2, 4, 3], seed: 6), requiresGrad: true)
        let moderate = Normalization(mean: Tensor(shape: [3], scalars: [1, 2, 0]), variance: Tensor(shape: [3], scalars: [4, 0.25, 2]))
        checkGradients([CheckTarget("x", input)]) { moderate(input, training: true) }
    }

    @Test func rescaling() {
        let x = Variable(Tensor(shape: [1, 3], scalars: [0, 127.5, 255]), requiresGrad: true)
        expectClose(Rescaling(scale: 1 / 127.5, offset: -1)(x).value.scalars, [-1, 0, 1])
        checkGradients([CheckTarget("x", x)]) { Rescaling(scale: 0.5, offset: 3)(x, training: true) }
        // Per channel, as EfficientNet's 1 / sqrt(stddev) of each colour.
        let pixels = Variable(Tensor(shape: [1, 2, 3], scalars: [1, 1, 1, 2, 4, 8]), requiresGrad: true)
        #expect(Rescaling(scale: [1, 0.5, 0.25])(pixels).value.scalars == [1, 0.5, 0.25, 2, 2, 2])
        #expect(Rescaling(scale: [2], offset: [0, 1, 2])(pixels).value.scalars == [2, 3, 4, 4, 9, 18])
        checkGradients([CheckTarget("pixels", pixels)]) { Rescaling(scale: [1, -2, 3], offset: [1])(pixels, training: true) }
    }
}
