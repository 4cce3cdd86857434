import Foundation
import Testing
import TensorCore
@testable import NN

@Suite("Dilated, grouped and separable convolutions")
struct ConvolutionVariantTests {
    @Test func dilatedValues() {
        let x = Variable(Tensor(shape: [1, 1, 5, 1], scalars: [1, 2, 3, 4, 5]))
        let kernel = Tensor(shape: [1, 2, 1, 1], scalars: [10, 1])
        let valid = Conv2D(kernel: kernel, bias: nil, dilationRate: Size2D(1, 2))
        #expect(valid.outputShape(for: [1, 5, 1]) == [1, 3, 1])
        #expect(valid(x).value.scalars == [13, 24, 35])
        // same: the dilated window covers 3 pixels, one of padding before, one after.
        let same = Conv2D(kernel: kernel, bias: nil, padding: .same, dilationRate: Size2D(1, 2))
        #expect(same(x).value.scalars == [2, 13, 24, 35, 40])
    }

    @Test func groupedValues() {
        // Filter 0 sees channels 0 and 1, filter 1 channels 2 and 3.
        let layer = Conv2D(kernel: Tensor(shape: [1, 1, 2, 2], scalars: [1, 10, 2, 20]), bias: Tensor(shape: [2], scalars: [0.5, 0]),
                           groups: 2)
        #expect(layer.inputChannels == 4 && layer.outputShape(for: [1, 1, 4]) == [1, 1, 2])
        #expect(layer(Variable(Tensor(shape: [1, 1, 1, 4], scalars: [1, 2, 3, 4]))).value.scalars == [5.5, 110])
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var dilation: Size2D; var groups: Int; var stride: Int; var padding: Padding; var activation: Activation
        var testDescription: String { "d\(dilation) g\(groups) s\(stride) \(padding.rawValue) \(activation)" }
    }

    static let cases: [Case] = [
        Case(dilation: Size2D(2), groups: 1, stride: 1, padding: .valid, activation: .tanh),
        Case(dilation: Size2D(2, 3), groups: 1, stride: 1, padding: .same, activation: .sigmoid),
        Case(dilation: Size2D(1), groups: 2, stride: 2, padding: .same, activation: .silu),
        Case(dilation: Size2D(2), groups: 4, stride: 1, padding: .same, activation: .softmax),
        Case(dilation: Size2D(1), groups: 4, stride: 1, padding: .valid, activation: .linear),
    ]

    @Test(arguments: cases)
    func conv2d(_ c: Case) {
        var rng = RandomGenerator(seed: 1)
        let layer = Conv2D(inputChannels: 4, filters: 8, kernelSize: Size2D(3), strides: Size2D(c.stride), padding: c.padding,
                           dilationRate: c.dilation, groups: c.groups, activation: c.activation, generator: &rng)
        #expect(layer.kernel.shape == [3, 3, 4 / c.groups, 8])
        layer.bias!.value = randomTensor([8], seed: 2, scale: 0.5)
        let x = Variable(randomTensor([2, 7, 8, 4], seed: 3), requiresGrad: true)
        let y = layer(x)
        #expect(Array(y.shape.dropFirst()) == layer.outputShape(for: [7, 8, 4]))
        let reference = referenceConvolution(x.value, kernel: layer.kernel.value, bias: layer.bias!.value, stride: Size2D(c.stride),
                                             padding: c.padding, dilation: c.dilation, groups: c.groups)
        expectClose(y.value.scalars, Variable(reference).activated(c.activation).value.scalars)
        checkGradients([CheckTarget("x", x), CheckTarget("kernel", layer.kernel), CheckTarget("bias", layer.bias!)], h: 5e-3) {
            layer(x, training: true)
        }
    }

    /// A depthwise convolution is the grouped one with a group per input channel.
    @Test(arguments: [(1, Size2D(2), Padding.same), (2, Size2D(1, 2), .valid)])
    func dilatedDepthwise(_ multiplier: Int, _ dilation: Size2D, _ padding: Padding) {
        var rng = RandomGenerator(seed: 4)
        let layer = DepthwiseConv2D(inputChannels: 3, kernelSize: Size2D(3), padding: padding, depthMultiplier: multiplier,
                                    dilationRate: dilation, generator: &rng)
        layer.bias!.value = randomTensor([3 * multiplier], seed: 5, scale: 0.5)
        let x = Variable(randomTensor([2, 7, 6, 3], seed: 6), requiresGrad: true)
        let y = layer(x)
        #expect(Array(y.shape.dropFirst()) == layer.outputShape(for: [7, 6, 3]))
        var grouped = layer.kernel.value
        grouped.setShape([3, 3, 1, 3 * multiplier])
        let reference = referenceConvolution(x.value, kernel: grouped, bias: layer.bias!.value, stride: Size2D(1), padding: padding,
                                             dilation: dilation, groups: 3)
        expectClose(y.value.scalars, reference.scalars)
        checkGradients([CheckTarget("x", x), CheckTarget("kernel", layer.kernel), CheckTarget("bias", layer.bias!)], h: 5e-3) {
            layer(x, training: true)
        }
    }

    @Test(arguments: [(1, 1, Padding.valid), (2, 2, .same)])
    func separable(_ multiplier: Int, _ stride: Int, _ padding: Padding) {
        var rng = RandomGenerator(seed: 7)
        let layer = SeparableConv2D(inputChannels: 3, filters: 4, kernelSize: Size2D(3), strides: Size2D(stride), padding: padding,
                                    depthMultiplier: multiplier, activation: .sigmoid, generator: &rng)
        #expect(layer.parameters.map(\.name) == ["depthwise_kernel", "pointwise_kernel", "bias"])
        #expect(layer.pointwiseKernel.shape == [1, 1, 3 * multiplier, 4])
        layer.bias!.value = randomTensor([4], seed: 8, scale: 0.5)
        let x = Variable(randomTensor([2, 6, 7, 3], seed: 9), requiresGrad: true)
        let y = layer(x)
        #expect(Array(y.shape.dropFirst()) == layer.outputShape(for: [6, 7, 3]))
        var grouped = layer.depthwiseKernel.value
        grouped.setShape([3, 3, 1, 3 * multiplier])
        let depthwise = referenceConvolution(x.value, kernel: grouped, bias: Tensor(zeros: [3 * multiplier]), stride: Size2D(stride),
                                             padding: padding, dilation: Size2D(1), groups: 3)
        let reference = referenceConvolution(depthwise, kernel: layer.pointwiseKernel.value, bias: layer.bias!.value, stride: Size2D(1),
                                             padding: .valid, dilation: Size2D(1), groups: 1)
        expectClose(y.value.scalars, reference.scalars.map { 1 / (1 + Foundation.exp(-$0)) })
        checkGradients([CheckTarget("x", x), CheckTarget("depthwise_kernel", layer.depthwiseKernel),
                        CheckTarget("pointwise_kernel", layer.pointwiseKernel), CheckTarget("bias", layer.bias!)], h: 5e-3) {
            layer(x, training: true)
        }
    }

    @Test func slicedLastAxis() {
        let x = Variable(randomTensor([2, 3, 5], seed: 10), requiresGrad: true)
        #expect(x.slicedLastAxis(1..<3).value[1, 2, 0] == x.value[1, 2, 1])
        checkGradients([CheckTarget("x", x)]) { x.slicedLastAxis(1..<4) }
    }
}

/// Direct NHWC convolution with dilation and groups, TensorFlow's padding rule on the dilated extent.
func referenceConvolution(_ x: Tensor, kernel: Tensor, bias: Tensor, stride: Size2D, padding: Padding, dilation: Size2D,
                          groups: Int) -> Tensor {
    let (n, h, w) = (x.shape[0], x.shape[1], x.shape[2])
    let (kh, kw, groupInputs, o) = (kernel.shape[0], kernel.shape[1], kernel.shape[2], kernel.shape[3])
    let rows = padding.output(input: h, window: (kh - 1) * dilation.height + 1, stride: stride.height)
    let columns = padding.output(input: w, window: (kw - 1) * dilation.width + 1, stride: stride.width)
    var y = Tensor(zeros: [n, rows.extent, columns.extent, o])
    for b in 0..<n { for i in 0..<rows.extent { for j in 0..<columns.extent { for f in 0..<o {
        let group = f / (o / groups)
        var s = bias.scalars[f]
        for di in 0..<kh { for dj in 0..<kw {
            let ii = i * stride.height - rows.padBefore + di * dilation.height
            let jj = j * stride.width - columns.padBefore + dj * dilation.width
            guard ii >= 0, ii < h, jj >= 0, jj < w else { continue }
            for ch in 0..<groupInputs { s += x[b, ii, jj, group * groupInputs + ch] * kernel[di, dj, ch, f] }
        } }
        y[b, i, j, f] = s
    } } } }
    return y
}
