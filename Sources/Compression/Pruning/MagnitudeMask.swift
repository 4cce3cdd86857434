/// A 0/1 keep-mask chosen by weight magnitude, with the magnitude it cut at.
public struct MagnitudeMask: Sendable, Equatable {
    /// 1 = kept, 0 = cut, one entry per weight.
    public var mask: [Float]
    /// Every weight cut by this pass has a magnitude at most this, every kept one at least this
    /// (for a threshold mask: weights below it were cut). Zero when the pass cut nothing new.
    public var threshold: Float

    public init(mask: [Float], threshold: Float) {
        self.mask = mask
        self.threshold = threshold
    }

    /// The fraction of weights cut.
    public var sparsity: Double {
        mask.isEmpty ? 0 : Double(mask.reduce(0) { $0 + ($1 == 0 ? 1 : 0) }) / Double(mask.count)
    }

    /// Keeps all but the `round(sparsity × count)` smallest-magnitude weights.
    ///
    /// Weights already cut in `existing` stay cut and count towards the target, so pruning never
    /// brings a weight back; when they already reach it nothing more is cut. Ties in magnitude
    /// are broken by position (the earlier weight is cut first), so the result is deterministic.
    ///
    /// ```swift
    /// MagnitudeMask(values: [0.5, -0.1, 0.3, 0.1], existing: nil, sparsity: 0.5).mask   // [1, 0, 1, 0]
    /// ```
    public init(values: [Float], existing: [Float]?, sparsity: Double) {
        precondition((0..<1).contains(sparsity), "MagnitudeMask: sparsity \(sparsity) outside [0, 1)")
        let masks = MagnitudeMask.global(values: [values], existing: [existing], sparsity: sparsity)
        self = masks[0]
    }

    /// Cuts every weight whose magnitude is below `threshold`, and keeps the ones `existing` cut.
    public init(values: [Float], existing: [Float]?, threshold: Float) {
        if let existing { precondition(existing.count == values.count, "MagnitudeMask: mask and values differ in length") }
        var mask = [Float](repeating: 1, count: values.count)
        for i in values.indices where abs(values[i]) < threshold || (existing.map { $0[i] == 0 } ?? false) {
            mask[i] = 0
        }
        self.init(mask: mask, threshold: threshold)
    }

    /// One magnitude threshold across several layers: cuts the `round(sparsity × total)`
    /// smallest-magnitude weights of all of them together.
    ///
    /// As for a single layer, weights already cut stay cut and count towards the target, and
    /// ties are broken by position (layer order, then element order). Every returned mask
    /// carries the common threshold.
    public static func global(values: [[Float]], existing: [[Float]?], sparsity: Double) -> [MagnitudeMask] {
        precondition((0..<1).contains(sparsity), "MagnitudeMask: sparsity \(sparsity) outside [0, 1)")
        precondition(values.count == existing.count, "MagnitudeMask: \(values.count) layers but \(existing.count) masks")
        let total = values.reduce(0) { $0 + $1.count }
        precondition(total < 1 << 32, "MagnitudeMask: too many weights for one selection")
        var masks = zip(values, existing).map { values, existing in
            if let existing { precondition(existing.count == values.count, "MagnitudeMask: mask and values differ in length") }
            return existing.map { $0.map { $0 == 0 ? Float(0) : 1 } } ?? [Float](repeating: 1, count: values.count)
        }
        let alreadyCut = masks.reduce(0) { $0 + $1.reduce(0) { $0 + ($1 == 0 ? 1 : 0) } }
        let target = Int((sparsity * Double(total)).rounded())
        guard target > alreadyCut else { return masks.map { MagnitudeMask(mask: $0, threshold: 0) } }

        // Candidates as sortable keys: magnitude bits (non-negative floats order like their bit
        // patterns) above the position, so equal magnitudes fall back to position order.
        var keys: [UInt64] = []
        keys.reserveCapacity(total - alreadyCut)
        var position: UInt64 = 0
        for (layer, layerValues) in values.enumerated() {
            for i in layerValues.indices {
                if masks[layer][i] != 0 {
                    keys.append(UInt64(abs(layerValues[i]).bitPattern) << 32 | position)
                }
                position += 1
            }
        }
        keys.sort()
        let cuts = keys.prefix(target - alreadyCut)
        let offsets = values.reduce(into: [0]) { $0.append($0.last! + $1.count) }
        var layer = 0
        for key in cuts.map({ Int($0 & 0xFFFF_FFFF) }).sorted() {
            while key >= offsets[layer + 1] { layer += 1 }
            masks[layer][key - offsets[layer]] = 0
        }
        let threshold = Float(bitPattern: UInt32(cuts.last! >> 32))
        return masks.map { MagnitudeMask(mask: $0, threshold: threshold) }
    }
}

/// The population standard deviation of the weights `mask` keeps (all of them without a mask).
///
/// The quality criterion of Han et al. multiplies this by the quality parameter to get a
/// layer's threshold; computing it over the kept weights only means that re-pruning an already
/// pruned layer measures the spread of the weights that are still alive.
public func standardDeviationOfKeptWeights(_ values: [Float], mask: [Float]?) -> Float {
    var count = 0, sum: Double = 0, squares: Double = 0
    for i in values.indices where mask.map({ $0[i] != 0 }) ?? true {
        let v = Double(values[i])
        count += 1
        sum += v
        squares += v * v
    }
    guard count > 0 else { return 0 }
    let mean = sum / Double(count)
    return Float(max(squares / Double(count) - mean * mean, 0).squareRoot())
}
