import NN

/// What a low-rank pass did to one selected layer: the rank, the sizes and the approximation error.
///
/// A layer is either replaced by its factors (``Status/factorized``) or left as it was
/// (``Status/leftAlone(_:)``), with the reason: factorizing at the chosen rank would not save
/// parameters, or the layer is of a type the pass does not factorize.
public struct LayerFactorization: Sendable, Equatable {
    /// Whether the layer was replaced.
    public enum Status: Sendable, Equatable {
        /// Replaced by the layers in ``LayerFactorization/replacement``.
        case factorized
        /// Kept as it was, for the reason given.
        case leftAlone(String)
    }

    /// The layer's name in the original model.
    public var layer: String
    /// The layer's type, `Dense` or `Conv2D` (or whatever type a selection matched).
    public var type: String
    /// The kernel's shape in the original model.
    public var kernelShape: [Int]
    /// The rank chosen (SVD rank or number of rank-1 terms); 0 when no rank was chosen.
    public var rank: Int
    /// How the factors were computed: `gesdd`, `randomized`, `cp-als`; empty when left alone.
    public var method: String
    /// The layer's parameters (kernel and bias) before.
    public var parametersBefore: Int
    /// The parameters of the layers replacing it (its own when left alone).
    public var parametersAfter: Int
    /// `‖W − Ŵ‖_F / ‖W‖_F` of the kernel and its factorization, before any retraining.
    public var relativeError: Double?
    /// The fraction of the spectral energy `Σσ²` the SVD dropped (SVD only).
    public var discardedEnergy: Double?
    /// The names of the replacing layers, in order; empty when left alone.
    public var replacement: [String]
    public var status: Status

    public init(layer: String, type: String, kernelShape: [Int], rank: Int, method: String,
                parametersBefore: Int, parametersAfter: Int, relativeError: Double?, discardedEnergy: Double?,
                replacement: [String], status: Status) {
        self.layer = layer
        self.type = type
        self.kernelShape = kernelShape
        self.rank = rank
        self.method = method
        self.parametersBefore = parametersBefore
        self.parametersAfter = parametersAfter
        self.relativeError = relativeError
        self.discardedEnergy = discardedEnergy
        self.replacement = replacement
        self.status = status
    }

    /// An entry for a layer the pass keeps.
    static func leftAlone(_ name: String, _ layer: any ModelLayer, kernelShape: [Int], rank: Int = 0,
                          reason: String) -> LayerFactorization {
        let count = layer.parameters.reduce(0) { $0 + $1.count }
        return LayerFactorization(layer: name, type: layerTypeName(layer), kernelShape: kernelShape, rank: rank,
                                  method: "", parametersBefore: count, parametersAfter: count, relativeError: nil,
                                  discardedEnergy: nil, replacement: [], status: .leftAlone(reason))
    }
}

/// A model after a low-rank pass, with one entry per selected layer in model order.
public struct FactorizedModel {
    /// The new model: unchanged layers are the original layer objects, shared with the input model.
    public var model: Model
    /// What happened to each selected layer.
    public var layers: [LayerFactorization]
}

/// The type name of a layer as Keras spells it (`Dense`, `Conv2D`, `MaxPool2D`).
func layerTypeName(_ layer: any ModelLayer) -> String {
    String(describing: type(of: layer))
}
