import TensorCore

/// The geometry of a 2-D window sliding over NHWC input: convolution and pooling share it.
public struct WindowGeometry: Sendable, Equatable {
    public let batch, height, width, channels: Int
    public let windowHeight, windowWidth: Int
    public let strideHeight, strideWidth: Int
    public let padTop, padLeft: Int
    public let outHeight, outWidth: Int

    /// - Parameter inputShape: `[batch, height, width, channels]`.
    public init(inputShape: [Int], window: Size2D, strides: Size2D, padding: Padding) {
        precondition(inputShape.count == 4, "expected NHWC input, got shape \(inputShape)")
        batch = inputShape[0]; height = inputShape[1]; width = inputShape[2]; channels = inputShape[3]
        windowHeight = window.height; windowWidth = window.width
        strideHeight = strides.height; strideWidth = strides.width
        let h = padding.output(input: height, window: window.height, stride: strides.height)
        let w = padding.output(input: width, window: window.width, stride: strides.width)
        precondition(h.extent > 0 && w.extent > 0,
                     "window \(window) does not fit input \(height)x\(width) with padding \(padding.rawValue)")
        outHeight = h.extent; padTop = h.padBefore
        outWidth = w.extent; padLeft = w.padBefore
    }

    /// Output pixels per image.
    public var outPixels: Int { outHeight * outWidth }
    /// Elements of one im2col row: `windowHeight * windowWidth * channels`.
    public var patchSize: Int { windowHeight * windowWidth * channels }
    /// Elements of one input image.
    public var imageSize: Int { height * width * channels }
    /// Whether im2col is the identity (1x1 window, stride 1, no padding).
    var isPointwise: Bool {
        windowHeight == 1 && windowWidth == 1 && strideHeight == 1 && strideWidth == 1 && padTop == 0 && padLeft == 0
    }
}

/// The `[h', w', outputChannels]` output of a convolution of an `[h, w, inputChannels]` input.
func convolvedShape(_ inputShape: [Int], layer: String, inputChannels: Int, kernelSize: Size2D, strides: Size2D, padding: Padding,
                    outputChannels: Int) -> [Int] {
    precondition(inputShape.count == 3 && inputShape[2] == inputChannels,
                 "\(layer): input \(inputShape) should be [h, w, \(inputChannels)]")
    let g = WindowGeometry(inputShape: [1] + inputShape, window: kernelSize, strides: strides, padding: padding)
    return [g.outHeight, g.outWidth, outputChannels]
}

/// Writes the im2col rows of images `images` of `x` into `cols` (`outPixels * patchSize` per image).
///
/// Row `(n, oh, ow)` holds the window at that output pixel in `(i, j, c)` order, which matches an
/// HWIO kernel viewed as `[kh * kw * in, out]`. Padding reads as zero. Runs on the calling thread.
@inlinable
func im2col(_ x: UnsafePointer<Float>, _ g: WindowGeometry, images: Range<Int>, into cols: UnsafeMutablePointer<Float>) {
    let c = g.channels, kh = g.windowHeight, kw = g.windowWidth, height = g.height, width = g.width
    let span = kw &* c, rowLength = kh &* span
    var dst = cols
    for n in images {
        let image = x + n &* g.imageSize
        for oh in 0..<g.outHeight {
            let ih0 = oh &* g.strideHeight &- g.padTop
            for ow in 0..<g.outWidth {
                let iw0 = ow &* g.strideWidth &- g.padLeft
                let jLo = Swift.max(0, -iw0), jHi = Swift.min(kw, width &- iw0)
                for i in 0..<kh {
                    let ih = ih0 &+ i
                    let d = dst + i &* span
                    if ih < 0 || ih >= height || jLo >= jHi {
                        for t in 0..<span { d[t] = 0 }
                        continue
                    }
                    let src = image + ((ih &* width) &+ iw0) &* c
                    let lo = jLo &* c, hi = jHi &* c
                    if hi &- lo >= 32 {
                        // Long spans: memcpy (vectorised by libc for the running CPU).
                        for t in 0..<lo { d[t] = 0 }
                        (d + lo).update(from: src + lo, count: hi &- lo)
                        for t in hi..<span { d[t] = 0 }
                    } else {
                        var t = 0
                        while t < lo { d[t] = 0; t &+= 1 }
                        while t < hi { d[t] = src[t]; t &+= 1 }
                        while t < span { d[t] = 0; t &+= 1 }
                    }
                }
                dst += rowLength
            }
        }
    }
}

/// Adds im2col rows back into the images they came from (the adjoint of `im2col`).
@inlinable
func col2im(_ cols: UnsafePointer<Float>, _ g: WindowGeometry, images: Range<Int>, into x: UnsafeMutablePointer<Float>) {
    let c = g.channels, kh = g.windowHeight, kw = g.windowWidth, height = g.height, width = g.width
    let span = kw &* c, rowLength = kh &* span
    var src = cols
    for n in images {
        let image = x + n &* g.imageSize
        for oh in 0..<g.outHeight {
            let ih0 = oh &* g.strideHeight &- g.padTop
            for ow in 0..<g.outWidth {
                let iw0 = ow &* g.strideWidth &- g.padLeft
                let jLo = Swift.max(0, -iw0), jHi = Swift.min(kw, width &- iw0)
                if jLo < jHi {
                    let lo = jLo &* c, hi = jHi &* c
                    for i in 0..<kh {
                        let ih = ih0 &+ i
                        if ih < 0 || ih >= height { continue }
                        let dst = image + ((ih &* width) &+ iw0) &* c
                        let s = src + i &* span
                        var t = lo
                        while t < hi { dst[t] += s[t]; t &+= 1 }
                    }
                }
                src += rowLength
            }
        }
    }
}

/// The transposed im2col: `cols[tap, row]` for `tap = (i * kw + j) * c + ch` and rows of the
/// images in `images` (row-major `[patchSize, rowCount]`, `rowCount = images.count * outPixels`).
///
/// Used when a window row is short (few input channels): then each write run is a whole output
/// row instead of a handful of floats.
@inlinable
func im2colTransposed(_ x: UnsafePointer<Float>, _ g: WindowGeometry, images: Range<Int>, into cols: UnsafeMutablePointer<Float>) {
    let c = g.channels, kh = g.windowHeight, kw = g.windowWidth, height = g.height, width = g.width
    let outHeight = g.outHeight, outWidth = g.outWidth, strideH = g.strideHeight, strideW = g.strideWidth
    let rowCount = images.count &* g.outPixels
    for i in 0..<kh {
        for j in 0..<kw {
            // Output columns whose input column lies inside the image.
            let owLo = Swift.max(0, (g.padLeft &- j &+ strideW &- 1) / strideW)
            let last = width &- 1 &+ g.padLeft &- j
            let owHi = last < 0 ? 0 : Swift.min(outWidth, last / strideW &+ 1)
            for ch in 0..<c {
                let tapRow = cols + ((i &* kw &+ j) &* c &+ ch) &* rowCount
                var row = 0
                for n in images {
                    let image = x + (n &* g.imageSize &+ ch)
                    for oh in 0..<outHeight {
                        let d = tapRow + row
                        row &+= outWidth
                        let ih = oh &* strideH &- g.padTop &+ i
                        if ih < 0 || ih >= height || owLo >= owHi {
                            for t in 0..<outWidth { d[t] = 0 }
                            continue
                        }
                        for t in 0..<owLo { d[t] = 0 }
                        let src = image + (ih &* width &+ j &- g.padLeft) &* c
                        let step = strideW &* c
                        if step == 1 {
                            for t in owLo..<owHi { d[t] = src[t] }
                        } else {
                            for t in owLo..<owHi { d[t] = src[t &* step] }
                        }
                        for t in owHi..<outWidth { d[t] = 0 }
                    }
                }
            }
        }
    }
}

/// The adjoint of `im2colTransposed`: adds `cols[tap, row]` back into the images.
@inlinable
func col2imTransposed(_ cols: UnsafePointer<Float>, _ g: WindowGeometry, images: Range<Int>, into x: UnsafeMutablePointer<Float>) {
    let c = g.channels, kh = g.windowHeight, kw = g.windowWidth, height = g.height, width = g.width
    let outHeight = g.outHeight, outWidth = g.outWidth, strideH = g.strideHeight, strideW = g.strideWidth
    let rowCount = images.count &* g.outPixels
    for i in 0..<kh {
        for j in 0..<kw {
            let owLo = Swift.max(0, (g.padLeft &- j &+ strideW &- 1) / strideW)
            let last = width &- 1 &+ g.padLeft &- j
            let owHi = last < 0 ? 0 : Swift.min(outWidth, last / strideW &+ 1)
            if owLo >= owHi { continue }
            for ch in 0..<c {
                let tapRow = cols + ((i &* kw &+ j) &* c &+ ch) &* rowCount
                var row = 0
                for n in images {
                    let image = x + (n &* g.imageSize &+ ch)
                    for oh in 0..<outHeight {
                        let s = tapRow + row
                        row &+= outWidth
                        let ih = oh &* strideH &- g.padTop &+ i
                        if ih < 0 || ih >= height { continue }
                        let dst = image + (ih &* width &+ j &- g.padLeft) &* c
                        let step = strideW &* c
                        for t in owLo..<owHi { dst[t &* step] += s[t] }
                    }
                }
            }
        }
    }
}

/// Elements of im2col workspace per chunk and worker; each worker convolves its images a few
/// at a time so the workspace stays in cache, and recomputes it in the backward pass instead of
/// storing it.
let convolutionChunkElements = 1 << 18

/// The fewest output rows a chunk holds when the images allow: sgemm runs far below its peak
/// on a few dozen rows (a 7x7 feature map has 49 per image), more than the larger workspace costs.
let convolutionMinimumChunkRows = 512

/// 2-D convolution of NHWC `x` with an HWIO `kernel`, plus `bias` and a fused activation.
///
/// Implemented as im2col + sgemm: the minibatch is split across workers, and each worker
/// convolves its images in cache-sized chunks. The backward pass recomputes the im2col rows for
/// `dKernel = colsᵀ · dz` (per-worker partial sums, added in order), and scatters `dz · kernelᵀ`
/// back with col2im. 1x1 convolutions with stride 1 and no padding skip im2col; the forward pass
/// of a convolution with few input channels runs without sgemm (``directConvolutionRows``).
public func conv2d(_ x: Variable, kernel: Variable, bias: Variable?, strides: Size2D = Size2D(1),
                   padding: Padding = .valid, activation: Activation = .linear) -> Variable {
    conv2d(x, kernel: kernel, bias: bias, strides: strides, padding: padding, activation: activation,
           chunkElements: convolutionChunkElements, minimumChunkRows: convolutionMinimumChunkRows)
}

func conv2d(_ x: Variable, kernel: Variable, bias: Variable?, strides: Size2D, padding: Padding,
            activation: Activation, chunkElements: Int, minimumChunkRows: Int = 1) -> Variable {
    precondition(kernel.rank == 4, "conv2d: kernel must be [kh, kw, in, out], got \(kernel.shape)")
    if activation.derivativeNeedsInput {
        return conv2d(x, kernel: kernel, bias: bias, strides: strides, padding: padding, activation: .linear,
                      chunkElements: chunkElements, minimumChunkRows: minimumChunkRows).activated(activation)
    }
    let kh = kernel.shape[0], kw = kernel.shape[1], inChannels = kernel.shape[2], outChannels = kernel.shape[3]
    precondition(x.rank == 4 && x.shape[3] == inChannels, "conv2d: input \(x.shape) does not have \(inChannels) channels")
    if let bias { precondition(bias.shape == [outChannels], "conv2d: bias \(bias.shape) should be [\(outChannels)]") }
    let g = WindowGeometry(inputShape: x.shape, window: Size2D(kh, kw), strides: strides, padding: padding)
    let k = g.patchSize, pixels = g.outPixels, o = outChannels
    let pointwise = g.isPointwise
    // Short window rows (few input channels): lay im2col out transposed, one run per output row.
    let transposed = !pointwise && g.windowWidth * g.channels < 16
    // A short inner dimension (3x3 RGB: 27) starves sgemm; past a few dozen taps its AVX2
    // kernels beat the direct loops, which the compiler builds for baseline x86-64 (SSE).
    // Both change the order of sums, so they serve inference only: training keeps the arithmetic
    // of earlier versions, and with it the bytes of models trained with them.
    let training = !GradientRecording.isDisabled && (x.requiresGrad || kernel.requiresGrad || bias?.requiresGrad == true)
    let direct = !training && transposed && k <= 32
    let minimumRows = training ? 1 : minimumChunkRows
    // Pointwise convolutions read x in place: one sgemm over all rows of a part.
    let chunkImages = pointwise ? g.batch : Swift.max(1, Swift.min(g.batch, Swift.max(
        chunkElements / Swift.max(pixels * k, 1), (minimumRows + pixels - 1) / Swift.max(pixels, 1))))
    let parts = partitionCount(g.batch, costPerItem: pixels * k * o)
    let xValue = x.value, w = kernel.value, b = bias?.value
    let y = makeTensor(shape: [g.batch, g.outHeight, g.outWidth, o]) { outPointer in
        let out = SendablePointer(outPointer)
        let biasValues = b?.scalars ?? []
        xValue.withScalarPointer { px in w.withScalarPointer { pw in biasValues.withUnsafeBufferPointer { pb in
            if direct {
                // Small windows of few channels: directly, split by output rows (DirectConvolution.swift).
                let rowLength = g.outWidth * o
                parallelChunks(g.batch * g.outHeight, costPerItem: g.outWidth * k * o) { rows in
                    directConvolutionRows(px, kernel: pw, bias: b == nil ? nil : pb.baseAddress, g, outChannels: o, rows: rows,
                                          into: out.pointer)
                    activation.applySerial(out.pointer + rows.lowerBound * rowLength, rows: rows.count * g.outWidth, rowLength: o)
                }
                return
            }
            runParts(parts) { part in
                let images = partRange(part, of: parts, count: g.batch)
                let cols = pointwise ? nil : UnsafeMutablePointer<Float>.allocate(capacity: chunkImages * pixels * k)
                defer { cols?.deallocate() }
                var n0 = images.lowerBound
                while n0 < images.upperBound {
                    let n1 = Swift.min(images.upperBound, n0 + chunkImages)
                    let chunkRows = (n1 - n0) * pixels
                    let block = out.pointer + n0 * pixels * o
                    if let cols, transposed {
                        im2colTransposed(px, g, images: n0..<n1, into: cols)
                        sgemm(m: chunkRows, n: o, k: k, a: cols, lda: chunkRows, transposeA: true, b: pw, ldb: o, c: block, ldc: o)
                    } else {
                        let a: UnsafePointer<Float>
                        if let cols {
                            im2col(px, g, images: n0..<n1, into: cols)
                            a = UnsafePointer(cols)
                        } else {
                            a = px + n0 * pixels * k
                        }
                        sgemm(m: chunkRows, n: o, k: k, a: a, lda: k, b: pw, ldb: o, c: block, ldc: o)
                    }
                    activation.applySerial(block, rows: chunkRows, rowLength: o, bias: b == nil ? nil : pb.baseAddress)
                    n0 = n1
                }
            }
        } } }
    }
    let parents = bias.map { [x, kernel, $0] } ?? [x, kernel]
    return Variable.record(y, parents: parents) { gradient in
        gradient.withMutableScalarPointer { dzMutable in
            let dz = SendablePointer(dzMutable)
            let kernelCount = k * o
            let needW = kernel.requiresGrad, needBias = bias?.requiresGrad ?? false
            // Per-part partial sums for the kernel and bias gradients.
            let partials = UnsafeMutablePointer<Float>.allocate(capacity: parts * (kernelCount + o))
            defer { partials.deallocate() }
            let partialsPointer = SendablePointer(partials)
            xValue.withScalarPointer { px in w.withScalarPointer { pw in y.withScalarPointer { py in
                x.withGradientBuffer { dxPointer, addX in
                    let dx = dxPointer.map(SendablePointer.init)
                    runParts(parts) { part in
                        let images = partRange(part, of: parts, count: g.batch)
                        let dwPart = partialsPointer.pointer + part * (kernelCount + o)
                        let dbPart = dwPart + kernelCount
                        let partRows = images.lowerBound * pixels..<images.upperBound * pixels
                        activation.backwardSerial(output: py + partRows.lowerBound * o, gradient: dz.pointer + partRows.lowerBound * o,
                                                  rows: partRows.count, rowLength: o)
                        if needBias {
                            accumulateColumnSums(dz.pointer + partRows.lowerBound * o, rows: partRows.count, columns: o,
                                                 into: dbPart, accumulate: false)
                        }
                        if let dx, !addX, !pointwise {
                            (dx.pointer + images.lowerBound * g.imageSize).update(repeating: 0, count: images.count * g.imageSize)
                        }
                        let cols = pointwise ? nil : UnsafeMutablePointer<Float>.allocate(capacity: chunkImages * pixels * k)
                        defer { cols?.deallocate() }
                        var betaW: Float = 0
                        var n0 = images.lowerBound
                        while n0 < images.upperBound {
                            let n1 = Swift.min(images.upperBound, n0 + chunkImages)
                            let chunkRows = (n1 - n0) * pixels
                            let dzChunk = dz.pointer + n0 * pixels * o
                            if needW {
                                if let cols, transposed {
                                    im2colTransposed(px, g, images: n0..<n1, into: cols)
                                    sgemm(m: k, n: o, k: chunkRows, a: cols, lda: chunkRows, b: dzChunk, ldb: o,
                                          c: dwPart, ldc: o, beta: betaW)
                                } else {
                                    let a: UnsafePointer<Float>
                                    if let cols {
                                        im2col(px, g, images: n0..<n1, into: cols)
                                        a = UnsafePointer(cols)
                                    } else {
                                        a = px + n0 * pixels * k
                                    }
                                    sgemm(m: k, n: o, k: chunkRows, a: a, lda: k, transposeA: true, b: dzChunk, ldb: o,
                                          c: dwPart, ldc: o, beta: betaW)
                                }
                                betaW = 1
                            }
                            if let dx {
                                if let cols, transposed {
                                    // colsᵀ = kernel · dzᵀ: [k, rows]
                                    sgemm(m: k, n: chunkRows, k: o, a: pw, lda: o, b: dzChunk, ldb: o, transposeB: true,
                                          c: cols, ldc: chunkRows)
                                    col2imTransposed(cols, g, images: n0..<n1, into: dx.pointer)
                                } else if let cols {
                                    sgemm(m: chunkRows, n: k, k: o, a: dzChunk, lda: o, b: pw, ldb: o, transposeB: true,
                                          c: cols, ldc: k)
                                    col2im(cols, g, images: n0..<n1, into: dx.pointer)
                                } else {
                                    sgemm(m: chunkRows, n: k, k: o, a: dzChunk, lda: o, b: pw, ldb: o, transposeB: true,
                                          c: dx.pointer + n0 * pixels * k, ldc: k, beta: addX ? 1 : 0)
                                }
                            }
                            n0 = n1
                        }
                        if needW && images.isEmpty { dwPart.update(repeating: 0, count: kernelCount) }
                    }
                }
            } } }
            if needW {
                kernel.accumulateGradient { d, add in
                    for part in 0..<parts {
                        let p = partials + part * (kernelCount + o)
                        if part == 0 && !add { d.update(from: p, count: kernelCount) } else {
                            for t in 0..<kernelCount { d[t] += p[t] }
                        }
                    }
                }
            }
            if needBias {
                bias?.accumulateGradient { d, add in
                    for part in 0..<parts {
                        let p = partials + part * (kernelCount + o) + kernelCount
                        if part == 0 && !add { d.update(from: p, count: o) } else {
                            for t in 0..<o { d[t] += p[t] }
                        }
                    }
                }
            }
        }
    }
}

/// A 2-D convolution layer, as Keras' `Conv2D` (NHWC input, HWIO kernel `[kh, kw, in / groups, out]`).
///
/// ```swift
/// let conv1 = Conv2D(inputChannels: 1, filters: 20, kernelSize: Size2D(5), generator: &rng)
/// conv1.kernel.shape   // [5, 5, 1, 20]
/// ```
public final class Conv2D: ActivatedLayer {
    public let inputChannels: Int
    public let filters: Int
    public let kernelSize: Size2D
    public let strides: Size2D
    public let padding: Padding
    /// Keras' `dilation_rate`: the step between the taps of the kernel.
    public let dilationRate: Size2D
    /// Keras' `groups`: input and output channels split into this many independent convolutions.
    public let groups: Int
    public var activation: Activation
    /// `[kh, kw, in / groups, out]`.
    public let kernel: Parameter
    /// `[out]`, or nil.
    public let bias: Parameter?

    /// Creates a layer with a Glorot-uniform kernel and a zero bias.
    public init(inputChannels: Int, filters: Int, kernelSize: Size2D, strides: Size2D = Size2D(1),
                padding: Padding = .valid, dilationRate: Size2D = Size2D(1), groups: Int = 1,
                activation: Activation = .linear, useBias: Bool = true, generator: inout RandomGenerator) {
        precondition(inputChannels > 0 && filters > 0, "Conv2D: channel counts must be positive")
        precondition(Conv2D.validGrouping(inputChannels, filters, dilationRate, groups),
                     "Conv2D: \(groups) groups must divide \(inputChannels) inputs and \(filters) filters; dilation \(dilationRate) must be positive")
        self.inputChannels = inputChannels
        self.filters = filters
        self.kernelSize = kernelSize
        self.strides = strides
        self.padding = padding
        self.dilationRate = dilationRate
        self.groups = groups
        self.activation = activation
        kernel = Parameter(name: "kernel", value: glorotUniform(
            shape: [kernelSize.height, kernelSize.width, inputChannels / groups, filters], generator: &generator))
        bias = useBias ? Parameter(name: "bias", value: Tensor(zeros: [filters])) : nil
    }

    /// Creates a layer from given weights (`kernel` `[kh, kw, in / groups, out]`, `bias` `[out]`).
    public init(kernel: Tensor, bias: Tensor?, strides: Size2D = Size2D(1), padding: Padding = .valid,
                dilationRate: Size2D = Size2D(1), groups: Int = 1, activation: Activation = .linear) {
        precondition(kernel.rank == 4, "Conv2D: kernel must be [kh, kw, in / groups, out], got \(kernel.shape)")
        kernelSize = Size2D(kernel.shape[0], kernel.shape[1])
        inputChannels = kernel.shape[2] * groups
        filters = kernel.shape[3]
        precondition(Conv2D.validGrouping(inputChannels, filters, dilationRate, groups),
                     "Conv2D: \(groups) groups must divide \(filters) filters; dilation \(dilationRate) must be positive")
        self.strides = strides
        self.padding = padding
        self.dilationRate = dilationRate
        self.groups = groups
        self.activation = activation
        self.kernel = Parameter(name: "kernel", value: kernel)
        self.bias = biasParameter(bias, units: filters, layer: "Conv2D")
    }

    private static func validGrouping(_ inputs: Int, _ filters: Int, _ dilation: Size2D, _ groups: Int) -> Bool {
        groups > 0 && inputs % groups == 0 && filters % groups == 0 && dilation.height > 0 && dilation.width > 0
    }

    public var parameters: [Parameter] { bias.map { [kernel, $0] } ?? [kernel] }

    public func outputShape(for inputShape: [Int]) -> [Int] {
        convolvedShape(inputShape, layer: "Conv2D", inputChannels: inputChannels, kernelSize: kernelSize.dilated(by: dilationRate),
                       strides: strides, padding: padding, outputChannels: filters)
    }

    public func forward(_ x: Variable, training: Bool, activation: Activation) -> Variable {
        conv2d(x, kernel: kernel.variable, bias: bias?.variable, strides: strides, padding: padding,
               dilation: dilationRate, groups: groups, activation: activation)
    }

    public var description: String {
        let extras = (dilationRate == Size2D(1) ? "" : ", dilation: \(dilationRate)") + (groups == 1 ? "" : ", groups: \(groups)")
        return "Conv2D(\(inputChannels) -> \(filters), kernel: \(kernelSize), strides: \(strides), padding: \(padding.rawValue)\(extras), activation: \(activation))"
    }
}

extension Conv2D: DescribedLayer {
    public static var kerasClassName: String { "Conv2D" }
    public static var kerasAliases: [String] { ["Convolution2D"] }

    public static func plan(_ config: LayerConfig, inputShapes: [[Int]]) throws -> LayerPlan {
        let (height, width, channels) = try imageInput(inputShapes)
        try config.requireChannelsLast()
        let filters = try config.positiveInt("filters"), kernel = try config.size("kernel_size")
        let strides = try config.size("strides", default: Size2D(1)), padding = try config.padding()
        let dilation = try config.size("dilation_rate", default: Size2D(1)), groups = try config.positiveInt("groups", default: 1)
        let useBias = try config.bool("use_bias", default: true)
        guard channels % groups == 0, filters % groups == 0 else {
            throw LayerConfigError(field: "groups", "\(groups) groups must divide the \(channels) input channels and \(filters) filters")
        }
        guard strides == Size2D(1) || dilation == Size2D(1) else {
            throw LayerConfigError(field: "dilation_rate", "a dilated convolution must have strides 1 (Keras's rule)")
        }
        let outHeight = try windowOutput(height, window: kernel.height, stride: strides.height, padding: padding, dilation: dilation.height)
        let outWidth = try windowOutput(width, window: kernel.width, stride: strides.width, padding: padding, dilation: dilation.width)
        let canonical: LayerConfig = [
            "filters": .int(filters), "kernel_size": kernel.configValue, "strides": strides.configValue, "padding": .string(padding.rawValue),
            "dilation_rate": dilation.configValue, "groups": .int(groups), "activation": .string(try config.activation().rawValue),
            "use_bias": .bool(useBias),
        ]
        return LayerPlan(outputShape: [outHeight, outWidth, filters],
                         parameters: [ParameterShape("kernel", [kernel.height, kernel.width, channels / groups, filters])]
                            + (useBias ? [ParameterShape("bias", [filters])] : []),
                         config: canonical)
    }

    public static func make(_ config: LayerConfig, inputShapes: [[Int]], generator: inout RandomGenerator) throws -> any ModelLayer {
        let c = try plan(config, inputShapes: inputShapes).config
        return Conv2D(inputChannels: inputShapes[0][2], filters: try c.positiveInt("filters"), kernelSize: try c.size("kernel_size"),
                      strides: try c.size("strides"), padding: try c.padding(), dilationRate: try c.size("dilation_rate"),
                      groups: try c.positiveInt("groups"), activation: try c.activation(), useBias: try c.bool("use_bias", default: true),
                      generator: &generator)
    }

    public var config: LayerConfig {
        ["filters": .int(filters), "kernel_size": kernelSize.configValue, "strides": strides.configValue, "padding": .string(padding.rawValue),
         "dilation_rate": dilationRate.configValue, "groups": .int(groups), "activation": .string(activation.rawValue), "use_bias": .bool(bias != nil)]
    }
}
