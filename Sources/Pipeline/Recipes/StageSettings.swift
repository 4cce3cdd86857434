// The settings of each recipe stage type, keyed as the corresponding command's flags. Every key
// is optional here; defaults and checks come when the recipe is planned (RecipePlan). Stages
// that train also take the keys of TrainingOptions.

/// `type: train`: trains the model: the first stage builds it from `arch` (`lenet300`,
/// `lenet5`, an architecture file or a Keras `.h5`), a later one trains the current model further.
/// Defaults as `compress train`: 20 epochs, Nesterov SGD at 0.05, cosine decay.
public struct TrainStageSettings: StrictlyDecodable, Sendable, Equatable {
    public var arch: String?
    enum CodingKeys: String, CodingKey, CaseIterable { case arch }
    static let keys = CodingKeys.allCases.map(\.rawValue)
}

/// `type: retrain`: fine-tunes the current model with its masks and codebooks held (pruned
/// weights stay zero, shared weights stay shared). Defaults: 10 epochs at a tenth of the
/// optimizer's default learning rate.
public struct RetrainStageSettings: StrictlyDecodable, Sendable, Equatable {
    static let keys: [String] = []
}

/// `type: prune` (as `compress prune`): `method` magnitude (default), agp or dns; one of
/// `sparsity`, `quality`, `c-rate`, each a number or per layer; `global`, `layers`,
/// `prune-biases`, `retrain`, `rounds`; AGP `frequency`, `agp-end`; DNS `gamma`, `power`, `iter-stop`.
public struct PruneStageSettings: StrictlyDecodable, Sendable, Equatable {
    public var method: String?
    public var sparsity: PerLayerSetting?
    public var quality: PerLayerSetting?
    public var cRate: PerLayerSetting?
    public var global: Bool?
    public var layers: String?
    public var pruneBiases: Bool?
    public var retrain: Bool?
    public var rounds: Int?
    public var frequency: Int?
    public var agpEnd: Double?
    public var gamma: Double?
    public var power: Double?
    public var iterStop: Int?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case method, sparsity, quality
        case cRate = "c-rate"
        case global, layers
        case pruneBiases = "prune-biases"
        case retrain, rounds, frequency
        case agpEnd = "agp-end"
        case gamma, power
        case iterStop = "iter-stop"
    }
    static let keys = CodingKeys.allCases.map(\.rawValue)
}

/// `type: dns`: Dynamic Network Surgery (Guo et al. 2016), `compress prune --method dns`:
/// `c-rate` (a number or per layer), `layers`, `prune-biases`, `gamma`, `power`, `iter-stop`.
public struct DNSStageSettings: StrictlyDecodable, Sendable, Equatable {
    public var cRate: PerLayerSetting?
    public var layers: String?
    public var pruneBiases: Bool?
    public var gamma: Double?
    public var power: Double?
    public var iterStop: Int?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case cRate = "c-rate"
        case layers
        case pruneBiases = "prune-biases"
        case gamma, power
        case iterStop = "iter-stop"
    }
    static let keys = CodingKeys.allCases.map(\.rawValue)
}

/// `type: quantize` (as `compress quantize`): `method` kmeans, int8 or fp16; k-means `bits`
/// (a number or per layer), `init`, `retrain` (fine-tune the shared values); int8
/// `per-channel`, `symmetric`.
public struct QuantizeStageSettings: StrictlyDecodable, Sendable, Equatable {
    public var method: String?
    public var bits: PerLayerSetting?
    public var initialization: String?
    public var perChannel: Bool?
    public var symmetric: Bool?
    public var retrain: Bool?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case method, bits
        case initialization = "init"
        case perChannel = "per-channel"
        case symmetric, retrain
    }
    static let keys = CodingKeys.allCases.map(\.rawValue)
}

/// `type: svd` (as `compress svd`): Dense layers become two thinner ones; one of `rank`,
/// `energy`, `ratio`; `layers`, `method` (auto, full, randomized), `oversampling`,
/// `power-iterations`, `retrain`.
public struct SVDStageSettings: StrictlyDecodable, Sendable, Equatable {
    public var rank: Int?
    public var energy: Double?
    public var ratio: Double?
    public var layers: String?
    public var method: String?
    public var oversampling: Int?
    public var powerIterations: Int?
    public var retrain: Bool?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case rank, energy, ratio, layers, method, oversampling
        case powerIterations = "power-iterations"
        case retrain
    }
    static let keys = CodingKeys.allCases.map(\.rawValue)
}

/// `type: flatten` (as `compress flatten`): Conv2D layers become flattened convolutions; one of
/// `rank`, `ratio`; `layers`, `iterations`, `restarts`, `retrain`.
public struct FlattenStageSettings: StrictlyDecodable, Sendable, Equatable {
    public var rank: Int?
    public var ratio: Double?
    public var layers: String?
    public var iterations: Int?
    public var restarts: Int?
    public var retrain: Bool?

    enum CodingKeys: String, CodingKey, CaseIterable { case rank, ratio, layers, iterations, restarts, retrain }
    static let keys = CodingKeys.allCases.map(\.rawValue)
}

/// `type: huffman` (as `compress huffman`): the compressed `.dcz` file; `dense-index-bits`,
/// `conv-index-bits`, `keep-name`. It must be the last stage.
public struct HuffmanStageSettings: StrictlyDecodable, Sendable, Equatable {
    public var denseIndexBits: Int?
    public var convIndexBits: Int?
    public var keepName: Bool?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case denseIndexBits = "dense-index-bits"
        case convIndexBits = "conv-index-bits"
        case keepName = "keep-name"
    }
    static let keys = CodingKeys.allCases.map(\.rawValue)
}
