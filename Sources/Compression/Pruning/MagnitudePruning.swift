import Foundation
import NN

/// What decides how many weights magnitude pruning cuts.
public enum PruningCriterion: Sendable, Equatable {
    /// Cut this fraction of each layer's weights, smallest magnitudes first (values in [0, 1)).
    case sparsity(PerLayerValue)
    /// Cut each layer's weights below quality × the standard deviation of its kept weights
    /// (Han et al. 2015); the standard deviation is measured once, when pruning starts.
    case quality(PerLayerValue)
    /// One magnitude threshold across all chosen layers that cuts this fraction of their weights.
    case globalSparsity(Double)
}

/// Magnitude pruning (Han, Pool, Tran, Dally, NIPS 2015) of chosen layers, in one step or
/// in several (iterative pruning, or the gradual schedule of Zhu and Gupta).
///
/// Masks are set in ``MaskMode/pruned`` mode: cut weights become zero, and an optimizer keeps
/// them zero while the rest is retrained. Masks the layers already carry are respected:
/// pruning only ever cuts more.
///
/// ```swift
/// let layers = try PrunableLayer.select(in: model, layers: LayerSelection("fc*"), includeBiases: false)
/// let pruning = try MagnitudePruning(layers: layers, criterion: .sparsity(PerLayerValue(0.9, setting: "sparsity")))
/// for round in 1...3 {
///     pruning.prune(progress: Double(round) / 3)   // 54%, 78%, then 90% cut
///     // retrain ...
/// }
/// ```
public struct MagnitudePruning {
    /// The layers pruned, in model order.
    public let layers: [PrunableLayer]
    public let criterion: PruningCriterion
    /// Each layer's sparsity when pruning started (from masks it already had).
    public let initialSparsities: [Double]
    /// Each layer's final target: a sparsity, or a quality for ``PruningCriterion/quality(_:)``.
    public let targets: [Double]
    /// Each layer's standard deviation of kept weights when pruning started.
    public let standardDeviations: [Float]

    /// Checks the criterion's values against the layers (sparsity in [0, 1), quality positive,
    /// every layer covered, every pattern matching a layer) and records the starting point.
    public init(layers: [PrunableLayer], criterion: PruningCriterion) throws {
        self.layers = layers
        self.criterion = criterion
        let names = layers.map(\.name)
        switch criterion {
        case .sparsity(let values):
            let resolved = try values.values(for: names)
            targets = try names.map { name in try checkedSparsity(resolved[name]!, layer: name) }
        case .quality(let values):
            let resolved = try values.values(for: names)
            targets = try names.map { name in
                let quality = resolved[name]!
                guard quality > 0 else { throw CompressionError("quality for layer \(name) must be positive, got \(quality)") }
                return quality
            }
        case .globalSparsity(let sparsity):
            targets = [Double](repeating: try checkedSparsity(sparsity, layer: nil), count: layers.count)
        }
        initialSparsities = layers.map { layer in
            layer.hasMask ? MagnitudeMask(mask: layer.mask, threshold: 0).sparsity : 0
        }
        standardDeviations = layers.map { layer in
            standardDeviationOfKeptWeights(layer.values, mask: layer.hasMask ? layer.mask : nil)
        }
    }

    /// The sparsity of all chosen layers together when pruning started.
    public var initialGlobalSparsity: Double {
        let total = layers.reduce(0) { $0 + $1.count }
        let cut = zip(layers, initialSparsities).reduce(0.0) { $0 + Double($1.0.count) * $1.1 }
        return total > 0 ? cut / Double(total) : 0
    }

    /// Prunes the fraction `progress` (in (0, 1]) of the way from the starting point to the
    /// target, and returns each layer's threshold.
    ///
    /// For a sparsity the kept fraction moves geometrically, so every round cuts the same share
    /// of the surviving weights: `kept = kept₀^(1-p) · kept_target^p`. For a quality the threshold
    /// moves linearly: `p × quality × std₀`. `progress` 1 reaches the target.
    @discardableResult
    public func prune(progress: Double) -> [Float] {
        precondition(progress > 0 && progress <= 1, "MagnitudePruning: progress \(progress) outside (0, 1]")
        switch criterion {
        case .sparsity:
            return prune(sparsities: zip(initialSparsities, targets).map { interpolatedSparsity(from: $0, to: $1, progress: progress) })
        case .quality:
            return layers.indices.map { index in
                let threshold = Float(progress * targets[index]) * standardDeviations[index]
                let layer = layers[index]
                let result = MagnitudeMask(values: layer.values, existing: layer.hasMask ? layer.mask : nil, threshold: threshold)
                layer.setMask(result.mask, mode: .pruned)
                return threshold
            }
        case .globalSparsity(let sparsity):
            let threshold = prune(globalSparsity: interpolatedSparsity(from: initialGlobalSparsity, to: sparsity, progress: progress))
            return [Float](repeating: threshold, count: layers.count)
        }
    }

    /// Prunes each layer to the given sparsity (one per layer, in [0, 1)); returns the thresholds.
    @discardableResult
    public func prune(sparsities: [Double]) -> [Float] {
        precondition(sparsities.count == layers.count, "MagnitudePruning: \(sparsities.count) sparsities for \(layers.count) layers")
        return zip(layers, sparsities).map { layer, sparsity in
            let result = MagnitudeMask(values: layer.values, existing: layer.hasMask ? layer.mask : nil, sparsity: sparsity)
            layer.setMask(result.mask, mode: .pruned)
            return result.threshold
        }
    }

    /// Prunes all layers together to `sparsity` with one threshold, which it returns.
    @discardableResult
    public func prune(globalSparsity sparsity: Double) -> Float {
        let results = MagnitudeMask.global(values: layers.map(\.values),
                                           existing: layers.map { $0.hasMask ? $0.mask : nil }, sparsity: sparsity)
        for (layer, result) in zip(layers, results) { layer.setMask(result.mask, mode: .pruned) }
        return results.first?.threshold ?? 0
    }
}

/// `1 - kept₀^(1-p) · kept₁^p`: the sparsity `progress` of the way from `from` to `to`,
/// interpolating the kept fraction geometrically (never below `from`).
func interpolatedSparsity(from initial: Double, to target: Double, progress: Double) -> Double {
    guard target > initial else { return initial }
    let kept = pow(1 - initial, 1 - progress) * pow(1 - target, progress)
    return min(max(1 - kept, initial), target)
}

private func checkedSparsity(_ sparsity: Double, layer: String?) throws -> Double {
    guard (0..<1).contains(sparsity) else {
        let subject = layer.map { "sparsity for layer \($0)" } ?? "global sparsity"
        throw CompressionError("\(subject) must be in [0, 1) (the fraction of weights cut), got \(sparsity)")
    }
    return sparsity
}
