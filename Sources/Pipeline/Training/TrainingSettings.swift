import NN

/// The optimizers `compress train` offers.
public enum OptimizerKind: String, CaseIterable, Sendable {
    case sgd, momentum, nesterov, adagrad, rmsprop, adam, adamw

    /// The learning rate used when none is given.
    public var defaultLearningRate: Float {
        switch self {
        case .sgd: 0.1
        case .momentum, .nesterov: 0.05
        case .adagrad: 0.01
        case .rmsprop, .adam, .adamw: 0.001
        }
    }
}

/// How the learning rate changes over training.
public enum ScheduleKind: String, CaseIterable, Sendable {
    /// The same rate throughout.
    case constant
    /// Divided by 10 at 50% and again at 75% of the steps.
    case step
    /// Cosine decay from the rate to zero over all steps.
    case cosine
}

/// Everything that decides a training run besides the model and the data.
///
/// The defaults are what `compress train` uses: SGD with Nesterov momentum 0.9 at 0.05, cosine
/// decay, L2 weight decay 5e-4 on kernels, batch 64. They reach the targets on MNIST for
/// LeNet-300-100 (20 epochs) and LeNet-5 (15 epochs).
public struct TrainingSettings: Sendable, Equatable {
    public var epochs = 20
    public var batchSize = 64
    public var optimizer = OptimizerKind.nesterov
    /// Nil takes the optimizer's ``OptimizerKind/defaultLearningRate``.
    public var learningRate: Float?
    public var momentum: Float = 0.9
    /// L2 weight decay (decoupled for AdamW).
    public var weightDecay: Float = 5e-4
    public var schedule = ScheduleKind.cosine
    /// Steps of linear warm-up from zero before the schedule starts.
    public var warmupSteps = 0
    /// Clip the global gradient norm to this value.
    public var gradientClipNorm: Float?
    /// Seeds weight initialisation, shuffling and dropout.
    public var seed: UInt64 = 1

    public init() {}

    /// The learning rate in effect: the one given, or the optimizer's default.
    public var effectiveLearningRate: Float { learningRate ?? optimizer.defaultLearningRate }

    /// Checks the values; the message names the setting.
    public func validate() throws {
        func fail(_ message: String) -> TrainingError { TrainingError(message) }
        guard epochs >= 0 else { throw fail("epochs must be at least 0, got \(epochs)") }
        guard batchSize > 0 else { throw fail("batch size must be positive, got \(batchSize)") }
        guard effectiveLearningRate > 0, effectiveLearningRate.isFinite else { throw fail("learning rate must be positive, got \(effectiveLearningRate)") }
        guard (0..<1).contains(momentum) else { throw fail("momentum must be in [0, 1), got \(momentum)") }
        guard weightDecay >= 0, weightDecay.isFinite else { throw fail("weight decay must be at least 0, got \(weightDecay)") }
        guard warmupSteps >= 0 else { throw fail("warm-up steps must be at least 0") }
        if let clip = gradientClipNorm, !(clip > 0) { throw fail("gradient clip norm must be positive, got \(clip)") }
    }

    /// The optimizer for a run of `totalSteps` steps.
    public func makeOptimizer(totalSteps: Int) -> Optimizer {
        let rate = effectiveLearningRate
        var schedule: Schedule
        switch self.schedule {
        case .constant: schedule = constantSchedule(rate)
        case .step: schedule = joinSchedules([constantSchedule(rate), constantSchedule(rate / 10), constantSchedule(rate / 100)],
                                             boundaries: [totalSteps / 2, totalSteps * 3 / 4])
        case .cosine: schedule = cosineDecay(initial: rate, steps: max(totalSteps - warmupSteps, 1))
        }
        if warmupSteps > 0 { schedule = linearWarmup(steps: warmupSteps, then: schedule) }
        let optimizer: Optimizer
        switch self.optimizer {
        case .sgd: optimizer = SGD(schedule: schedule, weightDecay: weightDecay)
        case .momentum: optimizer = SGD(schedule: schedule, momentum: momentum, weightDecay: weightDecay)
        case .nesterov: optimizer = SGD(schedule: schedule, momentum: momentum, nesterov: true, weightDecay: weightDecay)
        case .adagrad: optimizer = AdaGrad(schedule: schedule, weightDecay: weightDecay)
        case .rmsprop: optimizer = RMSProp(schedule: schedule, weightDecay: weightDecay)
        case .adam: optimizer = Adam(schedule: schedule, weightDecay: weightDecay)
        case .adamw: optimizer = AdamW(schedule: schedule, decoupledWeightDecay: weightDecay)
        }
        optimizer.gradientClipNorm = gradientClipNorm
        return optimizer
    }
}

/// A training setting or input that cannot be used, with a one-line reason.
public struct TrainingError: Error, CustomStringConvertible, Equatable, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
