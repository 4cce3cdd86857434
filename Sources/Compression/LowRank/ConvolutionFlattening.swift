import NN
import TensorCore

/// How many rank-1 terms a flattened convolution keeps (`compress flatten --rank/--ratio`).
public enum FlatteningRank: Sendable, Equatable, CustomStringConvertible {
    /// The same number of terms `K` for every layer.
    case rank(Int)
    /// Per layer, the largest `K` with `K (C + Y + X + F) + F <= (Y X C F + F) / ratio` (the bias
    /// `F` counted on both sides); at least 1.
    case ratio(Double)

    /// Checks the value; the message names the option.
    public func validate() throws(CompressionError) {
        switch self {
        case .rank(let k) where k < 1:
            throw CompressionError("the rank must be at least 1, got \(k)")
        case .ratio(let ratio) where !(ratio >= 1 && ratio.isFinite):
            throw CompressionError("the compression ratio must be a finite number at least 1, got \(ratio)")
        default:
            return
        }
    }

    public var description: String {
        switch self {
        case .rank(let k): "rank \(k)"
        case .ratio(let ratio): "ratio \(ratio)"
        }
    }
}

/// Everything that decides ``flattenConvolutions(of:layers:settings:)`` besides the model.
public struct FlatteningSettings: Sendable, Equatable {
    /// The number of rank-1 terms of each layer, or the rule that picks it.
    public var rank: FlatteningRank
    /// CP-ALS sweeps per start.
    public var maxIterations: Int
    /// CP-ALS starts (the first from the HOSVD, the others random); the best fit is kept.
    public var restarts: Int
    /// A start stops when a sweep improves the relative error by less than this.
    public var tolerance: Double
    /// Seeds the random starts.
    public var seed: UInt64

    public init(rank: FlatteningRank, maxIterations: Int = 500, restarts: Int = 3, tolerance: Double = 1e-7,
                seed: UInt64 = 1) {
        self.rank = rank
        self.maxIterations = maxIterations
        self.restarts = restarts
        self.tolerance = tolerance
        self.seed = seed
    }

    /// Checks the values; the message names the setting.
    public func validate() throws(CompressionError) {
        try rank.validate()
        guard maxIterations >= 1 else { throw CompressionError("CP-ALS iterations must be at least 1, got \(maxIterations)") }
        guard restarts >= 1 else { throw CompressionError("CP-ALS restarts must be at least 1, got \(restarts)") }
        guard tolerance >= 0 else { throw CompressionError("the CP-ALS tolerance must be at least 0, got \(tolerance)") }
    }
}

/// Replaces Conv2D layers by flattened convolutions: sums of `K` rank-1 terms, each a 1x1
/// convolution across channels, a vertical `Y x 1` and a horizontal `1 x X` depthwise filter
/// (Jin, Dundar and Culurciello 2014; Denton et al. 2014), then a 1x1 convolution mixing the
/// `K` responses into the `F` outputs.
///
/// A kernel `W` (`[Y, X, C, F]`, Keras' HWIO) is fitted with a rank-`K` CP decomposition
/// `W[y, x, c, f] ≈ Σ_k V[y, k] H[x, k] L[c, k] P[f, k]` (``CPDecomposition``, CP-ALS), and the
/// layer becomes four plain Keras layers:
/// - `<name>_l`: Conv2D 1x1, `C -> K`, kernel `L`, no bias;
/// - `<name>_v`: DepthwiseConv2D `(Y, 1)` on the `K` channels, kernel `V`, stride `(s_h, 1)`, no bias;
/// - `<name>_h`: DepthwiseConv2D `(1, X)`, kernel `H`, stride `(1, s_w)`, no bias;
/// - `<name>`: Conv2D 1x1, `K -> F`, kernel `Pᵀ`, the original bias and activation.
///
/// The sum over the `K` terms is thereby the last 1x1 convolution, so the chain stays a
/// `Sequential` (no Add layer). The `K` terms are shared by all filters, each filter mixing them
/// with its own weights: `K (C + Y + X + F)` weights. The per-filter variant of the paper (`K`
/// terms per filter, ALS on each filter's `C x Y x X` tensor) would need `F K` channels after the
/// first layer and a fixed block-summing 1x1 convolution whose `F K x F` weights count against the
/// size in a Keras file: at the same number of weights it affords about `F` times fewer terms per
/// filter, and the shared terms fit the kernel better for the same budget.
///
/// Padding and stride are exact: the depthwise layers carry the original padding, the vertical
/// one the vertical stride and the horizontal one the horizontal stride. TensorFlow's `same`
/// padding of an axis depends only on that axis' input, window and stride, so each axis is
/// padded as in the original layer; the layers before them have no bias, so padding their
/// output with zeros is padding the input with zeros. With an exact decomposition the output
/// equals the original layer's up to rounding.
///
/// A layer is left alone, and reported so, when `K (C + Y + X + F) >= Y X C F`. The fit runs on
/// the effective kernel (`value ∘ mask`); masks and codebooks do not carry over. Fine-tune
/// afterwards: the relative fit error is reported, and retraining recovers the accuracy.
///
/// ```swift
/// let result = try flattenConvolutions(of: lenet5, layers: LayerSelection("conv2"),
///                                      settings: FlatteningSettings(rank: .ratio(3)))
/// result.model.layerNames   // conv1, pool1, conv2_l, conv2_v, conv2_h, conv2, pool2, ...
/// ```
/// - Parameters:
///   - model: The model; it is not modified, and unchanged layers are shared with the result.
///   - selection: The layers to consider; nil means every Conv2D layer. Selected layers of other
///     types are reported as left alone.
/// - Throws: ``CompressionError`` for bad settings, a pattern matching no layer, a selection
///   without any Conv2D layer, or a kernel holding NaN or infinity (naming the layer).
public func flattenConvolutions(of model: Model, layers selection: LayerSelection?,
                                settings: FlatteningSettings) throws -> FactorizedModel {
    try settings.validate()
    let selected = try selectLayers(of: model, selection, type: Conv2D.self, typeName: "Conv2D")
    return try replaceLayers(of: model, selected: selected) { name, layer, names in
        guard let conv = layer as? Conv2D else {
            return (nil, .leftAlone(name, layer, kernelShape: kernelShape(of: layer),
                                    reason: "a \(layerTypeName(layer)) layer, not Conv2D"))
        }
        return try flatten(conv, named: name, settings: settings, names: &names)
    }
}

/// The flattened layers of one convolution, or why it stays.
private func flatten(_ conv: Conv2D, named name: String, settings: FlatteningSettings,
                     names: inout UniqueLayerNames) throws -> ([(String, any ModelLayer)]?, LayerFactorization) {
    let y = conv.kernelSize.height, x = conv.kernelSize.width, c = conv.inputChannels, f = conv.filters
    let shape = [y, x, c, f]
    let perTerm = c + y + x + f, original = y * x * c * f
    let k: Int
    switch settings.rank {
    case .rank(let rank):
        k = rank
    case .ratio(let ratio):
        k = largestRank(weightsPerRank: perTerm, originalWeights: original, biasCount: conv.bias?.count ?? 0, ratio: ratio)
        if k == 0 {
            return (nil, .leftAlone(name, conv, kernelShape: shape,
                                    reason: "ratio \(ratio) leaves no room for one term (\(perTerm) weights)"))
        }
    }
    if k * perTerm >= original {
        return (nil, .leftAlone(name, conv, kernelShape: shape, rank: k,
                                reason: "\(k) terms need \(k * perTerm) weights, the kernel has \(original): flattening saves nothing"))
    }
    let cp: CPDecomposition
    do {
        cp = try CPDecomposition(fitting: conv.kernel.effectiveValue, rank: k, maxIterations: settings.maxIterations,
                                 tolerance: settings.tolerance, restarts: settings.restarts, seed: settings.seed)
    } catch {
        throw CompressionError("layer \(name): field kernel: \(error)")
    }
    let vertical = cp.factors[0], horizontal = cp.factors[1], channel = cp.factors[2], filter = cp.factors[3]
    let layers: [any ModelLayer] = [
        Conv2D(kernel: channel.reshaped([1, 1, c, k]), bias: nil),
        DepthwiseConv2D(kernel: vertical.reshaped([y, 1, k, 1]), bias: nil, strides: Size2D(conv.strides.height, 1),
                        padding: conv.padding),
        DepthwiseConv2D(kernel: horizontal.reshaped([1, x, k, 1]), bias: nil, strides: Size2D(1, conv.strides.width),
                        padding: conv.padding),
        Conv2D(kernel: filter.transposed().reshaped([1, 1, k, f]), bias: conv.bias?.effectiveValue,
               activation: conv.activation),
    ]
    let layerNames = [names.claim(name + "_l"), names.claim(name + "_v"), names.claim(name + "_h"), name]
    let report = LayerFactorization(
        layer: name, type: "Conv2D", kernelShape: shape, rank: k, method: "cp-als",
        parametersBefore: conv.parameters.reduce(0) { $0 + $1.count },
        parametersAfter: layers.reduce(0) { total, layer in total + layer.parameters.reduce(0) { $0 + $1.count } },
        relativeError: cp.relativeError, discardedEnergy: nil, replacement: layerNames, status: .factorized)
    return (Array(zip(layerNames, layers)), report)
}
