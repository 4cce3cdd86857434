// The forward pass of a convolution with few input channels (a network's first layer on RGB
// images), computed directly: sgemm with an inner dimension of 27 (3x3x3) runs far below its
// peak and the im2col it needs costs as much again. Each output pixel keeps 32 output channels
// in four SIMD8 accumulators and adds every tap's input value times that tap's kernel row.

/// Output rows `rows` (`image * outHeight + outRow`) of the convolution of NHWC `x` with an HWIO
/// kernel of `outChannels` filters, plus `bias`, written to `out`.
func directConvolutionRows(_ x: UnsafePointer<Float>, kernel w: UnsafePointer<Float>, bias b: UnsafePointer<Float>?,
                           _ g: WindowGeometry, outChannels o: Int, rows: Range<Int>, into out: UnsafeMutablePointer<Float>) {
    let c = g.channels, kw = g.windowWidth
    forEachOutputPixel(x, g, rows: rows, outChannels: o, into: out) { image, taps, pixel in
        // Tap (i, j, ch) is input value xi[j * c + ch] times kernel row wi + (j * c + ch) * o.
        let span = taps.columns.count &* c, first = taps.columns.lowerBound &* c
        @inline(__always) func input(_ i: Int) -> UnsafePointer<Float> {
            let offset: Int = ((taps.top &+ i) &* g.width &+ taps.left) &* c &+ first
            return image + offset
        }
        @inline(__always) func kernelRow(_ i: Int) -> UnsafePointer<Float> {
            let offset: Int = (i &* kw &* c &+ first) &* o
            return w + offset
        }
        var k = 0
        while k &+ 32 <= o {
            var a0 = b.map { load8($0 + k) } ?? .zero, a1 = b.map { load8($0 + (k &+ 8)) } ?? .zero
            var a2 = b.map { load8($0 + (k &+ 16)) } ?? .zero, a3 = b.map { load8($0 + (k &+ 24)) } ?? .zero
            for i in taps.rows {
                let xi = input(i)
                var wk = kernelRow(i) + k
                for t in 0..<span {
                    let v = SIMD8<Float>(repeating: xi[t])
                    a0 += v * load8(wk); a1 += v * load8(wk + 8); a2 += v * load8(wk + 16); a3 += v * load8(wk + 24)
                    wk += o
                }
            }
            store8(a0, pixel + k); store8(a1, pixel + (k &+ 8)); store8(a2, pixel + (k &+ 16)); store8(a3, pixel + (k &+ 24))
            k &+= 32
        }
        while k &+ 8 <= o {
            var a = b.map { load8($0 + k) } ?? .zero
            for i in taps.rows {
                let xi = input(i)
                var wk = kernelRow(i) + k
                for t in 0..<span {
                    a += SIMD8<Float>(repeating: xi[t]) * load8(wk)
                    wk += o
                }
            }
            store8(a, pixel + k)
            k &+= 8
        }
        while k < o {
            var a = b?[k] ?? 0
            for i in taps.rows {
                let xi = input(i)
                let wi = kernelRow(i) + k
                for t in 0..<span { a += xi[t] * wi[t &* o] }
            }
            pixel[k] = a
            k &+= 1
        }
    }
}
