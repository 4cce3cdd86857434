import NN
import TensorCore

/// The weights of one layer that a pruning pass works on: its kernel, and its bias when biases
/// are pruned too, seen as one vector (kernel elements first).
///
/// A layer's sparsity, threshold and statistics are computed over this vector, so with biases
/// included they count towards the layer's figures like any weight.
public struct PrunableLayer {
    /// The layer's name in the model (`"fc1"`).
    public let name: String
    /// The pruned parameters, kernel first.
    public let parameters: [Parameter]

    public init(name: String, parameters: [Parameter]) {
        self.name = name
        self.parameters = parameters
    }

    /// The number of weights.
    public var count: Int { parameters.reduce(0) { $0 + $1.count } }

    /// The underlying values of the weights, concatenated.
    public var values: [Float] { parameters.flatMap { $0.value.scalars } }

    /// The current mask, concatenated: 1 where a parameter has no mask.
    public var mask: [Float] {
        parameters.flatMap { $0.mask?.scalars ?? [Float](repeating: 1, count: $0.count) }
    }

    /// Whether some weight is masked.
    public var hasMask: Bool { parameters.contains { $0.mask != nil } }

    /// The number of weights that take part in the forward pass with a non-zero value.
    public var nonZeroCount: Int {
        parameters.reduce(0) { total, parameter in
            total + parameter.effectiveValue.scalars.reduce(0) { $0 + ($1 != 0 ? 1 : 0) }
        }
    }

    /// Sets every parameter's mask from the concatenated `mask` and its mode.
    ///
    /// In ``MaskMode/pruned`` mode the cut weights are set to zero now; in ``MaskMode/surgery``
    /// mode the underlying values are kept so that a cut weight can come back.
    public func setMask(_ mask: [Float], mode: MaskMode) {
        precondition(mask.count == count, "PrunableLayer \(name): mask of \(mask.count) for \(count) weights")
        var offset = 0
        for parameter in parameters {
            parameter.maskMode = mode
            parameter.mask = Tensor(shape: parameter.shape, scalars: Array(mask[offset..<(offset + parameter.count)]))
            if mode == .pruned { parameter.applyMask() }
            offset += parameter.count
        }
    }

    /// Multiplies each weight by its mask and switches the masks to ``MaskMode/pruned``, so that
    /// cut weights are zero and stay zero in later training.
    public func makePruningFinal() {
        for parameter in parameters where parameter.mask != nil {
            parameter.maskMode = .pruned
            parameter.applyMask()
        }
    }

    /// The layers of `model` with weights that `selection` chooses (every layer with a kernel when
    /// nil), each with its kernel and, when `includeBiases`, its bias.
    ///
    /// Errors name the culprit: a pattern without wildcards that names no layer, a layer that has
    /// no weights, a glob that matches no layer with weights, or a weight-shared kernel (prune
    /// before quantizing).
    public static func select(in model: Model, layers selection: LayerSelection?, includeBiases: Bool) throws -> [PrunableLayer] {
        let names = model.layerNames
        let withWeights = names.filter { name in
            !model.layer(named: name)!.compressibleParameters.isEmpty
        }
        let chosen: [String]
        if let selection {
            guard !selection.patterns.isEmpty else { throw CompressionError("--layers is empty") }
            for pattern in selection.patterns {
                let isGlob = pattern.contains { "*?[".contains($0) }
                let matches = names.filter { LayerSelection(pattern).matches($0) }
                if matches.isEmpty {
                    throw CompressionError(isGlob
                        ? "layer pattern '\(pattern)' matches no layer (layers: \(names.joined(separator: ", ")))"
                        : "no layer named '\(pattern)' (layers: \(names.joined(separator: ", ")))")
                }
                if !matches.contains(where: withWeights.contains) {
                    let kind = matches.map { "\($0) (\(typeName(model.layer(named: $0)!)))" }.joined(separator: ", ")
                    throw CompressionError("layer pattern '\(pattern)' matches no layer with weights to prune: \(kind)")
                }
            }
            chosen = withWeights.filter(selection.matches)
        } else {
            chosen = withWeights
        }
        guard !chosen.isEmpty else { throw CompressionError("the model has no layer with weights to prune") }
        return try chosen.map { name in
            let layer = model.layer(named: name)!
            let parameters = layer.compressibleParameters + (includeBiases ? layer.parameters.filter { $0.name == "bias" } : [])
            if parameters.contains(where: { $0.codebook != nil }) {
                throw CompressionError("layer \(name): its weights are shared through a codebook; prune before quantizing")
            }
            return PrunableLayer(name: name, parameters: parameters)
        }
    }

    private static func typeName(_ layer: any ModelLayer) -> String {
        String(describing: type(of: layer))
    }
}
