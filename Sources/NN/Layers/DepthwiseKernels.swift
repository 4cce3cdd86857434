// The loops of depthwiseConv2d on NHWC tensors. Channels are innermost, so with multiplier 1
// every tap is an elementwise product of channel vectors: eight channels per SIMD8, four of
// them in flight (32 channels) so the additions of a pixel's taps do not wait on each other.
// Each output channel sums its taps in the same order as the scalar loops, from the bias.

/// The taps of a window that fall inside the image: rows `i` and columns `j` of the kernel.
@usableFromInline
struct WindowTaps {
    @usableFromInline let rows: Range<Int>, columns: Range<Int>
    /// Input row and column of tap (0, 0) (may lie in the padding).
    @usableFromInline let top: Int, left: Int

    @inlinable @inline(__always)
    init(_ g: WindowGeometry, outRow oh: Int, outColumn ow: Int) {
        top = oh &* g.strideHeight &- g.padTop
        left = ow &* g.strideWidth &- g.padLeft
        rows = Swift.max(0, -top)..<Swift.max(0, Swift.min(g.windowHeight, g.height &- top))
        columns = Swift.max(0, -left)..<Swift.max(0, Swift.min(g.windowWidth, g.width &- left))
    }
}

/// Calls `body(image, taps, pixel)` for every output pixel of output rows `rows` (each an
/// `(image, outRow)` pair, `image * outHeight + outRow`): the pixel's input image, the taps of its
/// window inside the image, and where its `outChannels` outputs go in `out`.
@inline(__always)
func forEachOutputPixel(_ x: UnsafePointer<Float>, _ g: WindowGeometry, rows: Range<Int>, outChannels: Int,
                        into out: UnsafeMutablePointer<Float>,
                        _ body: (_ image: UnsafePointer<Float>, _ taps: WindowTaps, _ pixel: UnsafeMutablePointer<Float>) -> Void) {
    for row in rows {
        let image = x + (row / g.outHeight) &* g.imageSize, oh = row % g.outHeight
        for ow in 0..<g.outWidth {
            body(image, WindowTaps(g, outRow: oh, outColumn: ow), out + (row &* g.outWidth &+ ow) &* outChannels)
        }
    }
}

/// Output rows `rows` (each an `(image, outRow)` pair, `image * outHeight + outRow`) of a
/// depthwise convolution with multiplier 1: `out = bias + Σ x * kernel` over the taps.
func depthwiseForwardRows(_ x: UnsafePointer<Float>, kernel w: UnsafePointer<Float>, bias b: UnsafePointer<Float>?,
                          _ g: WindowGeometry, rows: Range<Int>, into out: UnsafeMutablePointer<Float>) {
    let c = g.channels, kw = g.windowWidth
    forEachOutputPixel(x, g, rows: rows, outChannels: c, into: out) { image, taps, o in
        // The input pixel and kernel tap of tap (i, 0), channel 0.
        @inline(__always) func input(_ i: Int) -> UnsafePointer<Float> { image + ((taps.top &+ i) &* g.width &+ taps.left) &* c }
        @inline(__always) func weights(_ i: Int) -> UnsafePointer<Float> { w + i &* kw &* c }
        var k = 0
        while k &+ 32 <= c {
            var a0 = b.map { load8($0 + k) } ?? .zero, a1 = b.map { load8($0 + (k &+ 8)) } ?? .zero
            var a2 = b.map { load8($0 + (k &+ 16)) } ?? .zero, a3 = b.map { load8($0 + (k &+ 24)) } ?? .zero
            for i in taps.rows {
                let xi = input(i) + k, wi = weights(i) + k
                for j in taps.columns {
                    let xp = xi + j &* c, wp = wi + j &* c
                    a0 += load8(xp) * load8(wp)
                    a1 += load8(xp + 8) * load8(wp + 8)
                    a2 += load8(xp + 16) * load8(wp + 16)
                    a3 += load8(xp + 24) * load8(wp + 24)
                }
            }
            store8(a0, o + k); store8(a1, o + (k &+ 8)); store8(a2, o + (k &+ 16)); store8(a3, o + (k &+ 24))
            k &+= 32
        }
        while k &+ 8 <= c {
            var a = b.map { load8($0 + k) } ?? .zero
            for i in taps.rows {
                let xi = input(i) + k, wi = weights(i) + k
                for j in taps.columns { a += load8(xi + j &* c) * load8(wi + j &* c) }
            }
            store8(a, o + k)
            k &+= 8
        }
        while k < c {
            var a = b?[k] ?? 0
            for i in taps.rows {
                for j in taps.columns { a += input(i)[j &* c &+ k] * weights(i)[j &* c &+ k] }
            }
            o[k] = a
            k &+= 1
        }
    }
}

/// The backward pass of a depthwise convolution with multiplier 1 over images `images`: adds
/// `x * dz` into `dw` (`[kh, kw, c]`) when given, and `kernel * dz` into `dx` when given.
func depthwiseBackwardImages(_ x: UnsafePointer<Float>, kernel w: UnsafePointer<Float>, outputGradient dz: UnsafePointer<Float>,
                             _ g: WindowGeometry, images: Range<Int>,
                             kernelGradient dw: UnsafeMutablePointer<Float>?, inputGradient dx: UnsafeMutablePointer<Float>?) {
    let c = g.channels, kw = g.windowWidth
    for n in images {
        let offset = n &* g.imageSize
        for oh in 0..<g.outHeight {
            for ow in 0..<g.outWidth {
                let taps = WindowTaps(g, outRow: oh, outColumn: ow)
                let d = dz + ((n &* g.outHeight &+ oh) &* g.outWidth &+ ow) &* c
                for i in taps.rows {
                    let pixel = offset &+ ((taps.top &+ i) &* g.width &+ taps.left) &* c
                    for j in taps.columns {
                        let at = pixel &+ j &* c, tap = (i &* kw &+ j) &* c
                        let xp = x + at, wp = w + tap
                        var k = 0
                        while k &+ 8 <= c {
                            let grad = load8(d + k)
                            if let dw { store8(load8(dw + (tap &+ k)) + load8(xp + k) * grad, dw + (tap &+ k)) }
                            if let dx { store8(load8(dx + (at &+ k)) + load8(wp + k) * grad, dx + (at &+ k)) }
                            k &+= 8
                        }
                        while k < c {
                            if let dw { dw[tap &+ k] += xp[k] * d[k] }
                            if let dx { dx[at &+ k] += wp[k] * d[k] }
                            k &+= 1
                        }
                    }
                }
            }
        }
    }
}
