import TensorCore

/// Max pooling over NHWC windows, as Keras' `MaxPooling2D` (padding never wins: TensorFlow pads
/// with -infinity). The backward pass routes each gradient to the first maximum of its window.
public func maxPool2d(_ x: Variable, poolSize: Size2D, strides: Size2D? = nil, padding: Padding = .valid) -> Variable {
    let g = WindowGeometry(inputShape: x.shape, window: poolSize, strides: strides ?? poolSize, padding: padding)
    let c = g.channels
    let outCount = g.batch * g.outPixels * c
    precondition(g.imageSize < Int(Int32.max), "maxPool2d: images too large")
    var argmax = [Int32](repeating: 0, count: outCount)
    let xValue = x.value
    let y = makeTensor(shape: [g.batch, g.outHeight, g.outWidth, c]) { out in
        xValue.withScalarPointer { px in argmax.withUnsafeMutableBufferPointer { indexBuffer in
            let indices = SendablePointer(indexBuffer.baseAddress!)
            parallelChunks(g.batch, costPerItem: g.outPixels * g.windowHeight * g.windowWidth * c) { images in
                let height = g.height, width = g.width, outHeight = g.outHeight, outWidth = g.outWidth
                let strideH = g.strideHeight, strideW = g.strideWidth, padTop = g.padTop, padLeft = g.padLeft
                let windowH = g.windowHeight, windowW = g.windowWidth, imageSize = g.imageSize
                for n in images {
                    let image = px + n &* imageSize
                    var base = n &* outHeight &* outWidth &* c
                    for oh in 0..<outHeight {
                        let ih0 = oh &* strideH &- padTop
                        let hLo = Swift.max(ih0, 0), hHi = Swift.min(ih0 &+ windowH, height)
                        for ow in 0..<outWidth {
                            let iw0 = ow &* strideW &- padLeft
                            let wLo = Swift.max(iw0, 0), wHi = Swift.min(iw0 &+ windowW, width)
                            let o = out + base, idx = indices.pointer + base
                            let first = (hLo &* width &+ wLo) &* c
                            for ch in 0..<c {
                                o[ch] = image[first &+ ch]
                                idx[ch] = Int32(truncatingIfNeeded: first &+ ch)
                            }
                            for ih in hLo..<hHi {
                                for iw in wLo..<wHi {
                                    let offset = (ih &* width &+ iw) &* c
                                    if offset == first { continue }
                                    let xp = image + offset
                                    maxUpdate(xp, o, idx, offset: offset, count: c)
                                }
                            }
                            base &+= c
                        }
                    }
                }
            }
        } }
    }
    let indices = argmax
    return Variable.record(y, parents: [x]) { gradient in
        x.accumulateGradient { dx, add in
            let dxs = SendablePointer(dx)
            gradient.withScalarPointer { dz in indices.withUnsafeBufferPointer { idx in
                let perImage = g.outPixels * c, imageSize = g.imageSize
                parallelChunks(g.batch, costPerItem: perImage) { images in
                    for n in images {
                        let dimage = dxs.pointer + n &* imageSize
                        if !add { dimage.update(repeating: 0, count: imageSize) }
                        let start = n &* perImage
                        for t in start..<(start &+ perImage) { dimage[Int(idx[t])] += dz[t] }
                    }
                }
            } }
        }
    }
}

/// Average pooling over NHWC windows, as Keras' `AveragePooling2D`: with `same` padding a window
/// averages only its elements inside the input (TensorFlow's rule).
public func averagePool2d(_ x: Variable, poolSize: Size2D, strides: Size2D? = nil, padding: Padding = .valid) -> Variable {
    let g = WindowGeometry(inputShape: x.shape, window: poolSize, strides: strides ?? poolSize, padding: padding)
    let c = g.channels
    let xValue = x.value
    // The valid window ranges of an output pixel, and the reciprocal of its element count.
    @inline(__always) func window(_ oh: Int, _ ow: Int) -> (Range<Int>, Range<Int>, Float) {
        let ih0 = oh * g.strideHeight - g.padTop, iw0 = ow * g.strideWidth - g.padLeft
        let hs = Swift.max(ih0, 0)..<Swift.min(ih0 + g.windowHeight, g.height)
        let ws = Swift.max(iw0, 0)..<Swift.min(iw0 + g.windowWidth, g.width)
        return (hs, ws, 1 / Float(Swift.max(hs.count * ws.count, 1)))
    }
    let y = makeTensor(shape: [g.batch, g.outHeight, g.outWidth, c]) { out in
        xValue.withScalarPointer { px in
            parallelChunks(g.batch, costPerItem: g.outPixels * g.windowHeight * g.windowWidth * c) { images in
                for n in images {
                    let image = px + n * g.imageSize
                    for oh in 0..<g.outHeight {
                        for ow in 0..<g.outWidth {
                            let o = out + ((n * g.outHeight + oh) * g.outWidth + ow) * c
                            for ch in 0..<c { o[ch] = 0 }
                            let (hs, ws, scale) = window(oh, ow)
                            for ih in hs {
                                for iw in ws {
                                    let xp = image + (ih * g.width + iw) * c
                                    for ch in 0..<c { o[ch] += xp[ch] }
                                }
                            }
                            for ch in 0..<c { o[ch] *= scale }
                        }
                    }
                }
            }
        }
    }
    return Variable.record(y, parents: [x]) { gradient in
        x.accumulateGradient { dx, add in
            if !add { dx.update(repeating: 0, count: xValue.count) }
            let dxs = SendablePointer(dx)
            gradient.withScalarPointer { dz in
                parallelChunks(g.batch, costPerItem: g.outPixels * g.windowHeight * g.windowWidth * c) { images in
                    for n in images {
                        let dimage = dxs.pointer + n * g.imageSize
                        for oh in 0..<g.outHeight {
                            for ow in 0..<g.outWidth {
                                let d = dz + ((n * g.outHeight + oh) * g.outWidth + ow) * c
                                let (hs, ws, scale) = window(oh, ow)
                                for ih in hs {
                                    for iw in ws {
                                        let dp = dimage + (ih * g.width + iw) * c
                                        for ch in 0..<c { dp[ch] += d[ch] * scale }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The mean over height and width of NHWC input: `[n, h, w, c]` becomes `[n, c]`.
public func globalAveragePool2d(_ x: Variable) -> Variable {
    precondition(x.rank == 4, "globalAveragePool2d: expected NHWC input, got \(x.shape)")
    let n = x.shape[0], pixels = x.shape[1] * x.shape[2], c = x.shape[3]
    let scale = 1 / Float(Swift.max(pixels, 1))
    let xValue = x.value
    let y = makeTensor(shape: [n, c]) { out in
        xValue.withScalarPointer { px in
            for b in 0..<n {
                accumulateColumnSums(px + b * pixels * c, rows: pixels, columns: c, into: out + b * c, accumulate: false)
                for ch in 0..<c { out[b * c + ch] *= scale }
            }
        }
    }
    return Variable.record(y, parents: [x]) { gradient in
        x.accumulateGradient { dx, add in
            gradient.withScalarPointer { dz in
                for b in 0..<n {
                    for p in 0..<pixels {
                        let d = dx + (b * pixels + p) * c
                        for ch in 0..<c { d[ch] = (add ? d[ch] : 0) + dz[b * c + ch] * scale }
                    }
                }
            }
        }
    }
}

/// The maximum over height and width of NHWC input: `[n, h, w, c]` becomes `[n, c]`. The
/// backward pass routes each gradient to the first maximum of its channel.
public func globalMaxPool2d(_ x: Variable) -> Variable {
    precondition(x.rank == 4 && x.shape[1] * x.shape[2] > 0, "globalMaxPool2d: expected non-empty NHWC input, got \(x.shape)")
    let n = x.shape[0], pixels = x.shape[1] * x.shape[2], c = x.shape[3], imageSize = pixels * c
    precondition(imageSize < Int(Int32.max), "globalMaxPool2d: images too large")
    var argmax = [Int32](repeating: 0, count: n * c)
    let xValue = x.value
    let y = makeTensor(shape: [n, c]) { out in
        xValue.withScalarPointer { px in argmax.withUnsafeMutableBufferPointer { indexBuffer in
            let indices = SendablePointer(indexBuffer.baseAddress!)
            parallelChunks(n, costPerItem: imageSize) { images in
                for b in images {
                    let image = px + b * imageSize, o = out + b * c, idx = indices.pointer + b * c
                    o.update(from: image, count: c)
                    for ch in 0..<c { idx[ch] = Int32(ch) }
                    for p in 1..<pixels { maxUpdate(image + p * c, o, idx, offset: p * c, count: c) }
                }
            }
        } }
    }
    let indices = argmax
    return Variable.record(y, parents: [x]) { gradient in
        x.accumulateGradient { dx, add in
            if !add { dx.update(repeating: 0, count: xValue.count) }
            gradient.withScalarPointer { g in
                for t in 0..<(n * c) { dx[t / c * imageSize + Int(indices[t])] += g[t] }
            }
        }
    }
}

/// The `[h, w, c]` output of a `poolSize` window moved by `strides` over an `[h, w, c]` input.
private func pooledShape(_ inputShape: [Int], layer: String, poolSize: Size2D, strides: Size2D, padding: Padding) -> [Int] {
    precondition(inputShape.count == 3, "\(layer): input \(inputShape) should be [h, w, c]")
    let g = WindowGeometry(inputShape: [1] + inputShape, window: poolSize, strides: strides, padding: padding)
    return [g.outHeight, g.outWidth, inputShape[2]]
}

/// Max pooling, as Keras' `MaxPooling2D` (`strides` default to `poolSize`).
public final class MaxPool2D: Layer {
    public let poolSize: Size2D
    public let strides: Size2D
    public let padding: Padding

    public init(poolSize: Size2D = Size2D(2), strides: Size2D? = nil, padding: Padding = .valid) {
        self.poolSize = poolSize
        self.strides = strides ?? poolSize
        self.padding = padding
    }

    public func outputShape(for inputShape: [Int]) -> [Int] {
        pooledShape(inputShape, layer: "MaxPool2D", poolSize: poolSize, strides: strides, padding: padding)
    }

    public func callAsFunction(_ x: Variable, training: Bool) -> Variable {
        maxPool2d(x, poolSize: poolSize, strides: strides, padding: padding)
    }

    public var description: String { "MaxPool2D(size: \(poolSize), strides: \(strides), padding: \(padding.rawValue))" }
}

/// Average pooling, as Keras' `AveragePooling2D` (`strides` default to `poolSize`).
public final class AveragePool2D: Layer {
    public let poolSize: Size2D
    public let strides: Size2D
    public let padding: Padding

    public init(poolSize: Size2D = Size2D(2), strides: Size2D? = nil, padding: Padding = .valid) {
        self.poolSize = poolSize
        self.strides = strides ?? poolSize
        self.padding = padding
    }

    public func outputShape(for inputShape: [Int]) -> [Int] {
        pooledShape(inputShape, layer: "AveragePool2D", poolSize: poolSize, strides: strides, padding: padding)
    }

    public func callAsFunction(_ x: Variable, training: Bool) -> Variable {
        averagePool2d(x, poolSize: poolSize, strides: strides, padding: padding)
    }

    public var description: String { "AveragePool2D(size: \(poolSize), strides: \(strides), padding: \(padding.rawValue))" }
}

/// Pooling over all positions: `[h, w, c]` (or `[steps, c]`) becomes `[c]`, or `[1, 1, c]` (or
/// `[1, c]`) with `keepDims` (Keras' `keepdims=True`). The common part of the global pooling
/// layers; 1-D input is pooled as a one-pixel-high image.
public class GlobalPool: Layer {
    /// The pooled axes: 2 for NHWC input, 1 for NWC.
    public let spatialAxes: Int
    /// Whether the output keeps the pooled axes, as extents of 1.
    public let keepDims: Bool
    /// `[n, h, w, c]` to `[n, c]`.
    private let pool2d: (Variable) -> Variable

    init(spatialAxes: Int, keepDims: Bool, pool2d: @escaping (Variable) -> Variable) {
        self.spatialAxes = spatialAxes
        self.keepDims = keepDims
        self.pool2d = pool2d
    }

    public func outputShape(for inputShape: [Int]) -> [Int] {
        precondition(inputShape.count == spatialAxes + 1,
                     "\(type(of: self)): input \(inputShape) should be [\(spatialAxes == 2 ? "h, w" : "steps"), c]")
        return (keepDims ? [Int](repeating: 1, count: spatialAxes) : []) + [inputShape[spatialAxes]]
    }

    public func callAsFunction(_ x: Variable, training: Bool) -> Variable {
        precondition(x.rank == spatialAxes + 2, "\(type(of: self)): expected \(spatialAxes == 2 ? "NHWC" : "NWC") input, got \(x.shape)")
        let n = x.shape[0], c = x.shape[spatialAxes + 1]
        let pooled = pool2d(spatialAxes == 2 ? x : x.reshaped([n, 1, x.shape[1], c]))
        return keepDims ? pooled.reshaped([n] + [Int](repeating: 1, count: spatialAxes) + [c]) : pooled
    }

    public var description: String { "\(type(of: self))(\(keepDims ? "keepDims" : ""))" }
}

/// Global average pooling, as Keras' `GlobalAveragePooling2D`.
public final class GlobalAveragePool2D: GlobalPool {
    public init(keepDims: Bool = false) { super.init(spatialAxes: 2, keepDims: keepDims, pool2d: globalAveragePool2d) }
}

/// Global max pooling, as Keras' `GlobalMaxPooling2D`.
public final class GlobalMaxPool2D: GlobalPool {
    public init(keepDims: Bool = false) { super.init(spatialAxes: 2, keepDims: keepDims, pool2d: globalMaxPool2d) }
}

/// `o = max(o, x)` elementwise, recording `offset + i` in `idx` where `x` wins (first maximum kept).
/// Explicit SIMD: the scalar form compiles to a mispredicted branch per element.
@inlinable
func maxUpdate(_ x: UnsafePointer<Float>, _ o: UnsafeMutablePointer<Float>, _ idx: UnsafeMutablePointer<Int32>,
               offset: Int, count: Int) {
    var ch = 0
    let base = Int32(truncatingIfNeeded: offset)
    let lanes = SIMD4<Int32>(0, 1, 2, 3)
    while ch &+ 4 <= count {
        let v = UnsafeRawPointer(x + ch).loadUnaligned(as: SIMD4<Float>.self)
        let current = UnsafeRawPointer(o + ch).loadUnaligned(as: SIMD4<Float>.self)
        let better = v .> current
        UnsafeMutableRawPointer(o + ch).storeBytes(of: current.replacing(with: v, where: better), as: SIMD4<Float>.self)
        let indices = UnsafeRawPointer(idx + ch).loadUnaligned(as: SIMD4<Int32>.self)
        let candidate = SIMD4<Int32>(repeating: base &+ Int32(truncatingIfNeeded: ch)) &+ lanes
        UnsafeMutableRawPointer(idx + ch).storeBytes(of: indices.replacing(with: candidate, where: better), as: SIMD4<Int32>.self)
        ch &+= 4
    }
    while ch < count {
        if x[ch] > o[ch] {
            o[ch] = x[ch]
            idx[ch] = base &+ Int32(truncatingIfNeeded: ch)
        }
        ch &+= 1
    }
}

/// The description the two-dimensional pooling layers share: `pool_size`, `strides` (the pool
/// size when null), `padding`.
protocol Pooling2DDescription: DescribedLayer {
    init(poolSize: Size2D, strides: Size2D?, padding: Padding)
    var poolSize: Size2D { get }
    var strides: Size2D { get }
    var padding: Padding { get }
}

extension Pooling2DDescription {
    public static func plan(_ config: LayerConfig, inputShapes: [[Int]]) throws -> LayerPlan {
        let (height, width, channels) = try imageInput(inputShapes)
        try config.requireChannelsLast()
        let pool = try config.size("pool_size", default: Size2D(2)), strides = try config.size("strides", default: pool)
        let padding = try config.padding()
        return LayerPlan(outputShape: [try windowOutput(height, window: pool.height, stride: strides.height, padding: padding),
                                       try windowOutput(width, window: pool.width, stride: strides.width, padding: padding), channels],
                         config: ["pool_size": pool.configValue, "strides": strides.configValue, "padding": .string(padding.rawValue)])
    }

    public static func make(_ config: LayerConfig, inputShapes: [[Int]], generator: inout RandomGenerator) throws -> any ModelLayer {
        let c = try plan(config, inputShapes: inputShapes).config
        return Self(poolSize: try c.size("pool_size"), strides: try c.size("strides"), padding: try c.padding())
    }

    public var config: LayerConfig {
        ["pool_size": poolSize.configValue, "strides": strides.configValue, "padding": .string(padding.rawValue)]
    }
}

extension MaxPool2D: Pooling2DDescription {
    public static var kerasClassName: String { "MaxPooling2D" }
    public static var kerasAliases: [String] { ["MaxPool2D"] }
    public static var keyword: String { "maxpool2d" }
}

extension AveragePool2D: Pooling2DDescription {
    public static var kerasClassName: String { "AveragePooling2D" }
    public static var kerasAliases: [String] { ["AvgPool2D"] }
    public static var keyword: String { "avgpool2d" }
}

/// The description the two-dimensional global pooling layers share: `keepdims`.
protocol GlobalPooling2DDescription: DescribedLayer {
    init(keepDims: Bool)
    var keepDims: Bool { get }
}

extension GlobalPooling2DDescription {
    public static func plan(_ config: LayerConfig, inputShapes: [[Int]]) throws -> LayerPlan {
        let channels = try imageInput(inputShapes).channels
        try config.requireChannelsLast()
        let keepDims = try config.bool("keepdims", default: false)
        return LayerPlan(outputShape: keepDims ? [1, 1, channels] : [channels], config: ["keepdims": .bool(keepDims)])
    }

    public static func make(_ config: LayerConfig, inputShapes: [[Int]], generator: inout RandomGenerator) throws -> any ModelLayer {
        _ = try plan(config, inputShapes: inputShapes)
        return Self(keepDims: try config.bool("keepdims", default: false))
    }

    public var config: LayerConfig { ["keepdims": .bool(keepDims)] }
}

extension GlobalAveragePool2D: GlobalPooling2DDescription {
    public static var kerasClassName: String { "GlobalAveragePooling2D" }
    public static var kerasAliases: [String] { ["GlobalAvgPool2D"] }
    public static var keyword: String { "globalavgpool2d" }
}

extension GlobalMaxPool2D: GlobalPooling2DDescription {
    public static var kerasClassName: String { "GlobalMaxPooling2D" }
    public static var kerasAliases: [String] { ["GlobalMaxPool2D"] }
    public static var keyword: String { "globalmaxpool2d" }
}
