import NN

/// k-means weight sharing of one parameter (Deep Compression, section 3).
///
/// The parameter's weights are clustered into at most `k = 2^bits` shared values by
/// ``KMeans1D``, and the parameter gets a `Codebook`: each weight becomes the index of its nearest
/// centroid. Fine-tuning then trains the centroids (the gradient of a centroid is the sum of the
/// gradients of its weights) and keeps the assignments.
///
/// Pruned layers: when the parameter has a mask, only the kept weights (mask 1) are clustered;
/// cut weights get assignment `-1` and stay exactly zero, with their mask. The `2^bits` shared
/// values are for the kept weights only: zero is not one of them, since the sparse format records
/// where the cut weights are. A pruned layer therefore has at most `2^bits` distinct non-zero
/// values, plus the zero.
///
/// A layer with at most `2^bits` distinct weights keeps them all exactly (no clustering needed).
/// Clusters that end up empty are dropped, so the codebook can be shorter than `2^bits`.
///
/// ```swift
/// let outcome = try WeightSharing(bits: 5).apply(to: model.parameter(named: "fc1.kernel")!)
/// outcome.centroidCount    // at most 32
/// ```
public struct WeightSharing: Sendable {
    /// Bits per weight index, in ``BitWidths/allowedRange``.
    public var bits: Int
    /// Where the centroids start.
    public var initialization: CentroidInitialization
    /// Seeds `random` and `kmeans++` initialisation.
    public var seed: UInt64

    /// What ``apply(to:)`` did to one parameter.
    public struct Outcome: Sendable, Equatable {
        /// The weights clustered (the kept ones of a pruned parameter).
        public var clusteredCount: Int
        /// The shared values in the codebook (non-empty clusters).
        public var centroidCount: Int
        /// The Lloyd iterations run.
        public var iterations: Int
        /// The sum of squared distances of the clustered weights to their centroids.
        public var objective: Double
    }

    /// - Throws: ``CompressionError`` when `bits` is outside ``BitWidths/allowedRange``.
    public init(bits: Int, initialization: CentroidInitialization = .linear, seed: UInt64 = 1) throws {
        guard BitWidths.allowedRange.contains(bits) else {
            throw CompressionError("bits must lie in \(BitWidths.allowedRange.lowerBound)...\(BitWidths.allowedRange.upperBound), got \(bits)")
        }
        self.bits = bits
        self.initialization = initialization
        self.seed = seed
    }

    /// Clusters `parameter`'s weights and ties them to the resulting codebook (replacing any
    /// codebook it had). Returns nil, leaving the parameter alone, when every weight is pruned.
    @discardableResult
    public func apply(to parameter: Parameter) -> Outcome? {
        let values = parameter.value.scalars
        let kept: [Int]
        if let mask = parameter.mask {
            kept = mask.scalars.indices.filter { mask.scalars[$0] != 0 }
        } else {
            kept = Array(values.indices)
        }
        guard !kept.isEmpty else { return nil }
        let keptValues = kept.map { values[$0] }
        let kmeans = KMeans1D(values: keptValues)
        let centroids: [Float]
        let iterations: Int
        let objective: Double
        let distinct = distinctSortedValues(kmeans.sortedValues)
        if distinct.count <= 1 << bits {
            // Few enough values to keep every one: the exact (optimal) codebook.
            (centroids, iterations, objective) = (distinct, 0, 0)
        } else {
            let start = initialization.centroids(count: 1 << bits, sortedValues: kmeans.sortedValues, seed: seed)
            let result = kmeans.cluster(from: start)
            centroids = zip(result.centroids, result.clusterSizes).filter { $0.1 > 0 }.map(\.0)
            (iterations, objective) = (result.iterations, result.objective)
        }
        let nearest = KMeans1D.nearestCentroids(of: keptValues, centroids: centroids)
        var assignments = [Int32](repeating: -1, count: values.count)
        for (position, index) in kept.enumerated() { assignments[index] = nearest[position] }
        parameter.codebook = Codebook(assignments: assignments, centroids: centroids)
        return Outcome(clusteredCount: kept.count, centroidCount: centroids.count, iterations: iterations, objective: objective)
    }
}

/// The distinct values of an ascending array (`-0` and `+0` count as one).
private func distinctSortedValues(_ sorted: [Float]) -> [Float] {
    var result: [Float] = []
    for value in sorted where result.last != value { result.append(value) }
    return result
}
