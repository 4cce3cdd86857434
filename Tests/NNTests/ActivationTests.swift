import Foundation
import Testing
import TensorCore
@testable import NN

@Suite("Activations of MobileNet, EfficientNet and kin")
struct ActivationTests {
    static let x = Tensor(shape: [1, 4], scalars: [-4, -1, 0.5, 3.5])

    static let expected: [(Activation, [Float])] = [
        (.silu, [-0.07194484, -0.26894142, 0.31122967, 3.3974072]),
        (.gelu, [-0.00012668497, -0.15865525, 0.34573123, 3.4991858]),
        (.geluApproximate, [-7.0245948e-05, -0.15880801, 0.34571401, 3.4993838]),
        (.hardSigmoid, [0, 1.0 / 3, 0.58333333, 1]),
        (.hardSilu, [0, -1.0 / 3, 0.29166667, 3.5]),
        (.softplus, [0.018149928, 0.31326169, 0.97407698, 3.5297504]),
        (.elu, [-0.98168436, -0.63212056, 0.5, 3.5]),
        (.leakyRelu, [-0.8, -0.2, 0.5, 3.5]),
    ]

    @Test(arguments: ActivationTests.expected)
    func values(_ activation: Activation, _ expected: [Float]) {
        expectClose(Variable(ActivationTests.x).activated(activation).value.scalars, expected, tolerance: 1e-6)
    }

    @Test func kerasNames() {
        #expect(Activation(kerasName: "swish") == .silu && Activation(kerasName: "silu") == .silu)
        #expect(Activation(kerasName: "hard_swish") == .hardSilu && Activation(kerasName: "hard_silu") == .hardSilu)
        #expect(Activation(kerasName: "gelu") == .gelu && Activation(kerasName: "hard_sigmoid") == .hardSigmoid)
        #expect(Activation(kerasName: "leaky_relu") == .leakyRelu && Activation(kerasName: "softplus") == .softplus)
        #expect(Activation.allCases.filter(\.derivativeNeedsInput) == [.silu, .gelu, .geluApproximate, .hardSilu])
    }

    @Test func softplusIsStableForLargeInputs() {
        let y = Variable(Tensor(shape: [3], scalars: [-100, 100, 0])).activated(.softplus).value.scalars
        expectClose(y, [0, 100, Float(log(2.0))])
    }

    /// Activations whose derivative needs the input run after the layer, unfused: the same values
    /// as a linear layer followed by the activation, and correct gradients.
    @Test(arguments: [Activation.silu, .gelu, .hardSilu])
    func layersApplyInputActivationsUnfused(_ activation: Activation) {
        var rng = RandomGenerator(seed: 1)
        let conv = Conv2D(inputChannels: 2, filters: 3, kernelSize: Size2D(3), padding: .same, activation: activation, generator: &rng)
        let depthwise = DepthwiseConv2D(inputChannels: 3, kernelSize: Size2D(3), depthMultiplier: 2, activation: activation,
                                        generator: &rng)
        let dense = Dense(inputCount: 2, units: 4, activation: activation, generator: &rng)
        let x = Variable(randomTensor([2, 5, 5, 2], seed: 2), requiresGrad: true)
        let h = conv(x)
        #expect(h.value == conv.forward(x, training: false, activation: .linear).activated(activation).value)
        let d = dense(x)
        #expect(d.value == dense.forward(x, training: false, activation: .linear).activated(activation).value)
        let z = depthwise(h)
        #expect(z.value == depthwise.forward(h, training: false, activation: .linear).activated(activation).value)
        checkGradients([CheckTarget("x", x), CheckTarget("conv kernel", conv.kernel), CheckTarget("dense kernel", dense.kernel),
                        CheckTarget("depthwise kernel", depthwise.kernel)], h: 5e-3) {
            concatenate([depthwise(conv(x, training: true), training: true).flattened(), dense(x, training: true).flattened()])
        }
    }

    @Test func reluLayerFollowsKeras() {
        // Keras' documented examples.
        let x = Variable(Tensor(shape: [1, 5], scalars: [-10, -5, 0, 5, 10]))
        #expect(ReLU()(x).value.scalars == [0, 0, 0, 5, 10])
        #expect(ReLU(negativeSlope: 0.5)(x).value.scalars == [-5, -2.5, 0, 5, 10])
        #expect(ReLU(maxValue: 5)(x).value.scalars == [0, 0, 0, 5, 5])
        #expect(ReLU(threshold: 5)(x).value.scalars == [0, 0, 0, 0, 10])
        #expect(ReLU(maxValue: 10, negativeSlope: 0.5)(x).value.scalars == [-5, -2.5, 0, 5, 10])
        #expect(ReLU(maxValue: 6)(x).value.scalars == [0, 0, 0, 5, 6])
        // All three: below the threshold the slope applies to x - threshold.
        let y = Variable(Tensor(shape: [1, 4], scalars: [-1, 0.5, 2, 6]))
        #expect(ReLU(maxValue: 4, negativeSlope: 0.5, threshold: 1)(y).value.scalars == [-1, -0.25, 2, 4])
        #expect(LeakyReLU()(y).value.scalars == [-0.3, 0.5, 2, 6])
        expectClose(ELU(alpha: 2)(y).value.scalars, [2 * Float(expm1(-1.0)), 0.5, 2, 6])
    }

    @Test func parametricActivationGradients() {
        // Values kept away from the kinks (0, 1 and 4).
        var values = randomTensor([3, 8], seed: 3, scale: 6)
        values.scalars = values.scalars.map { v in [0, 1, 4].contains { abs(v - $0) < 0.05 } ? v + 0.2 : v }
        let x = Variable(values, requiresGrad: true)
        for layer: any Layer in [ReLU(maxValue: 4, negativeSlope: 0.5, threshold: 1), LeakyReLU(negativeSlope: 0.1), ELU(alpha: 0.7)] {
            x.zeroGrad()
            checkGradients([CheckTarget("x of \(layer)", x)], h: 1e-2) { layer(x, training: true) }
        }
    }

    @Test func preluValuesAndShapes() {
        let layer = PReLU(inputShape: [2, 2, 3], sharedAxes: [1, 2])
        #expect(layer.alpha.shape == [1, 1, 3] && layer.parameters.map(\.name) == ["alpha"])
        #expect(layer.outputShape(for: [2, 2, 3]) == [2, 2, 3])
        layer.alpha.value = Tensor(shape: [1, 1, 3], scalars: [0.1, 0.2, 0.3])
        let x = Variable(Tensor(shape: [1, 1, 2, 3], scalars: [-1, -1, -1, 2, -2, 3]))
        #expect(layer(x).value.scalars == [-0.1, -0.2, -0.3, 2, -0.4, 3])
        #expect(PReLU(inputShape: [4, 5]).alpha.shape == [4, 5])
    }

    @Test(arguments: [[Int](), [1, 2], [3]])
    func preluGradients(_ sharedAxes: [Int]) {
        let layer = PReLU(inputShape: [3, 4, 2], sharedAxes: sharedAxes)
        layer.alpha.value = randomTensor(layer.alpha.shape, seed: 4, scale: 0.5)
        var values = randomTensor([2, 3, 4, 2], seed: 5)
        values.scalars = values.scalars.map { abs($0) < 0.05 ? $0 + 0.1 : $0 }
        let x = Variable(values, requiresGrad: true)
        checkGradients([CheckTarget("x", x), CheckTarget("alpha", layer.alpha)]) { layer(x, training: true) }
    }
}
