/// The training keys a recipe stage that trains may carry, named as `compress train` names its
/// flags: `epochs`, `optimizer`, `lr`, `momentum`, `weight-decay`, `schedule`, `warmup`,
/// `clip-norm`, `batch-size`, `seed`. Absent keys take the stage's defaults.
public struct TrainingOptions: Codable, Sendable, Equatable {
    public var epochs: Int?
    public var optimizer: String?
    public var lr: Float?
    public var momentum: Float?
    public var weightDecay: Float?
    public var schedule: String?
    public var warmup: Int?
    public var clipNorm: Float?
    public var batchSize: Int?
    public var seed: UInt64?

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case epochs, optimizer, lr, momentum
        case weightDecay = "weight-decay"
        case schedule, warmup
        case clipNorm = "clip-norm"
        case batchSize = "batch-size"
        case seed
    }

    static let keys = CodingKeys.allCases.map(\.rawValue)

    /// The keys given, in ``keys`` order.
    var givenKeys: [String] {
        let given: [(CodingKeys, Bool)] = [
            (.epochs, epochs != nil), (.optimizer, optimizer != nil), (.lr, lr != nil), (.momentum, momentum != nil),
            (.weightDecay, weightDecay != nil), (.schedule, schedule != nil), (.warmup, warmup != nil),
            (.clipNorm, clipNorm != nil), (.batchSize, batchSize != nil), (.seed, seed != nil),
        ]
        return given.filter(\.1).map(\.0.rawValue)
    }

    /// `defaults` with the keys given here set and the names checked. Without `lr`, the learning
    /// rate is `defaultLearningRate(optimizer)` for the optimizer in effect (nil leaves the choice
    /// to the pass). `fail` makes the error for a key, so that it names the key's line.
    func applied(to defaults: TrainingSettings, defaultLearningRate: (OptimizerKind) -> Float?,
                 fail: (String, String) -> RecipeError) throws -> TrainingSettings {
        var settings = defaults
        if let epochs { settings.epochs = epochs }
        if let optimizer {
            guard let kind = OptimizerKind(rawValue: optimizer) else {
                throw fail("optimizer", "unknown optimizer '\(optimizer)' (known: \(OptimizerKind.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            settings.optimizer = kind
        }
        settings.learningRate = lr ?? defaultLearningRate(settings.optimizer)
        if let momentum { settings.momentum = momentum }
        if let weightDecay { settings.weightDecay = weightDecay }
        if let schedule {
            guard let kind = ScheduleKind(rawValue: schedule) else {
                throw fail("schedule", "unknown schedule '\(schedule)' (known: \(ScheduleKind.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            settings.schedule = kind
        }
        if let warmup { settings.warmupSteps = warmup }
        if let clipNorm { settings.gradientClipNorm = clipNorm }
        if let batchSize { settings.batchSize = batchSize }
        if let seed { settings.seed = seed }
        do {
            try settings.validate()
        } catch let error as TrainingError {
            throw fail("", error.description)
        }
        return settings
    }
}
