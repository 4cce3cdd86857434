import TensorCore

/// Where k-means weight sharing places its centroids before the Lloyd iterations (Deep
/// Compression, section 3.1).
///
/// - `linear`: evenly spaced between the smallest and the largest value. The default: Han et al.
///   found it best, because it keeps centroids on the few large weights that matter most.
/// - `density`: the quantiles of the values at evenly spaced probabilities `(j + ½) / k`, so
///   centroids crowd where the weights do.
/// - `random` (Forgy): `k` distinct values drawn at random (all of them when there are fewer).
/// - `kmeansPlusPlus`: Arthur and Vassilvitskii's seeding, each next centroid drawn with
///   probability proportional to the squared distance to the nearest one chosen (`O(n k)`).
///
/// ```swift
/// let start = CentroidInitialization.density.centroids(count: 64, sortedValues: sorted, seed: 1)
/// ```
public enum CentroidInitialization: String, CaseIterable, Sendable {
    case linear
    case density
    case random
    case kmeansPlusPlus = "kmeans++"

    /// Initial centroids, ascending: `count` of them, or fewer for `random` and `kmeansPlusPlus`
    /// when there are fewer values than `count`.
    ///
    /// - Parameters:
    ///   - count: the number of clusters, `k`.
    ///   - sortedValues: the values to cluster, ascending (``KMeans1D/sortedValues``).
    ///   - seed: seeds the random choices of `random` and `kmeansPlusPlus`.
    /// - Precondition: `count` is positive and there is at least one value.
    public func centroids(count: Int, sortedValues: [Float], seed: UInt64) -> [Float] {
        precondition(count > 0, "CentroidInitialization: count must be positive")
        precondition(!sortedValues.isEmpty, "CentroidInitialization: no values")
        let n = sortedValues.count
        switch self {
        case .linear:
            let low = Double(sortedValues[0]), high = Double(sortedValues[n - 1])
            guard count > 1 else { return [Float((low + high) / 2)] }
            let step = (high - low) / Double(count - 1)
            return (0..<count).map { j in j == count - 1 ? Float(high) : Float(Double(j) * step + low) }
        case .density:
            return (0..<count).map { j in
                let position = (Double(j) + 0.5) / Double(count) * Double(n)
                return sortedValues[min(n - 1, Int(position))]
            }
        case .random:
            var generator = RandomGenerator(seed: seed)
            return generator.permutation(n).prefix(count).map { sortedValues[$0] }.sorted()
        case .kmeansPlusPlus:
            return kMeansPlusPlus(count: min(count, n), sortedValues: sortedValues, seed: seed)
        }
    }
}

/// k-means++ seeding: the first centroid uniformly at random, then each next one drawn with
/// probability proportional to its squared distance to the nearest centroid so far.
private func kMeansPlusPlus(count: Int, sortedValues: [Float], seed: UInt64) -> [Float] {
    var generator = RandomGenerator(seed: seed)
    let n = sortedValues.count
    var chosen = [sortedValues[generator.nextInt(below: n)]]
    var distances = sortedValues.map { x -> Double in
        let d = Double(x) - Double(chosen[0])
        return d * d
    }
    while chosen.count < count {
        let total = distances.reduce(0, +)
        guard total > 0 else { break }   // every value is already a centroid
        let target = generator.nextUnitDouble() * total
        var cumulative = 0.0
        var pick = n - 1
        for i in 0..<n {
            cumulative += distances[i]
            if cumulative > target && distances[i] > 0 { pick = i; break }
        }
        // Rounding can leave the scan at a value with distance 0; take the last one that has any.
        while distances[pick] == 0 { pick -= 1 }
        let centroid = sortedValues[pick]
        chosen.append(centroid)
        for i in 0..<n {
            let d = Double(sortedValues[i]) - Double(centroid)
            distances[i] = min(distances[i], d * d)
        }
    }
    return chosen.sorted()
}
