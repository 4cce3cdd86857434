import Compression
import NN

/// How `compress prune` decides which weights to cut.
public enum PruningMethod: String, CaseIterable, Codable, Sendable {
    /// Magnitude pruning (Han et al. 2015): one shot, or in rounds with retraining in between.
    case magnitude
    /// Automated gradual pruning (Zhu and Gupta 2017): sparsity rises on a cubic curve while training.
    case agp
    /// Dynamic Network Surgery (Guo et al. 2016): masks cut and splice weights while training.
    case dns

    /// Whether the method prunes during training, and so always needs training data.
    public var trains: Bool { self != .magnitude }
}

/// Everything that decides a pruning run besides the model and the data.
///
/// The criterion is one of ``sparsity`` (the fraction of weights cut; Han's kept fractions are
/// `1 - sparsity`), ``quality`` (threshold = quality × standard deviation) or ``cRate`` (DNS),
/// each given once or per layer by glob (``PerLayerValue``). With ``global`` a single sparsity
/// applies to all chosen layers together, through one threshold.
///
/// ```swift
/// var settings = PruningSettings()
/// settings.sparsity = try PerLayerValue(parsing: "fc1=0.92,fc2=0.91,fc3=0.74", setting: "sparsity")
/// settings.retrain = true
/// settings.rounds = 3
/// ```
public struct PruningSettings: Sendable, Equatable {
    public var method = PruningMethod.magnitude
    /// Fraction of weights cut, per layer (magnitude, agp).
    public var sparsity: PerLayerValue?
    /// Threshold = quality × std of the layer's kept weights (magnitude).
    public var quality: PerLayerValue?
    /// DNS: `x = max(mean|w| + c_rate · std|w|, 0)` per layer.
    public var cRate: PerLayerValue?
    /// One sparsity across all chosen layers (``sparsity`` must be a single number).
    public var global = false
    /// The layers to prune; nil prunes every layer with a kernel, or, when the criterion names
    /// layers and has no default, the layers it names.
    public var layers: LayerSelection?
    /// Whether the biases of the chosen layers are pruned too.
    public var includeBiases = false
    /// Retrain after magnitude pruning (agp and dns always train).
    public var retrain = false
    /// Prune-and-retrain rounds of magnitude pruning (the retraining epochs are split across them).
    public var rounds = 1
    /// The training run: ``TrainingSettings/epochs`` is the total over all rounds. A nil learning
    /// rate takes ``defaultLearningRate``.
    public var training = TrainingSettings()
    /// AGP: optimizer steps between mask updates (`Δt`).
    public var agpFrequency = 100
    /// AGP: the fraction of the training steps after which the target sparsity is reached; the
    /// rest fine-tunes at the target. (LeNet-300-100 at Han's fractions, 15 epochs: 1.79% test
    /// error ending at half of training, 1.89% ending at three quarters.)
    public var agpEndFraction = 0.5
    /// DNS: `γ` of the mask-update probability `(1 + γ t)^(-power)`.
    public var gamma = 1e-4
    /// DNS: `power` of the mask-update probability.
    public var power = 1.0
    /// DNS: the iteration from which masks stop changing; nil is ``dnsStopFraction`` of the steps.
    public var iterationStop: Int?
    /// DNS: where masks stop changing when ``iterationStop`` is nil, as a fraction of the steps.
    public static let dnsStopFraction = 0.75

    /// Prune-and-retrain rounds when retraining and none are given.
    public static let defaultRounds = 3

    /// Training epochs in all when none are given.
    public static func defaultEpochs(_ method: PruningMethod) -> Int {
        switch method {
        case .magnitude: 12
        case .agp: 15
        case .dns: 20
        }
    }

    public init() {}

    /// Whether the run trains the model.
    public var trains: Bool { method.trains || retrain }

    /// The retraining learning rate when none is given: lower than the optimizer's default for
    /// training from scratch, ``retrainingRateFactor`` of it (0.02 for Nesterov SGD). DNS keeps
    /// the full rate: weights must move for cut ones to come back.
    ///
    /// Han et al. retrained LeNet at 1/10 of their original rate, which had already decayed
    /// from 0.01 under Caffe's `inv` policy. Against our cosine-decayed 0.05, a tenth (0.005)
    /// recovered too little: LeNet-300-100 at Han's kept fractions, 3 rounds of 4 epochs, ended
    /// at 1.91% test error with 0.005, 1.81% with 0.01 and 1.64% with 0.02.
    public var defaultLearningRate: Float {
        let full = training.optimizer.defaultLearningRate
        return method == .dns ? full : full * PruningSettings.retrainingRateFactor
    }

    /// The share of the optimizer's default learning rate that retraining uses by default.
    public static let retrainingRateFactor: Float = 0.4

    /// The training settings in effect (the learning rate filled in).
    public var effectiveTraining: TrainingSettings {
        var settings = training
        settings.learningRate = settings.learningRate ?? defaultLearningRate
        return settings
    }

    /// Checks that the options fit the method; values are checked against the layers later.
    public func validate() throws {
        func fail(_ message: String) -> CompressionError { CompressionError(message) }
        let given = [("sparsity", sparsity != nil), ("quality", quality != nil), ("c-rate", cRate != nil)].filter(\.1).map(\.0)
        guard given.count == 1 else {
            throw fail(given.isEmpty ? "give one of sparsity, quality or c-rate" : "give only one of \(given.joined(separator: ", "))")
        }
        switch method {
        case .magnitude:
            guard cRate == nil else { throw fail("c-rate belongs to dns; magnitude takes sparsity or quality") }
            guard rounds >= 1 else { throw fail("rounds must be at least 1, got \(rounds)") }
            guard rounds == 1 || retrain else { throw fail("pruning in \(rounds) rounds needs retraining between them") }
            if retrain { guard training.epochs >= rounds else { throw fail("\(training.epochs) epochs cannot be split across \(rounds) rounds") } }
        case .agp:
            guard sparsity != nil else { throw fail("agp takes a target sparsity") }
            guard agpFrequency > 0 else { throw fail("the AGP frequency must be positive, got \(agpFrequency)") }
            guard agpEndFraction > 0, agpEndFraction <= 1 else { throw fail("the AGP end must be in (0, 1] of training, got \(agpEndFraction)") }
        case .dns:
            guard cRate != nil else { throw fail("dns takes c-rate") }
            if let iterationStop, iterationStop < 0 { throw fail("the DNS stop iteration must be at least 0, got \(iterationStop)") }
        }
        if global {
            guard let sparsity else { throw fail("a global criterion takes a sparsity") }
            guard sparsity.isSingleValue else { throw fail("a global sparsity is a single number, not per layer") }
        }
        if rounds > 1 && method != .magnitude { throw fail("rounds apply to magnitude pruning only") }
        if trains {
            try training.validate()
            guard training.epochs >= 1 else { throw fail("training needs at least 1 epoch") }
        }
    }

    /// The layers the run prunes in `model`: ``layers`` when given; otherwise the layers the
    /// criterion names when it has no default value; otherwise every layer with a kernel.
    func chosenLayers(in model: Model) throws -> [PrunableLayer] {
        if layers == nil, let criterion = sparsity ?? quality ?? cRate, !criterion.hasDefault {
            let all = try PrunableLayer.select(in: model, layers: nil, includeBiases: includeBiases).map(\.name)
            try criterion.checkPatterns(against: all)
            let named = criterion.namedLayers(among: all)
            return try PrunableLayer.select(in: model, layers: LayerSelection(named.joined(separator: ",")), includeBiases: includeBiases)
        }
        return try PrunableLayer.select(in: model, layers: layers, includeBiases: includeBiases)
    }

    /// The magnitude criterion of the settings.
    var magnitudeCriterion: PruningCriterion {
        if global, let sparsity { return .globalSparsity(sparsity.entries[0].value) }
        if let quality { return .quality(quality) }
        return .sparsity(sparsity ?? PerLayerValue(0, setting: "sparsity"))
    }
}
