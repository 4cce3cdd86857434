import Foundation
import Testing
import TensorCore
@testable import NN

@Suite("Conv1D and 1-D pooling")
struct OneDimensionalLayerTests {
    @Test(arguments: [(Padding1D.valid, [Float(21), 32, 43]), (.same, [21, 32, 43, 4]), (.causal, [10, 21, 32, 43])])
    func conv1dValues(_ padding: Padding1D, _ expected: [Float]) {
        let layer = Conv1D(kernel: Tensor(shape: [2, 1, 1], scalars: [1, 10]), bias: nil, padding: padding)
        let y = layer(Variable(Tensor(shape: [1, 4, 1], scalars: [1, 2, 3, 4])))
        #expect(y.value.scalars == expected)
        #expect(Array(y.shape.dropFirst()) == layer.outputShape(for: [4, 1]))
    }

    @Test func causalDilation() {
        // Each output sees its own step and the one two before.
        let layer = Conv1D(kernel: Tensor(shape: [2, 1, 1], scalars: [10, 1]), bias: nil, padding: .causal, dilationRate: 2)
        #expect(layer(Variable(Tensor(shape: [1, 4, 1], scalars: [1, 2, 3, 4]))).value.scalars == [1, 2, 13, 24])
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var kernel: Int; var stride: Int; var padding: Padding1D; var dilation: Int; var groups: Int
        var testDescription: String { "k\(kernel) s\(stride) \(padding.rawValue) d\(dilation) g\(groups)" }
    }

    static let cases: [Case] = [
        Case(kernel: 3, stride: 1, padding: .valid, dilation: 1, groups: 1),
        Case(kernel: 3, stride: 2, padding: .same, dilation: 1, groups: 1),
        Case(kernel: 2, stride: 1, padding: .causal, dilation: 3, groups: 2),
        Case(kernel: 3, stride: 1, padding: .same, dilation: 2, groups: 4),
    ]

    @Test(arguments: cases)
    func conv1d(_ c: Case) {
        var rng = RandomGenerator(seed: 1)
        let layer = Conv1D(inputChannels: 4, filters: 4, kernelSize: c.kernel, strides: c.stride, padding: c.padding,
                           dilationRate: c.dilation, groups: c.groups, activation: .tanh, generator: &rng)
        #expect(layer.kernel.shape == [c.kernel, 4 / c.groups, 4])
        layer.bias!.value = randomTensor([4], seed: 2, scale: 0.5)
        let x = Variable(randomTensor([2, 9, 4], seed: 3), requiresGrad: true)
        let y = layer(x)
        #expect(Array(y.shape.dropFirst()) == layer.outputShape(for: [9, 4]))
        // Reference: the 2-D reference on a one-pixel-high image, causal padding added by hand.
        let pad = c.padding == .causal ? (c.kernel - 1) * c.dilation : 0
        var image = Tensor(zeros: [2, 1, 9 + pad, 4])
        for b in 0..<2 { for t in 0..<9 { for ch in 0..<4 { image[b, 0, t + pad, ch] = x.value[b, t, ch] } } }
        var kernel = layer.kernel.value
        kernel.setShape([1] + kernel.shape)
        let reference = referenceConvolution(image, kernel: kernel, bias: layer.bias!.value, stride: Size2D(1, c.stride),
                                             padding: c.padding == .same ? .same : .valid, dilation: Size2D(1, c.dilation),
                                             groups: c.groups)
        expectClose(y.value.scalars, reference.scalars.map { Foundation.tanh($0) })
        checkGradients([CheckTarget("x", x), CheckTarget("kernel", layer.kernel), CheckTarget("bias", layer.bias!)], h: 5e-3) {
            layer(x, training: true)
        }
    }

    @Test func poolingValues() {
        let x = Variable(Tensor(shape: [1, 5, 2], scalars: [1, -1, 4, -2, 2, -3, 3, 0, 0, 5]))
        #expect(MaxPool1D()(x).value.scalars == [4, -1, 3, 0])
        #expect(AveragePool1D()(x).value.scalars == [2.5, -1.5, 2.5, -1.5])
        // same, size 2, stride 2: the last window holds only step 4.
        #expect(AveragePool1D(padding: .same)(x).value.scalars == [2.5, -1.5, 2.5, -1.5, 0, 5])
        #expect(MaxPool1D(poolSize: 3, strides: 1).outputShape(for: [5, 2]) == [3, 2])
        #expect(GlobalAveragePool1D()(x).value.scalars == [2, -0.2])
        #expect(GlobalAveragePool1D(keepDims: true)(x).shape == [1, 1, 2])
        #expect(GlobalAveragePool1D(keepDims: true).outputShape(for: [5, 2]) == [1, 2])
        #expect(GlobalMaxPool1D()(x).value.scalars == [4, 5] && GlobalMaxPool1D().outputShape(for: [5, 2]) == [2])
    }

    @Test func poolingGradients() {
        let x = Variable(randomTensor([2, 9, 3], seed: 4), requiresGrad: true)
        let layers: [any Layer] = [MaxPool1D(poolSize: 3, strides: 2, padding: .same), AveragePool1D(poolSize: 2, strides: 1),
                                   GlobalAveragePool1D(keepDims: true), GlobalMaxPool1D()]
        for layer in layers {
            let y = layer(x)
            #expect(Array(y.shape.dropFirst()) == layer.outputShape(for: [9, 3]))
            x.zeroGrad()
            checkGradients([CheckTarget("x of \(layer)", x)], h: 1e-3) { layer(x, training: true) }
        }
    }
}
