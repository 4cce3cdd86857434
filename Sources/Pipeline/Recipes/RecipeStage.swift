/// The kinds of stage a recipe can run, named by the `type` key.
public enum StageType: String, CaseIterable, Codable, Sendable {
    case train, svd, flatten, prune, dns, quantize, retrain, huffman

    /// Whether the stage takes the ``TrainingOptions`` keys.
    var takesTraining: Bool { self != .huffman }
}

/// One stage of a recipe: its `type`, an optional `name` for reports, and the type's settings.
///
/// ```yaml
/// - type: prune
///   name: prune fc layers
///   sparsity: {fc1: 0.92, fc2: 0.91, fc3: 0.74}
///   retrain: true
///   epochs: 12
/// ```
public struct RecipeStage: Codable, Sendable, Equatable {
    /// The settings of the stage's type.
    public enum Settings: Sendable, Equatable {
        case train(TrainStageSettings)
        case retrain(RetrainStageSettings)
        case prune(PruneStageSettings)
        case dns(DNSStageSettings)
        case quantize(QuantizeStageSettings)
        case svd(SVDStageSettings)
        case flatten(FlattenStageSettings)
        case huffman(HuffmanStageSettings)
    }

    public var type: StageType
    /// A label for plans and reports; the type when absent.
    public var name: String?
    public var settings: Settings
    /// The training keys, for stages that train.
    public var training: TrainingOptions

    /// The label of the stage: its name, or its type.
    public var label: String { name ?? type.rawValue }

    enum CommonKeys: String, CodingKey, CaseIterable { case type, name }

    public init(from decoder: Decoder) throws {
        let common = try decoder.container(keyedBy: CommonKeys.self)
        guard common.contains(.type) else {
            throw DecodingError.keyNotFound(CommonKeys.type, .init(
                codingPath: decoder.codingPath,
                debugDescription: "every stage needs a type: \(StageType.allCases.map(\.rawValue).joined(separator: ", "))"))
        }
        let typeName = try common.decode(String.self, forKey: .type)
        guard let type = StageType(rawValue: typeName) else {
            throw DecodingError.dataCorruptedError(forKey: .type, in: common, debugDescription:
                "unknown stage type '\(typeName)' (known: \(StageType.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        self.type = type
        name = try common.decodeIfPresent(String.self, forKey: .name)
        let own: [String]
        switch type {
        case .train: own = TrainStageSettings.keys
        case .retrain: own = RetrainStageSettings.keys
        case .prune: own = PruneStageSettings.keys
        case .dns: own = DNSStageSettings.keys
        case .quantize: own = QuantizeStageSettings.keys
        case .svd: own = SVDStageSettings.keys
        case .flatten: own = FlattenStageSettings.keys
        case .huffman: own = HuffmanStageSettings.keys
        }
        try decoder.requireKnownKeys(CommonKeys.allCases.map(\.rawValue) + own + (type.takesTraining ? TrainingOptions.keys : []))
        switch type {
        case .train: settings = .train(try TrainStageSettings(from: decoder))
        case .retrain: settings = .retrain(try RetrainStageSettings(from: decoder))
        case .prune: settings = .prune(try PruneStageSettings(from: decoder))
        case .dns: settings = .dns(try DNSStageSettings(from: decoder))
        case .quantize: settings = .quantize(try QuantizeStageSettings(from: decoder))
        case .svd: settings = .svd(try SVDStageSettings(from: decoder))
        case .flatten: settings = .flatten(try FlattenStageSettings(from: decoder))
        case .huffman: settings = .huffman(try HuffmanStageSettings(from: decoder))
        }
        training = type.takesTraining ? try TrainingOptions(from: decoder) : TrainingOptions()
    }

    /// Encodes the type and every setting given, in one mapping: the canonical form the cache key
    /// is made from. The `name` is left out: renaming a stage keeps its cached result.
    public func encode(to encoder: Encoder) throws {
        var common = encoder.container(keyedBy: CommonKeys.self)
        try common.encode(type, forKey: .type)
        switch settings {
        case .train(let settings): try settings.encode(to: encoder)
        case .retrain(let settings): try settings.encode(to: encoder)
        case .prune(let settings): try settings.encode(to: encoder)
        case .dns(let settings): try settings.encode(to: encoder)
        case .quantize(let settings): try settings.encode(to: encoder)
        case .svd(let settings): try settings.encode(to: encoder)
        case .flatten(let settings): try settings.encode(to: encoder)
        case .huffman(let settings): try settings.encode(to: encoder)
        }
        if type.takesTraining { try training.encode(to: encoder) }
    }
}
