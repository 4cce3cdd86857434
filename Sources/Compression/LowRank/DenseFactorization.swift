import NN
import TensorCore

/// Which SVD computes a Dense layer's factors.
public enum SVDMethod: String, CaseIterable, Sendable {
    /// Randomized when the rank is small against the layer and the layer is large (see
    /// ``DenseSVDSettings/usesRandomizedSVD(rank:inputCount:units:)``), else full.
    case automatic = "auto"
    /// LAPACK `sgesdd` (``SingularValueDecomposition/init(_:)``), then truncation.
    case full
    /// Halko–Martinsson–Tropp (``SingularValueDecomposition/init(randomized:rank:oversampling:powerIterations:seed:)``).
    case randomized
}

/// Everything that decides ``factorizeDenseLayers(of:layers:settings:)`` besides the model.
public struct DenseSVDSettings: Sendable, Equatable {
    /// The rank of each layer, or the rule that picks it.
    public var rank: SVDRank
    public var method: SVDMethod
    /// Extra sketch columns of the randomized SVD.
    public var oversampling: Int
    /// Power iterations of the randomized SVD.
    public var powerIterations: Int
    /// Seeds the randomized SVD's test matrices.
    public var seed: UInt64

    public init(rank: SVDRank, method: SVDMethod = .automatic,
                oversampling: Int = SingularValueDecomposition.defaultOversampling,
                powerIterations: Int = SingularValueDecomposition.defaultPowerIterations, seed: UInt64 = 1) {
        self.rank = rank
        self.method = method
        self.oversampling = oversampling
        self.powerIterations = powerIterations
        self.seed = seed
    }

    /// Checks the values; the message names the setting.
    public func validate() throws(CompressionError) {
        try rank.validate()
        guard oversampling >= 0 else { throw CompressionError("oversampling must be at least 0, got \(oversampling)") }
        guard powerIterations >= 0 else { throw CompressionError("power iterations must be at least 0, got \(powerIterations)") }
        if case .energy = rank, method == .randomized {
            throw CompressionError("choosing the rank by energy needs every singular value: use the full SVD, not the randomized one")
        }
    }

    /// Kernels with fewer weights than this are decomposed exactly: `sgesdd` takes milliseconds there.
    public static let randomizedMinimumWeights = 1 << 20
    /// The randomized SVD is used when its sketch, `rank + oversampling` columns, is at most this
    /// fraction of `min(m, k)`. Its cost grows with the sketch (linearly in the `2 (q + 1)` panel
    /// products, quadratically in the QRs) while the full SVD's does not: on the 25088x4096 matrix
    /// of `Scripts/bench-svd.sh` a 266-column sketch ran 11x faster than `sgesdd`, and by that
    /// cost model a sketch of a quarter of the columns keeps a margin of about 2x; wider sketches
    /// gain little and give up exactness for nothing.
    public static let randomizedMaximumSketchFraction = 0.25

    /// Whether the automatic method picks the randomized SVD for a rank-`rank` factorization of an
    /// `inputCount x units` kernel; an explicit method is taken as given.
    public func usesRandomizedSVD(rank t: Int, inputCount m: Int, units k: Int) -> Bool {
        switch method {
        case .full: return false
        case .randomized: return true
        case .automatic:
            if case .energy = rank { return false }
            return m * k >= Self.randomizedMinimumWeights
                && Double(t + oversampling) <= Self.randomizedMaximumSketchFraction * Double(min(m, k))
        }
    }
}

/// Replaces Dense layers by two thinner Dense layers through a truncated SVD (Denton et al. 2014).
///
/// A kernel `W` (`m x k`, Keras' `[in, out]`) is decomposed as `W ≈ U_t S_t V_tᵀ` and becomes
/// - `<name>_u`: Dense `m -> t`, kernel `U_t S_t^½`, no bias, linear;
/// - `<name>`: Dense `t -> k`, kernel `S_t^½ V_tᵀ`, the original bias and activation.
///
/// The split puts `S_t^½` on both sides, so both factors have the same scale (the squared column
/// norms of the first and row norms of the second are both `σᵢ`). With all of `S_t` on one side
/// the two kernels differ in scale by `σ₁`, and plain SGD with one learning rate and weight decay
/// then retrains one factor much faster than the other. The second layer keeps the original name
/// so the bias keeps its key (`fc1.bias`); `_u` gets a numeric suffix if the name is taken.
///
/// A layer is left alone, and reported so, when the chosen rank saves nothing,
/// `t (m + k) >= m k`. The rank comes from ``DenseSVDSettings/rank``; the decomposition runs
/// on the effective kernel (`value ∘ mask`); masks and codebooks of the replaced layer do not carry
/// over to its dense factors. The result is a plain Keras model.
///
/// ```swift
/// let result = try factorizeDenseLayers(of: model, layers: LayerSelection("fc1,fc2"),
///                                       settings: DenseSVDSettings(rank: .ratio(4)))
/// for layer in result.layers { print(layer.layer, layer.rank, layer.relativeError ?? 0) }
/// ```
/// - Parameters:
///   - model: The model; it is not modified, and unchanged layers are shared with the result.
///   - selection: The layers to consider; nil means every Dense layer. Selected layers of other
///     types are reported as left alone.
/// - Throws: ``CompressionError`` for bad settings, a pattern matching no layer, a selection
///   without any Dense layer, or a kernel holding NaN or infinity (naming the layer).
public func factorizeDenseLayers(of model: Model, layers selection: LayerSelection?,
                                 settings: DenseSVDSettings) throws -> FactorizedModel {
    try settings.validate()
    let selected = try selectLayers(of: model, selection, type: Dense.self, typeName: "Dense")
    return try replaceLayers(of: model, selected: selected) { name, layer, names in
        guard let dense = layer as? Dense else {
            return (nil, .leftAlone(name, layer, kernelShape: kernelShape(of: layer),
                                    reason: "a \(layerTypeName(layer)) layer, not Dense"))
        }
        return try factorize(dense, named: name, settings: settings, names: &names)
    }
}

/// The factors of one Dense layer, or why it stays.
private func factorize(_ dense: Dense, named name: String, settings: DenseSVDSettings,
                       names: inout UniqueLayerNames) throws -> ([(String, any ModelLayer)]?, LayerFactorization) {
    let m = dense.inputCount, k = dense.units
    let kernel = dense.kernel.effectiveValue
    func fail(_ error: TensorError) -> CompressionError {
        CompressionError("layer \(name): field kernel: \(error)")
    }
    var exact: SingularValueDecomposition?
    let t: Int
    switch settings.rank {
    case .rank(let rank):
        t = rank
    case .ratio(let ratio):
        t = largestRank(weightsPerRank: m + k, originalWeights: m * k, biasCount: dense.bias?.count ?? 0, ratio: ratio)
        if t == 0 {
            return (nil, .leftAlone(name, dense, kernelShape: [m, k],
                                    reason: "ratio \(ratio) leaves no room for rank 1 (\(m + k) weights)"))
        }
    case .energy(let fraction):
        do { exact = try SingularValueDecomposition(kernel) } catch { throw fail(error) }
        t = smallestRank(keeping: fraction, of: exact!.s)
    }
    if t * (m + k) >= m * k {
        return (nil, .leftAlone(name, dense, kernelShape: [m, k], rank: t,
                                reason: "rank \(t) needs \(t * (m + k)) weights, the kernel has \(m * k): factorizing saves nothing"))
    }
    let randomized = exact == nil && settings.usesRandomizedSVD(rank: t, inputCount: m, units: k)
    let svd: SingularValueDecomposition
    do {
        if let exact {
            svd = exact.truncated(rank: t)
        } else if randomized {
            svd = try SingularValueDecomposition(randomized: kernel, rank: t, oversampling: settings.oversampling,
                                                 powerIterations: settings.powerIterations, seed: settings.seed)
        } else {
            svd = try SingularValueDecomposition(kernel).truncated(rank: t)
        }
    } catch { throw fail(error) }

    let rootS = Tensor(shape: [t], scalars: svd.s.map { $0.squareRoot() })
    let first = Dense(kernel: svd.u * rootS, bias: nil, activation: .linear)
    let second = Dense(kernel: rootS.reshaped([t, 1]) * svd.vt, bias: dense.bias?.effectiveValue,
                       activation: dense.activation)
    let firstName = names.claim(name + "_u")

    let totalEnergy = kernel.scalars.reduce(0.0) { $0 + Double($1) * Double($1) }
    let keptEnergy = svd.s.reduce(0.0) { $0 + Double($1) * Double($1) }
    let norm = totalEnergy.squareRoot()
    let error = Double((kernel - svd.reconstructed()).frobeniusNorm)
    let report = LayerFactorization(
        layer: name, type: "Dense", kernelShape: [m, k], rank: t, method: randomized ? "randomized" : "gesdd",
        parametersBefore: dense.parameters.reduce(0) { $0 + $1.count },
        parametersAfter: (first.parameters + second.parameters).reduce(0) { $0 + $1.count },
        relativeError: norm > 0 ? error / norm : 0,
        discardedEnergy: totalEnergy > 0 ? max(0, 1 - keptEnergy / totalEnergy) : 0,
        replacement: [firstName, name], status: .factorized)
    return ([(firstName, first), (name, second)], report)
}
