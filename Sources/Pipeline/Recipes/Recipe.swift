import ModelIO

/// A compression pipeline written in YAML, run by `compress run RECIPE.yaml`.
///
/// ```yaml
/// name: lenet300-deep-compression     # optional; the file name without extension by default
/// data: mnist                         # required: mnist, fashion-mnist, a folder, an .h5, .npz or .npy file
/// normalize: unit                     # pixel scaling (unit, mnist-standard, raw, centered)
/// seed: 1                             # the default seed of every stage
/// # model: baselines/lenet300.h5      # the starting model, or a first train stage with arch
/// stages:
///   - type: train                     # train, svd, flatten, prune, dns, quantize, retrain, huffman
///     arch: lenet300
///     epochs: 20
///   - type: prune
///     sparsity: {fc1: 0.92, fc2: 0.91, fc3: 0.74}
///     retrain: true
///     rounds: 3
///     epochs: 12
///   - type: quantize
///     method: kmeans
///     bits: 6
///     retrain: true
///   - type: huffman
/// outputs:
///   directory: out/lenet300           # where the files below go (out/<name> by default)
///   model: lenet300-compressed.h5     # the last .h5 model
///   compressed: lenet300.dcz          # the huffman stage's file
///   report: report.md                 # .md markdown, .json, anything else text
///   plots: plots                      # a folder of SVG charts
/// ```
///
/// Each stage's keys are the flags of the command of the same name (`compress prune`,
/// `compress quantize`, ...); stages that train also take `compress train`'s keys (`epochs`,
/// `lr`, `optimizer`, `batch-size`, ...). Per-layer settings (`sparsity`, `quality`, `c-rate`,
/// `bits`) take a number or a mapping of layer globs (``PerLayerSetting``). Paths are relative
/// to the folder `compress run` runs in. Decoding is strict: an unknown key, a value of the
/// wrong type or a missing file is a ``RecipeError`` naming the line and the key. See
/// docs/RECIPES.md.
public struct Recipe: Codable, Sendable, Equatable {
    public var name: String?
    /// The starting model file; without it the first stage must be `train` with `arch`.
    public var model: String?
    /// The data set, as `--data` names it; a recipe needs one (every stage is evaluated on its test split).
    public var data: String?
    /// Pixel scaling of byte images: `unit` unless given.
    public var normalize: String?
    /// The seed of every stage that does not set its own: 1 unless given.
    public var seed: UInt64?
    public var stages: [RecipeStage]
    public var outputs: RecipeOutputs?

    enum CodingKeys: String, CodingKey, CaseIterable { case name, model, data, normalize, seed, stages, outputs }

    public init(from decoder: Decoder) throws {
        try decoder.requireKnownKeys(CodingKeys.allCases.map(\.rawValue))
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        model = try container.decodeIfPresent(String.self, forKey: .model)
        data = try container.decodeIfPresent(String.self, forKey: .data)
        normalize = try container.decodeIfPresent(String.self, forKey: .normalize)
        seed = try container.decodeIfPresent(UInt64.self, forKey: .seed)
        guard container.contains(.stages) else {
            throw DecodingError.keyNotFound(CodingKeys.stages, .init(codingPath: [], debugDescription: "a recipe needs a list of stages"))
        }
        stages = try container.decode([RecipeStage].self, forKey: .stages)
        outputs = try container.decodeIfPresent(RecipeOutputs.self, forKey: .outputs)
    }
}

/// Where `compress run` puts what a recipe makes; every key is optional.
public struct RecipeOutputs: Codable, Sendable, Equatable {
    /// The folder the other outputs are relative to and stay inside: `out/<recipe name>` unless given.
    public var directory: String?
    /// The final model as Keras `.h5` (the last stage's model before `huffman`).
    public var model: String?
    /// The `.dcz` file of the `huffman` stage.
    public var compressed: String?
    /// The run's report: markdown for `.md`, JSON for `.json`, text otherwise.
    public var report: String?
    /// A folder for SVG charts: size per stage and a weight histogram per layer.
    public var plots: String?

    public init(directory: String? = nil, model: String? = nil, compressed: String? = nil, report: String? = nil, plots: String? = nil) {
        self.directory = directory
        self.model = model
        self.compressed = compressed
        self.report = report
        self.plots = plots
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case directory, model, compressed, report, plots }

    public init(from decoder: Decoder) throws {
        try decoder.requireKnownKeys(CodingKeys.allCases.map(\.rawValue))
        let container = try decoder.container(keyedBy: CodingKeys.self)
        directory = try container.decodeIfPresent(String.self, forKey: .directory)
        model = try container.decodeIfPresent(String.self, forKey: .model)
        compressed = try container.decodeIfPresent(String.self, forKey: .compressed)
        report = try container.decodeIfPresent(String.self, forKey: .report)
        plots = try container.decodeIfPresent(String.self, forKey: .plots)
    }
}
