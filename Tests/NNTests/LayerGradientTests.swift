import Foundation
import Testing
import TensorCore
@testable import NN

@Suite("Layer gradients")
struct LayerGradientTests {
    @Test(arguments: Activation.allCases)
    func denseWithActivation(_ activation: Activation) {
        var rng = RandomGenerator(seed: 30)
        let layer = Dense(inputCount: 6, units: 5, activation: activation, generator: &rng)
        layer.bias!.value = randomTensor([5], seed: 31, scale: 0.5)
        let x = Variable(randomTensor([4, 6], seed: 32), requiresGrad: true)
        checkGradients([CheckTarget("x", x), CheckTarget("kernel", layer.kernel), CheckTarget("bias", layer.bias!)],
                       h: 5e-3) { layer(x, training: true) }
    }

    @Test func denseWithoutBiasOnRank3Input() {
        var rng = RandomGenerator(seed: 33)
        let layer = Dense(inputCount: 3, units: 2, useBias: false, generator: &rng)
        let x = Variable(randomTensor([2, 4, 3], seed: 34), requiresGrad: true)
        #expect(layer(x).shape == [2, 4, 2])
        checkGradients([CheckTarget("x", x), CheckTarget("kernel", layer.kernel)]) { layer(x, training: true) }
    }

    @Test func denseMatchesDefinition() {
        let kernel = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let layer = Dense(kernel: kernel, bias: Tensor(shape: [3], scalars: [0.5, -100, 0]), activation: .relu)
        let y = layer(Variable(Tensor(shape: [1, 2], scalars: [1, 1])))
        #expect(y.value.scalars == [5.5, 0, 9])
    }

    struct ConvCase: CustomTestStringConvertible, Sendable {
        var input: [Int]; var kernel: (Int, Int); var stride: Int; var padding: Padding; var filters: Int
        var testDescription: String { "\(input) k\(kernel) s\(stride) \(padding.rawValue)" }
    }

    static let convCases: [ConvCase] = [
        ConvCase(input: [2, 6, 6, 2], kernel: (3, 3), stride: 1, padding: .valid, filters: 3),
        ConvCase(input: [2, 6, 5, 2], kernel: (3, 3), stride: 1, padding: .same, filters: 3),
        ConvCase(input: [2, 7, 7, 3], kernel: (3, 2), stride: 2, padding: .valid, filters: 2),
        ConvCase(input: [2, 7, 6, 2], kernel: (4, 3), stride: 2, padding: .same, filters: 2),
        ConvCase(input: [2, 5, 5, 4], kernel: (1, 1), stride: 1, padding: .valid, filters: 3),
        // Window rows of 16+ floats take the row-major im2col path.
        ConvCase(input: [2, 6, 6, 6], kernel: (3, 3), stride: 2, padding: .same, filters: 3),
        ConvCase(input: [2, 7, 7, 8], kernel: (2, 3), stride: 1, padding: .valid, filters: 2),
        ConvCase(input: [2, 5, 4, 8], kernel: (4, 4), stride: 2, padding: .same, filters: 2),
        // Kernel wider than the input, same padding.
        ConvCase(input: [1, 3, 2, 1], kernel: (5, 5), stride: 2, padding: .same, filters: 2),
    ]

    @Test(arguments: convCases)
    func conv2d(_ c: ConvCase) {
        var rng = RandomGenerator(seed: 40)
        let layer = Conv2D(inputChannels: c.input[3], filters: c.filters, kernelSize: Size2D(c.kernel.0, c.kernel.1),
                           strides: Size2D(c.stride), padding: c.padding, activation: .tanh, generator: &rng)
        layer.bias!.value = randomTensor([c.filters], seed: 41, scale: 0.5)
        let x = Variable(randomTensor(c.input, seed: 42), requiresGrad: true)
        let y = layer(x)
        #expect(Array(y.shape.dropFirst()) == layer.outputShape(for: Array(c.input.dropFirst())))
        // Forward against a direct reference.
        let reference = referenceConv(x.value, kernel: layer.kernel.value, bias: layer.bias!.value, stride: c.stride, padding: c.padding)
        expectClose(y.value.scalars, reference.scalars.map { Foundation.tanh($0) }, tolerance: 1e-5)
        checkGradients([CheckTarget("x", x), CheckTarget("kernel", layer.kernel), CheckTarget("bias", layer.bias!)],
                       h: 5e-3) { layer(x, training: true) }
    }

    @Test func conv2dInSeveralChunks() {
        var rng = RandomGenerator(seed: 43)
        let kernel = Variable(glorotUniform(shape: [3, 3, 2, 3], generator: &rng), requiresGrad: true)
        let bias = Variable(randomTensor([3], seed: 45), requiresGrad: true)
        let x = Variable(randomTensor([3, 5, 5, 2], seed: 44), requiresGrad: true)
        func forward() -> Variable {   // one image per chunk
            NN.conv2d(x, kernel: kernel, bias: bias, strides: Size2D(2), padding: .same, activation: .tanh, chunkElements: 1)
        }
        let reference = referenceConv(x.value, kernel: kernel.value, bias: bias.value, stride: 2, padding: .same)
        expectClose(forward().value.scalars, reference.scalars.map { Foundation.tanh($0) })
        checkGradients([CheckTarget("x", x), CheckTarget("kernel", kernel), CheckTarget("bias", bias)], h: 5e-3) { forward() }
    }

    @Test(arguments: [4, 6])
    func conv2dAcrossWorkers(channels: Int) {
        // Large enough to be split across workers (and chunks within each); 4 channels take the
        // transposed im2col, 6 the row-major one.
        var rng = RandomGenerator(seed: 46)
        let kernel = Variable(glorotUniform(shape: [3, 3, channels, 8], generator: &rng), requiresGrad: true)
        let bias = Variable(randomTensor([8], seed: 47), requiresGrad: true)
        let x = Variable(randomTensor([9, 12, 12, channels], seed: 48), requiresGrad: true)
        func forward() -> Variable {
            NN.conv2d(x, kernel: kernel, bias: bias, strides: Size2D(1), padding: .same, activation: .sigmoid, chunkElements: 3000)
        }
        let reference = referenceConv(x.value, kernel: kernel.value, bias: bias.value, stride: 1, padding: .same)
        expectClose(forward().value.scalars, reference.scalars.map { 1 / (1 + Foundation.exp(-$0)) })
        checkGradients([CheckTarget("x", x), CheckTarget("kernel", kernel), CheckTarget("bias", bias)], h: 5e-3, samples: 12) {
            forward()
        }
    }

    /// Shapes large enough to be split across workers: by output columns (few rows), by rows
    /// (many rows), and softmax (always whole rows).
    @Test(arguments: [(40, 64, 48, Activation.tanh), (300, 32, 16, .sigmoid), (40, 64, 48, .softmax)])
    func denseAcrossWorkers(_ rows: Int, _ inputs: Int, _ units: Int, _ activation: Activation) {
        var rng = RandomGenerator(seed: 49)
        let layer = Dense(inputCount: inputs, units: units, activation: activation, generator: &rng)
        layer.bias!.value = randomTensor([units], seed: 51, scale: 0.3)
        let x = Variable(randomTensor([rows, inputs], seed: 50), requiresGrad: true)
        var pre = matmul(x.value, layer.kernel.value)
        for r in 0..<rows { for j in 0..<units { pre[r, j] += layer.bias!.value.scalars[j] } }
        let expected = Variable(pre).activated(activation).value.scalars
        expectClose(layer(x).value.scalars, expected)
        checkGradients([CheckTarget("x", x), CheckTarget("kernel", layer.kernel), CheckTarget("bias", layer.bias!)],
                       h: 5e-3, samples: 12) { layer(x, training: true) }
    }

    @Test func samePaddingFollowsTensorFlow() {
        // in 5, k 2, s 2: out 3, pad total 1, all of it after (bottom/right).
        let p = Padding.same.output(input: 5, window: 2, stride: 2)
        #expect(p.extent == 3 && p.padBefore == 0)
        // in 6, k 3, s 1: out 6, pad total 2 → 1 before.
        let q = Padding.same.output(input: 6, window: 3, stride: 1)
        #expect(q.extent == 6 && q.padBefore == 1)
        // in 7, k 4, s 2: out 4, pad total (4-1)*2+4-7 = 3 → 1 before, 2 after.
        let r = Padding.same.output(input: 7, window: 4, stride: 2)
        #expect(r.extent == 4 && r.padBefore == 1)
        #expect(Padding.valid.output(input: 7, window: 3, stride: 2).extent == 3)
    }

    @Test(arguments: [(1, 1, Padding.valid), (2, 1, .same), (1, 2, .same), (2, 2, .valid)])
    func depthwiseConv2d(_ multiplier: Int, _ stride: Int, _ padding: Padding) {
        var rng = RandomGenerator(seed: 50)
        let layer = DepthwiseConv2D(inputChannels: 3, kernelSize: Size2D(3), strides: Size2D(stride), padding: padding,
                                    depthMultiplier: multiplier, activation: .sigmoid, generator: &rng)
        layer.bias!.value = randomTensor([3 * multiplier], seed: 51, scale: 0.5)
        let x = Variable(randomTensor([2, 6, 5, 3], seed: 52), requiresGrad: true)
        // Reference: a full convolution whose kernel is zero off the depthwise diagonal.
        var full = Tensor(zeros: [3, 3, 3, 3 * multiplier])
        for i in 0..<3 { for j in 0..<3 { for c in 0..<3 { for m in 0..<multiplier {
            full[i, j, c, c * multiplier + m] = layer.kernel.value[i, j, c, m]
        } } } }
        let reference = referenceConv(x.value, kernel: full, bias: layer.bias!.value, stride: stride, padding: padding)
        expectClose(layer(x).value.scalars, reference.scalars.map { 1 / (1 + Foundation.exp(-$0)) })
        checkGradients([CheckTarget("x", x), CheckTarget("kernel", layer.kernel), CheckTarget("bias", layer.bias!)],
                       h: 5e-3) { layer(x, training: true) }
    }

    @Test(arguments: [(2, 2, Padding.valid), (3, 2, .same), (3, 1, .valid), (2, 1, .same)])
    func maxPool(_ size: Int, _ stride: Int, _ padding: Padding) {
        let layer = MaxPool2D(poolSize: Size2D(size), strides: Size2D(stride), padding: padding)
        let x = Variable(randomTensor([2, 5, 6, 3], seed: 60), requiresGrad: true)
        let y = layer(x)
        #expect(Array(y.shape.dropFirst()) == layer.outputShape(for: [5, 6, 3]))
        let reference = referencePool(x.value, size: size, stride: stride, padding: padding, max: true)
        #expect(y.value == reference)
        checkGradients([CheckTarget("x", x)], h: 1e-3) { layer(x, training: true) }
    }

    @Test(arguments: [(2, 2, Padding.valid), (3, 2, .same), (2, 1, .same)])
    func averagePool(_ size: Int, _ stride: Int, _ padding: Padding) {
        let layer = AveragePool2D(poolSize: Size2D(size), strides: Size2D(stride), padding: padding)
        let x = Variable(randomTensor([2, 5, 6, 3], seed: 61), requiresGrad: true)
        let reference = referencePool(x.value, size: size, stride: stride, padding: padding, max: false)
        expectClose(layer(x).value.scalars, reference.scalars)
        checkGradients([CheckTarget("x", x)]) { layer(x, training: true) }
    }

    @Test func globalAveragePool() {
        let layer = GlobalAveragePool2D()
        let x = Variable(randomTensor([2, 3, 4, 5], seed: 62), requiresGrad: true)
        let y = layer(x)
        #expect(y.shape == [2, 5])
        var expected: Float = 0
        for i in 0..<3 { for j in 0..<4 { expected += x.value[1, i, j, 2] } }
        #expect(abs(y.value[1, 2] - expected / 12) < 1e-6)
        checkGradients([CheckTarget("x", x)]) { layer(x, training: true) }
    }

    @Test func batchNormalizationTraining() {
        let layer = BatchNormalization(channels: 3)
        layer.gamma!.value = Tensor(shape: [3], scalars: [1.5, 0.5, -1])
        layer.beta!.value = Tensor(shape: [3], scalars: [0.1, -0.2, 0.3])
        let x = Variable(randomTensor([4, 2, 2, 3], seed: 70, scale: 2), requiresGrad: true)
        checkGradients([CheckTarget("x", x), CheckTarget("gamma", layer.gamma!), CheckTarget("beta", layer.beta!)],
                       h: 1e-2, tolerance: 3e-2) { layer(x, training: true) }
        // Normalised output: per-channel mean beta, variance gamma² * var / (var + eps).
        let y = layer(x, training: true).value
        var mean: Float = 0
        for r in 0..<16 { mean += y.scalars[r * 3 + 1] }
        #expect(abs(mean / 16 - -0.2) < 1e-5)
    }

    @Test func batchNormalizationMovingStatisticsAndInference() {
        let layer = BatchNormalization(channels: 2, epsilon: 1e-3, momentum: 0.9)
        let x = Tensor(shape: [4, 2], scalars: [1, 10, 2, 20, 3, 30, 4, 40])
        _ = layer(Variable(x), training: true)
        // batch mean [2.5, 25], biased variance [1.25, 125].
        expectClose(layer.movingMean.value.scalars, [0.25, 2.5])
        expectClose(layer.movingVariance.value.scalars, [0.9 + 0.125, 0.9 + 12.5])
        let inference = layer(Variable(x), training: false).value
        let expected0 = (1 - 0.25) / (1.025 + 1e-3).squareRoot()
        #expect(abs(inference[0, 0] - Float(expected0)) < 1e-5)
        let input = Variable(x, requiresGrad: true)
        checkGradients([CheckTarget("x", input), CheckTarget("gamma", layer.gamma!), CheckTarget("beta", layer.beta!)]) {
            layer(input, training: false)
        }
        #expect(layer.parameters.map(\.name) == ["gamma", "beta", "moving_mean", "moving_variance"])
        #expect(!layer.movingMean.isTrainable)
    }

    @Test func flattenReshapeDropout() {
        let x = Variable(randomTensor([2, 3, 2, 2], seed: 80), requiresGrad: true)
        let flat = Flatten()(x)
        #expect(flat.shape == [2, 12])
        #expect(flat.value.scalars == x.value.scalars)   // h, w, c order is memory order in NHWC
        checkGradients([CheckTarget("x", x)]) { Flatten()(x, training: true) }
        x.zeroGrad()
        checkGradients([CheckTarget("x", x)]) { Reshape([6, -1])(x, training: true) }
        let dropout = Dropout(rate: 0.5, seed: 3)
        #expect(dropout(x, training: false) === x)
        x.zeroGrad()
        checkGradients([CheckTarget("x", x)]) {
            dropout.generator = RandomGenerator(seed: 3)
            return dropout(x, training: true)
        }
        dropout.generator = RandomGenerator(seed: 3)
        let dropped = dropout(Variable(Tensor(repeating: 1, shape: [1000])), training: true).value.scalars
        let kept = dropped.filter { $0 != 0 }
        #expect(kept.allSatisfy { $0 == 2 })
        #expect(kept.count > 400 && kept.count < 600)
    }

    @Test func zeroPadding() {
        let x = Variable(randomTensor([2, 3, 2, 2], seed: 85), requiresGrad: true)
        let layer = ZeroPadding2D(top: 1, bottom: 0, left: 2, right: 1)
        let y = layer(x)
        #expect(y.shape == [2, 4, 5, 2])
        #expect(y.value[1, 0, 3, 1] == 0 && y.value[1, 1, 2, 1] == x.value[1, 0, 0, 1] && y.value[0, 3, 3, 0] == x.value[0, 2, 1, 0])
        checkGradients([CheckTarget("x", x)]) { layer(x, training: true) }
    }

    @Test func smallConvNetEndToEnd() throws {
        let architecture = try Architecture(parsing: """
            input 8x8x2
            zeropad2d pad=1
            conv2d c1 filters=3 kernel=3 activation=relu6
            batchnorm bn
            maxpool2d p1 size=2
            depthwiseconv2d dw kernel=3 padding=same multiplier=2
            avgpool2d p2 size=2
            flatten
            dense out units=4 activation=softmax
            """)
        let model = try architecture.build(seed: 5)
        let x = randomTensor([3, 8, 8, 2], seed: 81)
        let labels: [Int32] = [0, 3, 2]
        let targets = model.parameters.filter(\.requiresGrad).map { CheckTarget($0.name, $0) }
        checkGradients(targets, h: 1e-2, tolerance: 5e-2) {
            softmaxCrossEntropy(logits: model.logits(Variable(x), training: true), labels: labels)
        }
    }
}

// MARK: - References

/// Direct NHWC convolution with TensorFlow's padding rule.
func referenceConv(_ x: Tensor, kernel: Tensor, bias: Tensor, stride: Int, padding: Padding) -> Tensor {
    let (n, h, w, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let (kh, kw, o) = (kernel.shape[0], kernel.shape[1], kernel.shape[3])
    func geometry(_ size: Int, _ k: Int) -> (Int, Int) {
        if padding == .valid { return ((size - k) / stride + 1, 0) }
        let out = (size + stride - 1) / stride
        return (out, max((out - 1) * stride + k - size, 0) / 2)
    }
    let (oh, padTop) = geometry(h, kh), (ow, padLeft) = geometry(w, kw)
    var y = Tensor(zeros: [n, oh, ow, o])
    for b in 0..<n { for i in 0..<oh { for j in 0..<ow { for f in 0..<o {
        var s = bias.scalars[f]
        for di in 0..<kh { for dj in 0..<kw {
            let ii = i * stride - padTop + di, jj = j * stride - padLeft + dj
            guard ii >= 0, ii < h, jj >= 0, jj < w else { continue }
            for ch in 0..<c { s += x[b, ii, jj, ch] * kernel[di, dj, ch, f] }
        } }
        y[b, i, j, f] = s
    } } } }
    return y
}

/// Direct NHWC max / average pooling with TensorFlow's padding rule (padding excluded).
func referencePool(_ x: Tensor, size: Int, stride: Int, padding: Padding, max isMax: Bool) -> Tensor {
    let (n, h, w, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    func geometry(_ extent: Int) -> (Int, Int) {
        if padding == .valid { return ((extent - size) / stride + 1, 0) }
        let out = (extent + stride - 1) / stride
        return (out, Swift.max((out - 1) * stride + size - extent, 0) / 2)
    }
    let (oh, padTop) = geometry(h), (ow, padLeft) = geometry(w)
    var y = Tensor(zeros: [n, oh, ow, c])
    for b in 0..<n { for i in 0..<oh { for j in 0..<ow { for ch in 0..<c {
        var best = -Float.infinity, total: Float = 0, count = 0
        for di in 0..<size { for dj in 0..<size {
            let ii = i * stride - padTop + di, jj = j * stride - padLeft + dj
            guard ii >= 0, ii < h, jj >= 0, jj < w else { continue }
            best = Swift.max(best, x[b, ii, jj, ch]); total += x[b, ii, jj, ch]; count += 1
        } }
        y[b, i, j, ch] = isMax ? best : total / Float(count)
    } } } }
    return y
}
