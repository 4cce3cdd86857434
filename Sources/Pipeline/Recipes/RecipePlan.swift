import Compression
import Foundation
import ModelIO
import NN
import TensorCore

/// A recipe checked and resolved: the data, the starting point, each stage with its settings in
/// effect, and the output paths. Building a plan touches no data and trains nothing; it checks
/// every key's value, that every file the recipe names exists as a regular file, and that the
/// outputs stay inside `outputs.directory` and are none of the inputs nor each other (``runFiles``).
///
/// ```swift
/// let plan = try RecipePlan(document: RecipeDocument(path: "recipes/int8.yaml"))
/// for stage in plan.stages { print(stage.label, stage.resolved.summary) }
/// ```
public struct RecipePlan: Sendable {
    /// One stage to run.
    public struct Stage: Sendable {
        /// 0-based position in the recipe.
        public var index: Int
        /// The stage as written (its canonical form makes the cache key).
        public var stage: RecipeStage
        public var resolved: ResolvedStage
        /// The line of the stage in the recipe, for errors found while running it.
        public var line: Int?

        /// `3 prune` or the stage's name.
        public var label: String { stage.label }
    }

    /// The resolved output paths; nil for outputs the recipe does not ask for.
    public struct Outputs: Sendable, Equatable {
        public var directory: String
        public var model: String?
        public var compressed: String?
        public var report: String?
        public var plots: String?

        public init(directory: String, model: String?, compressed: String?, report: String?, plots: String?) {
            self.directory = directory
            self.model = model
            self.compressed = compressed
            self.report = report
            self.plots = plots
        }
    }

    public let document: RecipeDocument
    /// The recipe's name: `name:`, or the file name without extension.
    public let name: String
    /// The data argument (`mnist`, a folder, a file) and its source.
    public let data: String
    public let dataSource: DataSource
    public let normalization: PixelNormalization
    public let seed: UInt64
    /// The starting model file, when the recipe starts from one.
    public let model: String?
    public let stages: [Stage]
    public let outputs: Outputs

    /// Whether some stage trains, so the training split is needed.
    public var needsTrainingData: Bool { stages.contains { $0.resolved.trains } }

    /// Resolves and checks `document`'s recipe; problems are ``RecipeError``s naming line and key.
    public init(document: RecipeDocument) throws {
        self.document = document
        let recipe = document.recipe
        func fail(_ path: [RecipePathComponent], _ message: String) -> RecipeError { document.error(at: path, message) }

        name = recipe.name ?? URL(fileURLWithPath: document.file).deletingPathExtension().lastPathComponent
        guard !name.isEmpty, !name.contains("/") else { throw fail([.key("name")], "must be a non-empty name without '/'") }
        guard let data = recipe.data else {
            throw fail([.key("data")], "is needed: every stage is evaluated on the test split of the data set it names "
                       + "(mnist, fashion-mnist, a folder, or an .h5, .npz or .npy file)")
        }
        self.data = data
        do {
            dataSource = try DataSource(argument: data)
        } catch {
            throw fail([.key("data")], String(describing: error))
        }
        if let normalize = recipe.normalize {
            guard let value = PixelNormalization(rawValue: normalize) else {
                throw fail([.key("normalize")], "unknown normalization '\(normalize)' (known: \(PixelNormalization.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            normalization = value
        } else {
            normalization = .unit
        }
        seed = recipe.seed ?? 1
        model = recipe.model
        if let model, let problem = FileStatus(path: model).problemAsInput ?? kerasArchiveProblem(path: model) {
            throw fail([.key("model")], "\(problem): \(model)")
        }
        guard !recipe.stages.isEmpty else { throw fail([.key("stages")], "give at least one stage") }

        var stages: [Stage] = []
        for (index, stage) in recipe.stages.enumerated() {
            let path: [RecipePathComponent] = [.key("stages"), .index(index)]
            let resolved = try RecipePlan.resolve(stage, at: path, isFirst: index == 0, startsFromModel: recipe.model != nil,
                                                  isLast: index == recipe.stages.count - 1, seed: seed, document: document)
            stages.append(Stage(index: index, stage: stage, resolved: resolved, line: document.line(at: path)))
        }
        self.stages = stages

        let written = recipe.outputs ?? RecipeOutputs()
        let directory = written.directory ?? "out/\(name)"
        func inDirectory(_ path: String?, key: String) throws -> String? {
            do { return try RecipePlan.outputPath(path, in: directory) } catch { throw fail([.key("outputs"), .key(key)], error.description) }
        }
        let hasHuffman = stages.last?.stage.type == .huffman
        if written.compressed != nil && !hasHuffman {
            throw fail([.key("outputs"), .key("compressed")], "needs a huffman stage at the end of the recipe to make the compressed file")
        }
        outputs = Outputs(directory: directory, model: try inDirectory(written.model, key: "model"),
                          compressed: try inDirectory(written.compressed ?? (hasHuffman ? "\(name).\(CompressedModelFormat.fileExtension)" : nil), key: "compressed"),
                          report: try inDirectory(written.report, key: "report"), plots: try inDirectory(written.plots, key: "plots"))
        do {
            try runFiles.validate(requireInputs: false)
        } catch {
            throw fail([.key("outputs")], String(describing: error))
        }
    }

    // MARK: Resolution

    private static func resolve(_ stage: RecipeStage, at path: [RecipePathComponent], isFirst: Bool, startsFromModel: Bool,
                                isLast: Bool, seed: UInt64, document: RecipeDocument) throws -> ResolvedStage {
        func fail(_ key: String, _ message: String) -> RecipeError {
            document.error(at: key.isEmpty ? path : path + [.key(key)], message)
        }
        func checked<T>(_ body: () throws -> T) throws -> T {
            do {
                return try body()
            } catch let error as CompressionError {
                throw fail("", error.description)
            } catch let error as TrainingError {
                throw fail("", error.description)
            }
        }
        let options = stage.training
        var seeded = TrainingSettings()
        seeded.seed = seed
        func training(_ defaults: TrainingSettings, learningRate: @escaping (OptimizerKind) -> Float?) throws -> TrainingSettings {
            try options.applied(to: defaults, defaultLearningRate: learningRate, fail: fail)
        }
        func requireTrainingKeysOnlyWith(_ retrain: Bool?, _ what: String) throws {
            // `seed` also seeds the pass itself (k-means initialisation, random SVD, CP-ALS starts).
            if retrain != true, let key = options.givenKeys.first(where: { $0 != "seed" }) {
                throw fail(key, "training keys apply to \(what) with retrain: true")
            }
        }
        if stage.type == .huffman && !isLast { throw fail("type", "huffman must be the last stage: it writes the compressed file") }
        if isFirst && !startsFromModel {
            guard case .train(let settings) = stage.settings, settings.arch != nil else {
                throw fail("type", "the recipe has no model: key, so the first stage must be train with arch: (lenet300, lenet5, a file)")
            }
        }

        switch stage.settings {
        case .train(let settings):
            if let arch = settings.arch {
                guard isFirst else { throw fail("arch", "only the first stage can build a model from arch; later train stages train the current model") }
                guard !startsFromModel else { throw fail("arch", "the recipe starts from model:; drop arch or the model key") }
                guard Architecture.named(arch) != nil || FileManager.default.fileExists(atPath: arch) else {
                    throw fail("arch", "'\(arch)' is neither a built-in architecture (\(Architecture.builtins.keys.sorted().joined(separator: ", "))) nor an existing file")
                }
                if Architecture.named(arch) == nil, let problem = FileStatus(path: arch).problemAsInput { throw fail("arch", "\(problem): \(arch)") }
            }
            return .train(arch: settings.arch, try training(seeded) { _ in nil })

        case .retrain:
            var defaults = seeded
            defaults.epochs = 10
            return .retrain(try training(defaults) { $0.defaultLearningRate / 10 })

        case .prune(let settings):
            var pruning = PruningSettings()
            if let method = settings.method {
                guard let value = PruningMethod(rawValue: method) else {
                    throw fail("method", "unknown method '\(method)' (known: \(PruningMethod.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                pruning.method = value
            }
            try fillPruning(&pruning, sparsity: settings.sparsity, quality: settings.quality, cRate: settings.cRate,
                            layers: settings.layers, pruneBiases: settings.pruneBiases, gamma: settings.gamma,
                            power: settings.power, iterStop: settings.iterStop, fail: fail)
            pruning.global = settings.global ?? false
            pruning.retrain = settings.retrain ?? false
            pruning.rounds = settings.rounds ?? (pruning.retrain ? PruningSettings.defaultRounds : 1)
            if let frequency = settings.frequency { pruning.agpFrequency = frequency }
            if let end = settings.agpEnd { pruning.agpEndFraction = end }
            if !pruning.trains { try requireTrainingKeysOnlyWith(false, "magnitude pruning") }
            var defaults = seeded
            defaults.epochs = PruningSettings.defaultEpochs(pruning.method)
            pruning.training = try training(defaults) { _ in nil }
            try checked { try pruning.validate() }
            return .prune(pruning)

        case .dns(let settings):
            var pruning = PruningSettings()
            pruning.method = .dns
            guard settings.cRate != nil else { throw fail("c-rate", "dns needs c-rate (a number or per layer)") }
            try fillPruning(&pruning, sparsity: nil, quality: nil, cRate: settings.cRate, layers: settings.layers,
                            pruneBiases: settings.pruneBiases, gamma: settings.gamma, power: settings.power,
                            iterStop: settings.iterStop, fail: fail)
            var defaults = seeded
            defaults.epochs = PruningSettings.defaultEpochs(.dns)
            pruning.training = try training(defaults) { _ in nil }
            try checked { try pruning.validate() }
            return .prune(pruning)

        case .quantize(let settings):
            guard let methodName = settings.method else { throw fail("method", "quantize needs method: kmeans, int8 or fp16") }
            guard let method = QuantizationMethod(rawValue: methodName) else {
                throw fail("method", "unknown method '\(methodName)' (known: \(QuantizationMethod.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            var quantization = QuantizationSettings(method: method)
            quantization.seed = options.seed ?? seed
            if method != .kmeans {
                for (key, given) in [("bits", settings.bits != nil), ("init", settings.initialization != nil), ("retrain", settings.retrain != nil)] where given {
                    throw fail(key, "applies to method kmeans only")
                }
            }
            if method != .int8 {
                for (key, given) in [("per-channel", settings.perChannel != nil), ("symmetric", settings.symmetric != nil)] where given {
                    throw fail(key, "applies to method int8 only")
                }
            }
            if let bits = settings.bits {
                do { quantization.bitWidths = try bits.bitWidths() } catch let error as CompressionError { throw fail("bits", error.description) }
            }
            if let initialization = settings.initialization {
                guard let value = CentroidInitialization(rawValue: initialization) else {
                    throw fail("init", "unknown initialisation '\(initialization)' (known: \(CentroidInitialization.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                quantization.initialization = value
            }
            quantization.perChannel = settings.perChannel ?? false
            quantization.symmetric = settings.symmetric ?? true
            try requireTrainingKeysOnlyWith(settings.retrain, "quantize")
            if settings.retrain == true {
                var defaults = QuantizationSettings.defaultFineTuning
                defaults.seed = quantization.seed
                quantization.retraining = try training(defaults) { _ in QuantizationSettings.defaultFineTuning.learningRate }
            }
            try checked { try quantization.validate() }
            return .quantize(quantization)

        case .svd(let settings):
            let given = [("rank", settings.rank != nil), ("energy", settings.energy != nil), ("ratio", settings.ratio != nil)].filter(\.1)
            guard given.count == 1 else { throw fail(given.count > 1 ? given[1].0 : "", "give exactly one of rank, energy and ratio") }
            let rule: SVDRank = settings.rank.map(SVDRank.rank) ?? settings.energy.map(SVDRank.energy) ?? .ratio(settings.ratio ?? 1)
            var method = SVDMethod.automatic
            if let name = settings.method {
                guard let value = SVDMethod(rawValue: name) else {
                    throw fail("method", "unknown method '\(name)' (known: \(SVDMethod.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                method = value
            }
            let svd = DenseSVDSettings(rank: rule, method: method,
                                       oversampling: settings.oversampling ?? SingularValueDecomposition.defaultOversampling,
                                       powerIterations: settings.powerIterations ?? SingularValueDecomposition.defaultPowerIterations,
                                       seed: options.seed ?? seed)
            return try lowRank(.svd(svd), layers: settings.layers, retrain: settings.retrain)

        case .flatten(let settings):
            guard (settings.rank == nil) != (settings.ratio == nil) else {
                throw fail(settings.rank != nil ? "ratio" : "", "give exactly one of rank and ratio")
            }
            let flattening = FlatteningSettings(rank: settings.rank.map(FlatteningRank.rank) ?? .ratio(settings.ratio ?? 1),
                                                maxIterations: settings.iterations ?? 500, restarts: settings.restarts ?? 3,
                                                seed: options.seed ?? seed)
            return try lowRank(.flatten(flattening), layers: settings.layers, retrain: settings.retrain)

        case .huffman(let settings):
            let container = CompressedModelSettings(denseIndexBits: settings.denseIndexBits ?? 5, convIndexBits: settings.convIndexBits ?? 8,
                                                    keepModelName: settings.keepName ?? false)
            do {
                try container.validate()
            } catch {
                throw fail(settings.denseIndexBits != nil ? "dense-index-bits" : "conv-index-bits", String(describing: error))
            }
            return .huffman(container)
        }

        func lowRank(_ pass: LowRankPass, layers: String?, retrain: Bool?) throws -> ResolvedStage {
            try requireTrainingKeysOnlyWith(retrain, stage.type.rawValue)
            var settings = LowRankSettings(pass: pass, layers: layers.map(LayerSelection.init), retrain: retrain ?? false)
            var defaults = settings.training
            defaults.seed = options.seed ?? seed
            settings.training = try training(defaults) { $0.defaultLearningRate / 10 }
            try checked { try settings.validate() }
            return .lowRank(settings)
        }
    }

    /// Fills the criterion, layers and DNS settings shared by `prune` and `dns`, with the range
    /// checks `compress prune` makes.
    private static func fillPruning(_ pruning: inout PruningSettings, sparsity: PerLayerSetting?, quality: PerLayerSetting?,
                                    cRate: PerLayerSetting?, layers: String?, pruneBiases: Bool?, gamma: Double?, power: Double?,
                                    iterStop: Int?, fail: (String, String) -> RecipeError) throws {
        func value(_ setting: PerLayerSetting?, key: String, valid: (Double) -> Bool, range: String) throws -> PerLayerValue? {
            guard let setting else { return nil }
            if let bad = setting.allValues.first(where: { !valid($0) }) {
                throw fail(key, "must be \(range), got \(numberText(bad))")
            }
            do { return try setting.perLayerValue(setting: key) } catch let error as CompressionError { throw fail(key, error.description) }
        }
        pruning.sparsity = try value(sparsity, key: "sparsity", valid: { (0..<1).contains($0) }, range: "in [0, 1) (the fraction of weights cut)")
        pruning.quality = try value(quality, key: "quality", valid: { $0 > 0 }, range: "positive")
        pruning.cRate = try value(cRate, key: "c-rate", valid: { $0.isFinite }, range: "finite")
        pruning.layers = layers.map(LayerSelection.init)
        pruning.includeBiases = pruneBiases ?? false
        if let gamma { pruning.gamma = gamma }
        if let power { pruning.power = power }
        pruning.iterationStop = iterStop
    }
}
