/// What a finished stage left in the cache beside its model file, and what the run report shows.
public struct StageRecord: Codable, Sendable, Equatable {
    /// 1-based position in the recipe.
    public var number: Int
    public var type: StageType
    public var label: String
    /// The cache key the result is stored under.
    public var key: String
    /// The settings in effect, one line.
    public var settings: String
    /// The model file in the cache entry: `model.h5`, or `model.dcz` for `huffman`.
    public var artifact: String
    /// The artifact's size in bytes.
    public var artifactBytes: Int
    /// The model's size as a compressed `.dcz` file at this point (the artifact itself for
    /// `huffman`); nil when the format cannot describe the model.
    public var compressedBytes: Int?
    /// Every parameter of the model, and those not zero.
    public var parameters: Int
    public var nonZeros: Int
    /// Accuracy of the stage's model on the test split.
    public var top1: Double
    public var top5: Double
    /// Wall-clock seconds the stage took when it ran.
    public var seconds: Double
    /// The pass's own report, as text.
    public var detail: String
}
