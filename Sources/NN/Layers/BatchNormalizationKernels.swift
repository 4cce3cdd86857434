// The loops of BatchNormalization over `[rows, channels]` (NHWC flattened): split across workers
// by rows, eight channels at a time. Sums are kept in Double per channel, one set per part,
// added in part order so a result does not depend on timing.

/// Runs `body(rows, sums)` over parts of `0..<rows`, each with `width` zeroed Doubles, and
/// returns the sums of the parts' values, added in part order.
@inlinable
func rowPartSums(rows: Int, width: Int, costPerRow: Int, _ body: (Range<Int>, UnsafeMutablePointer<Double>) -> Void) -> [Double] {
    let parts = partitionCount(rows, costPerItem: costPerRow)
    let partials = UnsafeMutablePointer<Double>.allocate(capacity: parts * width)
    partials.initialize(repeating: 0, count: parts * width)
    defer { partials.deallocate() }
    let shared = SendablePointer(partials)
    parallelPartitioned(rows, partitions: parts) { part, range in body(range, shared.pointer + part * width) }
    var total = [Double](repeating: 0, count: width)
    for part in 0..<parts {
        for j in 0..<width { total[j] += partials[part * width + j] }
    }
    return total
}

/// Per-channel sums of `x`, or of `(x - center)²` when `center` is given.
func channelSums(_ x: UnsafePointer<Float>, rows: Int, channels c: Int, center: [Float]?) -> [Double] {
    let source = SendablePointer(x)
    return (center ?? []).withUnsafeBufferPointer { centerBuffer in
        let m = center == nil ? nil : centerBuffer.baseAddress
        return rowPartSums(rows: rows, width: c, costPerRow: c) { range, sums in
            for r in range {
                let row = UnsafePointer(source.pointer) + r &* c
                var j = 0
                while j &+ 8 <= c {
                    var v = SIMD8<Double>(load8(row + j))
                    if let m {
                        v = SIMD8<Double>(load8(row + j) - load8(m + j))
                        v *= v
                    }
                    store8(load8(sums + j) + v, sums + j)
                    j &+= 8
                }
                while j < c {
                    if let m {
                        let d = Double(row[j] - m[j])
                        sums[j] += d * d
                    } else {
                        sums[j] += Double(row[j])
                    }
                    j &+= 1
                }
            }
        }
    }
}

/// Per-channel sums of `dy` and of `dy * xhat`, with `xhat = (x - mean) * invStd` recomputed;
/// returned as one array, the first `channels` values then the second.
func normalizationGradientSums(_ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, rows: Int, channels c: Int,
                               mean: UnsafePointer<Float>, invStd: UnsafePointer<Float>) -> [Double] {
    let gradient = SendablePointer(dy), input = SendablePointer(x)
    let m = SendablePointer(mean), s = SendablePointer(invStd)
    return rowPartSums(rows: rows, width: 2 * c, costPerRow: 2 * c) { range, sums in
        for r in range {
            let d = UnsafePointer(gradient.pointer) + r &* c, row = UnsafePointer(input.pointer) + r &* c
            var j = 0
            while j &+ 8 <= c {
                let g: SIMD8<Float> = load8(d + j)
                let centered: SIMD8<Float> = load8(row + j) - load8(m.pointer + j)
                let h: SIMD8<Float> = centered * load8(s.pointer + j)
                let sumDy: SIMD8<Double> = load8(sums + j) + SIMD8<Double>(g)
                let sumDyXhat: SIMD8<Double> = load8(sums + (c &+ j)) + SIMD8<Double>(g * h)
                store8(sumDy, sums + j)
                store8(sumDyXhat, sums + (c &+ j))
                j &+= 8
            }
            while j < c {
                let h = (row[j] - m.pointer[j]) * s.pointer[j]
                sums[j] += Double(d[j])
                sums[c &+ j] += Double(d[j] * h)
                j &+= 1
            }
        }
    }
}

/// `y = (x - mean) * invStd * gamma + beta` per channel (the same roundings as the two steps
/// `xhat = (x - mean) * invStd`, `y = xhat * gamma + beta`).
func normalize(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, rows: Int, channels c: Int,
               mean: UnsafePointer<Float>, invStd: UnsafePointer<Float>, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>) {
    let input = SendablePointer(x), output = SendablePointer(y)
    let m = SendablePointer(mean), s = SendablePointer(invStd), g = SendablePointer(gamma), b = SendablePointer(beta)
    parallelChunks(rows, costPerItem: c) { range in
        for r in range {
            let row = UnsafePointer(input.pointer) + r &* c, out = output.pointer + r &* c
            var j = 0
            while j &+ 8 <= c {
                let h = (load8(row + j) - load8(m.pointer + j)) * load8(s.pointer + j)
                store8(h * load8(g.pointer + j) + load8(b.pointer + j), out + j)
                j &+= 8
            }
            while j < c {
                out[j] = (row[j] - m.pointer[j]) * s.pointer[j] * g.pointer[j] + b.pointer[j]
                j &+= 1
            }
        }
    }
}

/// The input gradient of batch normalization, written (`accumulate` false) or added to `dx`.
///
/// With batch statistics (`meanDy`, `meanDyXhat` given):
/// `dx = gamma * invStd * (dy - mean(dy) - xhat * mean(dy * xhat))`; with fixed statistics
/// `dx = dy * gamma * invStd`.
func normalizationInputGradient(_ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, into dx: UnsafeMutablePointer<Float>,
                                accumulate: Bool, rows: Int, channels c: Int, mean: [Float], invStd: [Float], gamma: [Float],
                                meanDy: [Float]?, meanDyXhat: [Float]?) {
    let gradient = SendablePointer(dy), input = SendablePointer(x), output = SendablePointer(dx)
    // Per-channel factors, in the order the scalar formulas multiply them.
    let scale = (0..<c).map { gamma[$0] * invStd[$0] }
    let batchStatistics = meanDy != nil
    let md = meanDy ?? [], mh = meanDyXhat ?? []
    // One buffer: scale, mean, invStd, then (batch statistics) meanDy and meanDyXhat.
    let factors = scale + mean + invStd + (batchStatistics ? md + mh : [Float](repeating: 0, count: 2 * c))
    factors.withUnsafeBufferPointer { buffer in
        let base = SendablePointer(buffer.baseAddress!)
        parallelChunks(rows, costPerItem: c) { range in
            let k = UnsafePointer(base.pointer), m = k + c, s = k + 2 &* c, mdy = k + 3 &* c, mdh = k + 4 &* c
            for r in range {
                let d = UnsafePointer(gradient.pointer) + r &* c, row = UnsafePointer(input.pointer) + r &* c
                let out = output.pointer + r &* c
                var j = 0
                while j &+ 8 <= c {
                    var v: SIMD8<Float>
                    if batchStatistics {
                        let h = (load8(row + j) - load8(m + j)) * load8(s + j)
                        v = load8(k + j) * (load8(d + j) - load8(mdy + j) - h * load8(mdh + j))
                    } else {
                        v = load8(d + j) * load8(k + j)
                    }
                    if accumulate { v += load8(out + j) }
                    store8(v, out + j)
                    j &+= 8
                }
                while j < c {
                    let v: Float
                    if batchStatistics {
                        let h = (row[j] - m[j]) * s[j]
                        v = k[j] * (d[j] - mdy[j] - h * mdh[j])
                    } else {
                        v = d[j] * k[j]
                    }
                    out[j] = (accumulate ? out[j] : 0) + v
                    j &+= 1
                }
            }
        }
    }
}
