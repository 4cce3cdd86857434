import TensorCore

/// Depthwise 2-D convolution of NHWC `x` with a `[kh, kw, in, multiplier]` kernel, as Keras'
/// `DepthwiseConv2D`: output channel `c * multiplier + m` is input channel `c` convolved with
/// `kernel[:, :, c, m]`.
public func depthwiseConv2d(_ x: Variable, kernel: Variable, bias: Variable?, strides: Size2D = Size2D(1),
                            padding: Padding = .valid, activation: Activation = .linear) -> Variable {
    precondition(kernel.rank == 4, "depthwiseConv2d: kernel must be [kh, kw, in, multiplier], got \(kernel.shape)")
    if activation.derivativeNeedsInput {
        return depthwiseConv2d(x, kernel: kernel, bias: bias, strides: strides, padding: padding).activated(activation)
    }
    let kh = kernel.shape[0], kw = kernel.shape[1], channels = kernel.shape[2], multiplier = kernel.shape[3]
    precondition(x.rank == 4 && x.shape[3] == channels, "depthwiseConv2d: input \(x.shape) does not have \(channels) channels")
    let outChannels = channels * multiplier
    if let bias { precondition(bias.shape == [outChannels], "depthwiseConv2d: bias \(bias.shape) should be [\(outChannels)]") }
    let g = WindowGeometry(inputShape: x.shape, window: Size2D(kh, kw), strides: strides, padding: padding)
    let xValue = x.value, w = kernel.value, b = bias?.value
    let rows = g.batch * g.outPixels
    let cost = g.outPixels * kh * kw * outChannels

    let y = makeTensor(shape: [g.batch, g.outHeight, g.outWidth, outChannels]) { out in
        xValue.withScalarPointer { px in w.withScalarPointer { pw in
            let biasValues = b?.scalars ?? []
            biasValues.withUnsafeBufferPointer { biasBuffer in
                let pb = b == nil ? nil : biasBuffer.baseAddress
                if multiplier == 1 {
                    // Split by output rows, so a small batch keeps every worker busy; activate each
                    // part while it is in cache.
                    let rowLength = g.outWidth * outChannels
                    parallelChunks(g.batch * g.outHeight, costPerItem: cost / g.outHeight) { rows in
                        depthwiseForwardRows(px, kernel: pw, bias: pb, g, rows: rows, into: out)
                        activation.applySerial(out + rows.lowerBound * rowLength, rows: rows.count * g.outWidth, rowLength: outChannels)
                    }
                    return
                }
                parallelChunks(g.batch, costPerItem: cost) { images in
                    for n in images {
                        let image = px + n * g.imageSize
                        for oh in 0..<g.outHeight {
                            for ow in 0..<g.outWidth {
                                let o = out + ((n * g.outHeight + oh) * g.outWidth + ow) * outChannels
                                if let pb { o.update(from: pb, count: outChannels) } else { o.update(repeating: 0, count: outChannels) }
                                for i in 0..<kh {
                                    let ih = oh * g.strideHeight - g.padTop + i
                                    if ih < 0 || ih >= g.height { continue }
                                    for j in 0..<kw {
                                        let iw = ow * g.strideWidth - g.padLeft + j
                                        if iw < 0 || iw >= g.width { continue }
                                        let xp = image + (ih * g.width + iw) * channels
                                        let wp = pw + (i * kw + j) * outChannels
                                        if multiplier == 1 {
                                            for c in 0..<channels { o[c] += xp[c] * wp[c] }
                                        } else {
                                            for c in 0..<channels {
                                                let xv = xp[c]
                                                for m in 0..<multiplier { o[c * multiplier + m] += xv * wp[c * multiplier + m] }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        } }
        if multiplier != 1 { activation.apply(out, count: rows * outChannels, rowLength: outChannels) }
    }
    let parents = bias.map { [x, kernel, $0] } ?? [x, kernel]
    return Variable.record(y, parents: parents) { gradient in
        gradient.withMutableScalarPointer { dz in
            y.withScalarPointer { py in activation.backward(output: py, gradient: dz, count: rows * outChannels, rowLength: outChannels) }
            if let bias {
                bias.accumulateGradient { d, add in accumulateColumnSums(dz, rows: rows, columns: outChannels, into: d, accumulate: add) }
            }
            xValue.withScalarPointer { px in w.withScalarPointer { pw in
                kernel.withGradientBuffer { dw, addW in
                    x.withGradientBuffer { dx, addX in
                        if let dx, !addX { dx.update(repeating: 0, count: xValue.count) }
                        let kernelCount = kh * kw * outChannels
                        let partitions = partitionCount(g.batch, costPerItem: cost)
                        let partials = UnsafeMutablePointer<Float>.allocate(capacity: partitions * kernelCount)
                        partials.update(repeating: 0, count: partitions * kernelCount)
                        defer { partials.deallocate() }
                        parallelPartitioned(g.batch, partitions: partitions) { part, images in
                            let dwPart = partials + part * kernelCount
                            if multiplier == 1 {
                                depthwiseBackwardImages(px, kernel: pw, outputGradient: dz, g, images: images,
                                                        kernelGradient: dw == nil ? nil : dwPart, inputGradient: dx)
                                return
                            }
                            for n in images {
                                let image = px + n * g.imageSize
                                let dimage = dx.map { $0 + n * g.imageSize }
                                for oh in 0..<g.outHeight {
                                    for ow in 0..<g.outWidth {
                                        let d = dz + ((n * g.outHeight + oh) * g.outWidth + ow) * outChannels
                                        for i in 0..<kh {
                                            let ih = oh * g.strideHeight - g.padTop + i
                                            if ih < 0 || ih >= g.height { continue }
                                            for j in 0..<kw {
                                                let iw = ow * g.strideWidth - g.padLeft + j
                                                if iw < 0 || iw >= g.width { continue }
                                                let offset = (ih * g.width + iw) * channels
                                                let xp = image + offset
                                                let tap = (i * kw + j) * outChannels
                                                let wp = pw + tap, dwp = dwPart + tap
                                                if dw != nil {
                                                    if multiplier == 1 {
                                                        for c in 0..<channels { dwp[c] += xp[c] * d[c] }
                                                    } else {
                                                        for c in 0..<channels {
                                                            for m in 0..<multiplier { dwp[c * multiplier + m] += xp[c] * d[c * multiplier + m] }
                                                        }
                                                    }
                                                }
                                                if let dimage {
                                                    let dxp = dimage + offset
                                                    if multiplier == 1 {
                                                        for c in 0..<channels { dxp[c] += wp[c] * d[c] }
                                                    } else {
                                                        for c in 0..<channels {
                                                            var s: Float = 0
                                                            for m in 0..<multiplier { s += wp[c * multiplier + m] * d[c * multiplier + m] }
                                                            dxp[c] += s
                                                        }
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                        if let dw {
                            if !addW { dw.update(repeating: 0, count: kernelCount) }
                            for part in 0..<partitions {
                                let p = partials + part * kernelCount
                                for t in 0..<kernelCount { dw[t] += p[t] }
                            }
                        }
                    }
                }
            } }
        }
    }
}

/// A depthwise convolution layer, as Keras' `DepthwiseConv2D` (kernel `[kh, kw, in, multiplier]`).
public final class DepthwiseConv2D: ActivatedLayer {
    public let inputChannels: Int
    public let depthMultiplier: Int
    public let kernelSize: Size2D
    public let strides: Size2D
    public let padding: Padding
    /// Keras' `dilation_rate`: the step between the taps of the kernel.
    public let dilationRate: Size2D
    public var activation: Activation
    /// `[kh, kw, in, multiplier]`, named `depthwise_kernel` as in Keras.
    public let kernel: Parameter
    /// `[in * multiplier]`, or nil.
    public let bias: Parameter?

    /// Creates a layer with a Glorot-uniform kernel and a zero bias.
    public init(inputChannels: Int, kernelSize: Size2D, strides: Size2D = Size2D(1), padding: Padding = .valid,
                depthMultiplier: Int = 1, dilationRate: Size2D = Size2D(1), activation: Activation = .linear,
                useBias: Bool = true, generator: inout RandomGenerator) {
        precondition(inputChannels > 0 && depthMultiplier > 0, "DepthwiseConv2D: channel counts must be positive")
        precondition(dilationRate.height > 0 && dilationRate.width > 0, "DepthwiseConv2D: dilation must be positive")
        self.inputChannels = inputChannels
        self.depthMultiplier = depthMultiplier
        self.kernelSize = kernelSize
        self.strides = strides
        self.padding = padding
        self.dilationRate = dilationRate
        self.activation = activation
        kernel = Parameter(name: "depthwise_kernel", value: glorotUniform(
            shape: [kernelSize.height, kernelSize.width, inputChannels, depthMultiplier], generator: &generator))
        bias = useBias ? Parameter(name: "bias", value: Tensor(zeros: [inputChannels * depthMultiplier])) : nil
    }

    /// Creates a layer from given weights.
    public init(kernel: Tensor, bias: Tensor?, strides: Size2D = Size2D(1), padding: Padding = .valid,
                dilationRate: Size2D = Size2D(1), activation: Activation = .linear) {
        precondition(kernel.rank == 4, "DepthwiseConv2D: kernel must be [kh, kw, in, multiplier], got \(kernel.shape)")
        precondition(dilationRate.height > 0 && dilationRate.width > 0, "DepthwiseConv2D: dilation must be positive")
        kernelSize = Size2D(kernel.shape[0], kernel.shape[1])
        inputChannels = kernel.shape[2]
        depthMultiplier = kernel.shape[3]
        self.strides = strides
        self.padding = padding
        self.dilationRate = dilationRate
        self.activation = activation
        self.kernel = Parameter(name: "depthwise_kernel", value: kernel)
        self.bias = biasParameter(bias, units: inputChannels * depthMultiplier, layer: "DepthwiseConv2D")
    }

    public var parameters: [Parameter] { bias.map { [kernel, $0] } ?? [kernel] }

    public func outputShape(for inputShape: [Int]) -> [Int] {
        convolvedShape(inputShape, layer: "DepthwiseConv2D", inputChannels: inputChannels,
                       kernelSize: kernelSize.dilated(by: dilationRate), strides: strides, padding: padding,
                       outputChannels: inputChannels * depthMultiplier)
    }

    public func forward(_ x: Variable, training: Bool, activation: Activation) -> Variable {
        depthwiseConv2d(x, kernel: dilatedKernel(kernel.variable, rate: dilationRate), bias: bias?.variable, strides: strides,
                        padding: padding, activation: activation)
    }

    public var description: String {
        let dilation = dilationRate == Size2D(1) ? "" : ", dilation: \(dilationRate)"
        return "DepthwiseConv2D(\(inputChannels) x \(depthMultiplier), kernel: \(kernelSize), strides: \(strides), padding: \(padding.rawValue)\(dilation), activation: \(activation))"
    }
}

extension DepthwiseConv2D: DescribedLayer {
    public static var kerasClassName: String { "DepthwiseConv2D" }

    public static func plan(_ config: LayerConfig, inputShapes: [[Int]]) throws -> LayerPlan {
        let (height, width, channels) = try imageInput(inputShapes)
        try config.requireChannelsLast()
        let kernel = try config.size("kernel_size"), strides = try config.size("strides", default: Size2D(1))
        let padding = try config.padding(), multiplier = try config.positiveInt("depth_multiplier", default: 1)
        let dilation = try config.size("dilation_rate", default: Size2D(1)), useBias = try config.bool("use_bias", default: true)
        guard strides == Size2D(1) || dilation == Size2D(1) else {
            throw LayerConfigError(field: "dilation_rate", "a dilated convolution must have strides 1 (Keras's rule)")
        }
        let outHeight = try windowOutput(height, window: kernel.height, stride: strides.height, padding: padding, dilation: dilation.height)
        let outWidth = try windowOutput(width, window: kernel.width, stride: strides.width, padding: padding, dilation: dilation.width)
        let canonical: LayerConfig = [
            "kernel_size": kernel.configValue, "strides": strides.configValue, "padding": .string(padding.rawValue),
            "depth_multiplier": .int(multiplier), "dilation_rate": dilation.configValue,
            "activation": .string(try config.activation().rawValue), "use_bias": .bool(useBias),
        ]
        return LayerPlan(outputShape: [outHeight, outWidth, channels * multiplier],
                         parameters: [ParameterShape("depthwise_kernel", [kernel.height, kernel.width, channels, multiplier])]
                            + (useBias ? [ParameterShape("bias", [channels * multiplier])] : []),
                         config: canonical)
    }

    public static func make(_ config: LayerConfig, inputShapes: [[Int]], generator: inout RandomGenerator) throws -> any ModelLayer {
        let c = try plan(config, inputShapes: inputShapes).config
        return DepthwiseConv2D(inputChannels: inputShapes[0][2], kernelSize: try c.size("kernel_size"), strides: try c.size("strides"),
                               padding: try c.padding(), depthMultiplier: try c.positiveInt("depth_multiplier"),
                               dilationRate: try c.size("dilation_rate"), activation: try c.activation(),
                               useBias: try c.bool("use_bias", default: true), generator: &generator)
    }

    public var config: LayerConfig {
        ["kernel_size": kernelSize.configValue, "strides": strides.configValue, "padding": .string(padding.rawValue),
         "depth_multiplier": .int(depthMultiplier), "dilation_rate": dilationRate.configValue,
         "activation": .string(activation.rawValue), "use_bias": .bool(bias != nil)]
    }
}
