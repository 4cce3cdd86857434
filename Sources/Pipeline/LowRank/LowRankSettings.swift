import Compression

/// Which low-rank pass a run applies, with its settings.
public enum LowRankPass: Sendable, Equatable {
    /// `compress svd`: Dense layers become two thinner Dense layers.
    case svd(DenseSVDSettings)
    /// `compress flatten`: Conv2D layers become 1x1, vertical, horizontal and 1x1 convolutions.
    case flatten(FlatteningSettings)

    /// `svd` or `flatten`, the subcommand's name.
    public var name: String {
        switch self {
        case .svd: "svd"
        case .flatten: "flatten"
        }
    }

    /// The rank rule as text: `rank 32`, `energy 0.95`, `ratio 4.0`.
    public var rankDescription: String {
        switch self {
        case .svd(let settings): settings.rank.description
        case .flatten(let settings): settings.rank.description
        }
    }
}

/// Everything that decides ``runLowRank(input:output:settings:train:test:onEvent:)`` besides the
/// model and the data.
public struct LowRankSettings: Sendable, Equatable {
    public var pass: LowRankPass
    /// The layers to factorize; nil for every layer the pass applies to (Dense or Conv2D).
    public var layers: LayerSelection?
    /// Fine-tune the factorized model on the training data.
    public var retrain = false
    /// The fine-tuning run: by default ``defaultEpochs`` epochs at a tenth of the optimizer's
    /// default learning rate, since the factors start close to a trained model.
    public var training: TrainingSettings

    /// Fine-tuning epochs unless told otherwise.
    public static let defaultEpochs = 5

    public init(pass: LowRankPass, layers: LayerSelection? = nil, retrain: Bool = false) {
        self.pass = pass
        self.layers = layers
        self.retrain = retrain
        training = TrainingSettings()
        training.epochs = LowRankSettings.defaultEpochs
        training.learningRate = training.optimizer.defaultLearningRate / 10
    }

    /// Checks the pass and, when retraining, the training settings; the message names the setting.
    public func validate() throws {
        switch pass {
        case .svd(let settings): try settings.validate()
        case .flatten(let settings): try settings.validate()
        }
        if retrain { try training.validate() }
    }
}
