import Testing
import TensorCore
@testable import NN

/// The vectorised kernels (depthwise convolution, batch normalization, activations, convolution
/// chunking) against plain loops written as the definitions read, forward and backward.
@Suite("Fast kernels against naive references")
struct FastKernelTests {
    /// `sum(y * r)`'s gradients for a fixed random `r`: runs backward on `y` with seed `r`.
    static func backward(_ y: Variable, seed: UInt64) -> Tensor {
        let r = randomTensor(y.shape, seed: seed)
        y.backward(seed: r)
        return r
    }

    static func expectClose(_ a: [Float], _ b: [Float], _ what: String, tolerance: Float = 1e-4,
                            sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(a.count == b.count, "\(what): \(a.count) vs \(b.count) values", sourceLocation: sourceLocation)
        let scale = Swift.max(1, b.map(abs).max() ?? 0)
        let worst = zip(a, b).map { abs($0 - $1) }.max() ?? 0
        #expect(worst <= tolerance * scale, "\(what): largest difference \(worst) (scale \(scale))", sourceLocation: sourceLocation)
    }

    struct DepthwiseCase: CustomTestStringConvertible, Sendable {
        var batch, height, width, channels, kernel, stride, multiplier: Int
        var padding: Padding
        var activation: Activation
        var testDescription: String {
            "\(batch)x\(height)x\(width)x\(channels) k\(kernel) s\(stride) m\(multiplier) \(padding.rawValue) \(activation)"
        }
    }

    static let depthwiseCases: [DepthwiseCase] = [
        DepthwiseCase(batch: 2, height: 7, width: 9, channels: 3, kernel: 3, stride: 1, multiplier: 1, padding: .same, activation: .relu6),
        DepthwiseCase(batch: 3, height: 8, width: 8, channels: 40, kernel: 3, stride: 2, multiplier: 1, padding: .same, activation: .linear),
        DepthwiseCase(batch: 2, height: 5, width: 6, channels: 11, kernel: 3, stride: 2, multiplier: 1, padding: .valid, activation: .relu),
        DepthwiseCase(batch: 2, height: 9, width: 7, channels: 36, kernel: 5, stride: 1, multiplier: 1, padding: .same, activation: .linear),
        DepthwiseCase(batch: 1, height: 4, width: 5, channels: 8, kernel: 3, stride: 3, multiplier: 1, padding: .same, activation: .tanh),
        DepthwiseCase(batch: 2, height: 6, width: 5, channels: 4, kernel: 3, stride: 1, multiplier: 2, padding: .valid, activation: .linear),
        DepthwiseCase(batch: 1, height: 7, width: 6, channels: 9, kernel: 2, stride: 2, multiplier: 3, padding: .same, activation: .relu),
    ]

    @Test(arguments: depthwiseCases)
    func depthwiseMatchesDefinition(_ t: DepthwiseCase) {
        let x = Variable(randomTensor([t.batch, t.height, t.width, t.channels], seed: 1), requiresGrad: true)
        let outChannels = t.channels * t.multiplier
        let kernel = Variable(randomTensor([t.kernel, t.kernel, t.channels, t.multiplier], seed: 2), requiresGrad: true)
        let bias = Variable(randomTensor([outChannels], seed: 3), requiresGrad: true)
        let y = depthwiseConv2d(x, kernel: kernel, bias: bias, strides: Size2D(t.stride), padding: t.padding, activation: t.activation)
        let r = FastKernelTests.backward(y, seed: 4)

        // The definition, with the gradients of sum(activation(z) * r).
        let g = WindowGeometry(inputShape: x.shape, window: Size2D(t.kernel), strides: Size2D(t.stride), padding: t.padding)
        let xs = x.value.scalars, ws = kernel.value.scalars, bs = bias.value.scalars
        var z = [Float](repeating: 0, count: y.value.count)
        func taps(_ n: Int, _ oh: Int, _ ow: Int, _ body: (_ xIndex: Int, _ wIndex: Int) -> Void) {
            for i in 0..<t.kernel {
                for j in 0..<t.kernel {
                    let ih = oh * t.stride - g.padTop + i, iw = ow * t.stride - g.padLeft + j
                    guard ih >= 0, ih < t.height, iw >= 0, iw < t.width else { continue }
                    body(((n * t.height + ih) * t.width + iw) * t.channels, (i * t.kernel + j) * outChannels)
                }
            }
        }
        func outIndex(_ n: Int, _ oh: Int, _ ow: Int) -> Int { ((n * g.outHeight + oh) * g.outWidth + ow) * outChannels }
        for n in 0..<t.batch { for oh in 0..<g.outHeight { for ow in 0..<g.outWidth {
            for o in 0..<outChannels {
                var s = bs[o]
                taps(n, oh, ow) { xi, wi in s += xs[xi + o / t.multiplier] * ws[wi + o] }
                z[outIndex(n, oh, ow) + o] = s
            }
        } } }
        var activated = Tensor(shape: y.shape, scalars: z)
        activated.withMutableScalarPointer { t.activation.applySerial($0, rows: z.count / outChannels, rowLength: outChannels) }
        FastKernelTests.expectClose(y.value.scalars, activated.scalars, "output")
        var dz = r
        activated.withScalarPointer { py in dz.withMutableScalarPointer {
            t.activation.backwardSerial(output: py, gradient: $0, rows: z.count / outChannels, rowLength: outChannels)
        } }
        var dx = [Float](repeating: 0, count: xs.count), dw = [Float](repeating: 0, count: ws.count)
        var db = [Float](repeating: 0, count: outChannels)
        for n in 0..<t.batch { for oh in 0..<g.outHeight { for ow in 0..<g.outWidth {
            for o in 0..<outChannels {
                let d = dz.scalars[outIndex(n, oh, ow) + o]
                db[o] += d
                taps(n, oh, ow) { xi, wi in
                    dx[xi + o / t.multiplier] += ws[wi + o] * d
                    dw[wi + o] += xs[xi + o / t.multiplier] * d
                }
            }
        } } }
        FastKernelTests.expectClose(x.grad?.scalars ?? [], dx, "input gradient")
        FastKernelTests.expectClose(kernel.grad?.scalars ?? [], dw, "kernel gradient")
        FastKernelTests.expectClose(bias.grad?.scalars ?? [], db, "bias gradient")
    }

    @Test(arguments: [(rows: 37, channels: 11), (rows: 50, channels: 16), (rows: 9, channels: 45)], [false, true])
    func batchNormalizationMatchesDefinition(_ shape: (rows: Int, channels: Int), training: Bool) {
        let c = shape.channels, rows = shape.rows
        let layer = BatchNormalization(channels: c)
        layer.gamma!.value = randomTensor([c], seed: 5)
        layer.beta!.value = randomTensor([c], seed: 6)
        layer.movingMean.value = randomTensor([c], seed: 7, scale: 0.5)
        layer.movingVariance.value = Tensor(shape: [c], scalars: randomTensor([c], seed: 8).scalars.map { 1 + $0 / 2 })
        let movingMean = layer.movingMean.value.scalars, movingVariance = layer.movingVariance.value.scalars
        // Shifted data, as real activations are: the variance must not lose the mean's digits.
        let x = Variable(Tensor(shape: [rows, 1, 1, c], scalars: randomTensor([rows * c], seed: 9).scalars.map { $0 + 3 }),
                         requiresGrad: true)
        let y = layer(x, training: training)
        let r = FastKernelTests.backward(y, seed: 10).scalars
        let xs = x.value.scalars, gamma = layer.gamma!.value.scalars, beta = layer.beta!.value.scalars
        var expected = [Float](repeating: 0, count: xs.count), dx = expected
        var dGamma = [Float](repeating: 0, count: c), dBeta = dGamma
        for j in 0..<c {
            let column = (0..<rows).map { Double(xs[$0 * c + j]) }
            let mean = training ? column.reduce(0, +) / Double(rows) : Double(movingMean[j])
            let variance = training ? column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(rows) : Double(movingVariance[j])
            let invStd = 1 / (variance + Double(layer.epsilon)).squareRoot()
            let xhat = column.map { ($0 - mean) * invStd }
            let dy = (0..<rows).map { Double(r[$0 * c + j]) }
            let sumDy = dy.reduce(0, +), sumDyXhat = zip(dy, xhat).map(*).reduce(0, +)
            dGamma[j] = Float(sumDyXhat); dBeta[j] = Float(sumDy)
            for i in 0..<rows {
                expected[i * c + j] = Float(xhat[i] * Double(gamma[j]) + Double(beta[j]))
                let n = Double(rows)
                dx[i * c + j] = Float(training ? Double(gamma[j]) * invStd * (dy[i] - sumDy / n - xhat[i] * sumDyXhat / n)
                                               : dy[i] * Double(gamma[j]) * invStd)
            }
            if training {
                let m = Double(layer.momentum)
                FastKernelTests.expectClose([layer.movingMean.value.scalars[j], layer.movingVariance.value.scalars[j]],
                                            [Float(Double(movingMean[j]) * m + mean * (1 - m)), Float(Double(movingVariance[j]) * m + variance * (1 - m))],
                                            "moving statistics of channel \(j)")
            }
        }
        FastKernelTests.expectClose(y.value.scalars, expected, "output")
        FastKernelTests.expectClose(x.grad?.scalars ?? [], dx, "input gradient", tolerance: 5e-4)
        FastKernelTests.expectClose(layer.gamma!.grad?.scalars ?? [], dGamma, "gamma gradient")
        FastKernelTests.expectClose(layer.beta!.grad?.scalars ?? [], dBeta, "beta gradient")
    }

    @Test(arguments: [Activation.relu, .relu6, .tanh, .softmax, .leakyRelu, .linear])
    func activationWritesNewTensor(_ activation: Activation) {
        let input = Tensor(shape: [13, 7], scalars: randomTensor([91], seed: 11, scale: 8).scalars)
        let x = Variable(input, requiresGrad: true)
        let y = x.activated(activation)
        var expected = input
        expected.withMutableScalarPointer { activation.applySerial($0, rows: 13, rowLength: 7) }
        #expect(y.value == expected)
        #expect(x.value == input, "the input is left as it was")
    }

    /// Chunks of at least 512 output rows (several small images per sgemm) give what one image
    /// per chunk gives, forward and backward.
    @Test(arguments: [(size: 7, stride: 1, padding: Padding.same), (size: 9, stride: 2, padding: .valid), (size: 5, stride: 1, padding: .valid)])
    func convolutionChunkingAgrees(_ shape: (size: Int, stride: Int, padding: Padding)) {
        func run(chunkElements: Int, minimumChunkRows: Int) -> [Tensor] {
            let x = Variable(randomTensor([11, shape.size, shape.size, 6], seed: 12), requiresGrad: true)
            let kernel = Variable(randomTensor([3, 3, 6, 5], seed: 13), requiresGrad: true)
            let bias = Variable(randomTensor([5], seed: 14), requiresGrad: true)
            let y = conv2d(x, kernel: kernel, bias: bias, strides: Size2D(shape.stride), padding: shape.padding, activation: .relu,
                           chunkElements: chunkElements, minimumChunkRows: minimumChunkRows)
            _ = FastKernelTests.backward(y, seed: 15)
            return [y.value, x.grad!, kernel.grad!, bias.grad!]
        }
        let one = run(chunkElements: 1, minimumChunkRows: 1), many = run(chunkElements: 1, minimumChunkRows: 512)
        for (a, b) in zip(one, many) { FastKernelTests.expectClose(a.scalars, b.scalars, "chunked") }
    }

    struct ConvolutionCase: CustomTestStringConvertible, Sendable {
        var batch, height, width, channels, kernelHeight, kernelWidth, stride, filters: Int
        var padding: Padding
        var testDescription: String {
            "\(batch)x\(height)x\(width)x\(channels) k\(kernelHeight)x\(kernelWidth) s\(stride) -> \(filters) \(padding.rawValue)"
        }
    }

    /// Few-channel windows (the direct loops) and others (im2col + sgemm).
    static let convolutionCases: [ConvolutionCase] = [
        ConvolutionCase(batch: 2, height: 9, width: 8, channels: 3, kernelHeight: 3, kernelWidth: 3, stride: 2, filters: 37, padding: .same),
        ConvolutionCase(batch: 1, height: 7, width: 7, channels: 3, kernelHeight: 3, kernelWidth: 3, stride: 1, filters: 64, padding: .valid),
        ConvolutionCase(batch: 3, height: 6, width: 11, channels: 1, kernelHeight: 2, kernelWidth: 3, stride: 1, filters: 5, padding: .same),
        ConvolutionCase(batch: 2, height: 5, width: 9, channels: 2, kernelHeight: 1, kernelWidth: 5, stride: 3, filters: 8, padding: .same),
        ConvolutionCase(batch: 2, height: 8, width: 8, channels: 3, kernelHeight: 7, kernelWidth: 7, stride: 2, filters: 16, padding: .same),
        ConvolutionCase(batch: 2, height: 6, width: 5, channels: 9, kernelHeight: 3, kernelWidth: 3, stride: 1, filters: 7, padding: .same),
    ]

    @Test(arguments: convolutionCases)
    func convolutionMatchesDefinition(_ t: ConvolutionCase) {
        let x = Variable(randomTensor([t.batch, t.height, t.width, t.channels], seed: 16), requiresGrad: true)
        let kernel = Variable(randomTensor([t.kernelHeight, t.kernelWidth, t.channels, t.filters], seed: 17), requiresGrad: true)
        let bias = Variable(randomTensor([t.filters], seed: 18), requiresGrad: true)
        let y = conv2d(x, kernel: kernel, bias: bias, strides: Size2D(t.stride), padding: t.padding, activation: .relu6)
        let r = FastKernelTests.backward(y, seed: 19).scalars
        let g = WindowGeometry(inputShape: x.shape, window: Size2D(t.kernelHeight, t.kernelWidth), strides: Size2D(t.stride),
                               padding: t.padding)
        let xs = x.value.scalars, ws = kernel.value.scalars
        var expected = [Float](repeating: 0, count: y.value.count)
        var dx = [Float](repeating: 0, count: xs.count), dw = [Float](repeating: 0, count: ws.count), db = [Float](repeating: 0, count: t.filters)
        for n in 0..<t.batch { for oh in 0..<g.outHeight { for ow in 0..<g.outWidth { for f in 0..<t.filters {
            // Each tap of the window that lies inside the image: (input index, kernel index).
            var taps: [(Int, Int)] = []
            for i in 0..<t.kernelHeight { for j in 0..<t.kernelWidth {
                let ih = oh * t.stride - g.padTop + i, iw = ow * t.stride - g.padLeft + j
                guard ih >= 0, ih < t.height, iw >= 0, iw < t.width else { continue }
                for ch in 0..<t.channels {
                    taps.append((((n * t.height + ih) * t.width + iw) * t.channels + ch, ((i * t.kernelWidth + j) * t.channels + ch) * t.filters + f))
                }
            } }
            let z = taps.reduce(bias.value.scalars[f]) { $0 + xs[$1.0] * ws[$1.1] }
            let index = ((n * g.outHeight + oh) * g.outWidth + ow) * t.filters + f
            expected[index] = Swift.min(Swift.max(z, 0), 6)
            let d = z > 0 && z < 6 ? r[index] : 0
            db[f] += d
            for (xi, wi) in taps { dx[xi] += ws[wi] * d; dw[wi] += xs[xi] * d }
        } } } }
        FastKernelTests.expectClose(y.value.scalars, expected, "output")
        FastKernelTests.expectClose(x.grad?.scalars ?? [], dx, "input gradient")
        FastKernelTests.expectClose(kernel.grad?.scalars ?? [], dw, "kernel gradient")
        FastKernelTests.expectClose(bias.grad?.scalars ?? [], db, "bias gradient")
    }

    @Test func sameShapeAddMatchesDefinition() {
        let inputs = (0..<3).map { Variable(randomTensor([3, 5, 7, 5], seed: 20 + UInt64($0)), requiresGrad: $0 != 1) }
        let y = Add()(inputs)
        let r = FastKernelTests.backward(y, seed: 23)
        let expected = (0..<y.value.count).map { j in inputs.dropFirst().reduce(inputs[0].value.scalars[j]) { $0 + $1.value.scalars[j] } }
        #expect(y.value.scalars == expected)
        #expect(inputs[0].grad == r && inputs[2].grad == r && inputs[1].grad == nil)
    }
}
