import Foundation
import TensorCore

/// Per-parameter optimizer state: a few zero-initialised buffers (momentum, moments, ...).
public final class OptimizerState {
    /// The number of elements of each buffer (the parameter's trained values).
    public let count: Int
    let buffers: [UnsafeMutablePointer<Float>]

    private let owner: OptimizerState?

    init(slots: Int, count: Int) {
        self.count = count
        owner = nil
        buffers = (0..<slots).map { _ in
            let p = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(count, 1))
            p.initialize(repeating: 0, count: Swift.max(count, 1))
            return p
        }
    }

    private init(viewOf owner: OptimizerState, offset: Int) {
        self.owner = owner
        count = owner.count - offset
        buffers = owner.buffers.map { $0 + offset }
    }

    /// A view of the buffers from element `offset` on (for updating a slice of a parameter).
    func offset(_ offset: Int) -> OptimizerState {
        offset == 0 ? self : OptimizerState(viewOf: self, offset: offset)
    }

    deinit { if owner == nil { for p in buffers { p.deallocate() } } }

    /// The number of buffers.
    public var slotCount: Int { buffers.count }

    /// A copy of buffer `index` (for inspection and tests).
    public func slot(_ index: Int) -> [Float] {
        Array(UnsafeBufferPointer(start: buffers[index], count: count))
    }

    /// Overwrites buffer `index`.
    public func setSlot(_ index: Int, _ values: [Float]) {
        precondition(values.count == count, "OptimizerState: \(values.count) values for a buffer of \(count)")
        buffers[index].update(from: values, count: count)
    }
}

/// A learning rate as a function of the optimizer step (the number of updates done so far).
public typealias Schedule = @Sendable (Int) -> Float

/// The base of all optimizers: gradient preparation, clipping, weight decay and per-parameter state.
///
/// Subclasses say how many state buffers a parameter needs (``stateSlotCount``) and update one
/// parameter (``applySingle(values:gradient:count:state:learningRate:step:parameter:)``), as in mlx.
///
/// `update` does, for every parameter that requires a gradient and has one:
/// 1. takes ``Parameter/optimizerGradient()`` (masked in `.pruned` mode, scatter-summed for a codebook)
///    and consumes the gradient (the parameter's `grad` becomes nil);
/// 2. scales all gradients together when their global L2 norm exceeds ``gradientClipNorm``;
/// 3. adds ``weightDecay`` `* value` (coupled L2) for parameters whose `decays` flag is set;
/// 4. applies the subclass's rule to the trained values, then re-applies mask / codebook.
///
/// ```swift
/// let optimizer = SGD(learningRate: 0.01, momentum: 0.9)
/// loss.backward()
/// optimizer.update(model)
/// ```
open class Optimizer {
    /// The learning rate for each step.
    public var schedule: Schedule
    /// The number of updates done so far.
    public private(set) var step: Int = 0
    /// Coupled L2 weight decay: `gradient += weightDecay * value` before the update.
    public var weightDecay: Float {
        didSet { precondition(weightDecay >= 0, "Weight decay must be non-negative") }
    }
    /// When set, gradients are scaled so that their global L2 norm is at most this value.
    public var gradientClipNorm: Float? {
        didSet { if let gradientClipNorm { precondition(gradientClipNorm > 0, "Clip norm must be positive") } }
    }
    /// The global gradient norm of the last update, before clipping (computed only when
    /// ``gradientClipNorm`` is set).
    public private(set) var lastGradientNorm: Float = 0

    private var states: [ObjectIdentifier: (parameter: Parameter, state: OptimizerState)] = [:]

    /// Creates an optimizer with a constant learning rate.
    public convenience init(learningRate: Float, weightDecay: Float = 0) {
        precondition(learningRate >= 0, "Learning rate must be non-negative")
        self.init(schedule: constantSchedule(learningRate), weightDecay: weightDecay)
    }

    /// Creates an optimizer with a learning-rate schedule.
    public init(schedule: @escaping Schedule, weightDecay: Float = 0) {
        precondition(weightDecay >= 0, "Weight decay must be non-negative")
        self.schedule = schedule
        self.weightDecay = weightDecay
    }

    /// The learning rate of the next update.
    public var learningRate: Float { schedule(step) }

    /// The number of state buffers per parameter.
    open var stateSlotCount: Int { 0 }

    /// Whether ``applySingle(values:gradient:count:state:learningRate:step:parameter:)`` adds the
    /// coupled weight decay itself (reading ``currentWeightDecay``), saving a pass over memory.
    open var fusesWeightDecay: Bool { false }

    /// The coupled L2 weight decay of the parameter being updated (0 when it does not decay).
    public internal(set) var currentWeightDecay: Float = 0

    /// Updates `count` trained values in place from their (prepared) gradient.
    ///
    /// Large parameters are cut into slices updated concurrently on NN's worker threads: the
    /// pointers and `state` then describe one slice, so the rule must be elementwise.
    ///
    /// - Parameters:
    ///   - step: the 1-based number of this update (for bias corrections).
    open func applySingle(values: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>, count: Int,
                          state: OptimizerState, learningRate: Float, step: Int, parameter: Parameter) {
        fatalError("\(type(of: self)) must override applySingle")
    }

    /// The state kept for a parameter, if it has been updated.
    public func state(for parameter: Parameter) -> OptimizerState? {
        states[ObjectIdentifier(parameter)]?.state
    }

    /// Forgets all per-parameter state and restarts the step count.
    public func reset() {
        states.removeAll()
        step = 0
    }

    /// Updates every parameter of `model` that has a gradient.
    public func update(_ model: Model) { update(model.parameters) }

    /// Updates every given parameter that requires and has a gradient; see ``Optimizer``.
    public func update(_ parameters: [Parameter]) {
        var work: [(Parameter, [Float])] = []
        var seen = Set<ObjectIdentifier>()
        for parameter in parameters where seen.insert(ObjectIdentifier(parameter)).inserted {
            guard let gradient = parameter.optimizerGradient() else { continue }
            parameter.zeroGrad()
            work.append((parameter, gradient))
        }
        // Global-norm clipping.
        if gradientClipNorm != nil {
            var squares: Double = 0
            for (_, g) in work {
                g.withUnsafeBufferPointer { p in
                    var partial: Float = 0
                    for x in p { partial += x * x }
                    squares += Double(partial)
                }
            }
            lastGradientNorm = Float(squares.squareRoot())
        }
        if let clip = gradientClipNorm, lastGradientNorm > clip {
            let scale = clip / lastGradientNorm
            for i in work.indices {
                work[i].1.withUnsafeMutableBufferPointer { p in for j in p.indices { p[j] *= scale } }
            }
        }
        step += 1
        let lr = schedule(step - 1)
        for index in work.indices {
            let parameter = work[index].0
            let count = work[index].1.count
            let key = ObjectIdentifier(parameter)
            var state = states[key]?.state
            if state == nil || state!.count != count {
                state = OptimizerState(slots: stateSlotCount, count: count)
                states[key] = (parameter, state!)
            }
            let decay = parameter.decays ? weightDecay : 0
            currentWeightDecay = decay
            parameter.updateTrainedValues { values, n in
                precondition(n == count, "Optimizer: \(parameter.name) has \(n) trained values but \(count) gradients")
                // Mutated in place inside `work` (uniquely owned: the parameter's grad was released).
                work[index].1.withUnsafeMutableBufferPointer { g in
                    let gp = SendablePointer(g.baseAddress!), vp = SendablePointer(values)
                    // Elementwise rules: split large parameters across workers.
                    parallelChunks(n, costPerItem: 4) { r in
                        let gr = gp.pointer + r.lowerBound, vr = vp.pointer + r.lowerBound
                        if decay != 0 && !fusesWeightDecay { for i in 0..<r.count { gr[i] += decay * vr[i] } }
                        applySingle(values: vr, gradient: gr, count: r.count, state: state!.offset(r.lowerBound),
                                    learningRate: lr, step: step, parameter: parameter)
                    }
                }
            }
        }
    }
}

/// Stochastic gradient descent, with optional (Nesterov) momentum, as PyTorch's `SGD`:
/// `buffer = momentum * buffer + g`; `value -= lr * (nesterov ? g + momentum * buffer : buffer)`.
public final class SGD: Optimizer {
    public let momentum: Float
    public let nesterov: Bool

    public init(schedule: @escaping Schedule, momentum: Float = 0, nesterov: Bool = false, weightDecay: Float = 0) {
        precondition(momentum >= 0, "Momentum must be non-negative")
        precondition(!nesterov || momentum > 0, "Nesterov momentum needs momentum > 0")
        self.momentum = momentum
        self.nesterov = nesterov
        super.init(schedule: schedule, weightDecay: weightDecay)
    }

    public convenience init(learningRate: Float, momentum: Float = 0, nesterov: Bool = false, weightDecay: Float = 0) {
        precondition(learningRate >= 0, "Learning rate must be non-negative")
        self.init(schedule: constantSchedule(learningRate), momentum: momentum, nesterov: nesterov, weightDecay: weightDecay)
    }

    public override var stateSlotCount: Int { momentum == 0 ? 0 : 1 }

    public override var fusesWeightDecay: Bool { true }

    public override func applySingle(values: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>, count: Int,
                                     state: OptimizerState, learningRate lr: Float, step: Int, parameter: Parameter) {
        let decay = currentWeightDecay
        if momentum == 0 {
            for i in 0..<count { values[i] -= lr * (gradient[i] + decay * values[i]) }
            return
        }
        let buffer = state.buffers[0], mu = momentum
        if nesterov {
            for i in 0..<count {
                let g = gradient[i] + decay * values[i]
                let b = mu * buffer[i] + g
                buffer[i] = b
                values[i] -= lr * (g + mu * b)
            }
        } else {
            for i in 0..<count {
                let g = gradient[i] + decay * values[i]
                let b = mu * buffer[i] + g
                buffer[i] = b
                values[i] -= lr * b
            }
        }
    }
}

/// AdaGrad: `sum += g²`; `value -= lr * g / (sqrt(sum) + epsilon)`.
public final class AdaGrad: Optimizer {
    public let epsilon: Float

    public init(schedule: @escaping Schedule, epsilon: Float = 1e-8, weightDecay: Float = 0) {
        self.epsilon = epsilon
        super.init(schedule: schedule, weightDecay: weightDecay)
    }

    public convenience init(learningRate: Float = 0.01, epsilon: Float = 1e-8, weightDecay: Float = 0) {
        self.init(schedule: constantSchedule(learningRate), epsilon: epsilon, weightDecay: weightDecay)
    }

    public override var stateSlotCount: Int { 1 }

    public override func applySingle(values: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>, count: Int,
                                     state: OptimizerState, learningRate lr: Float, step: Int, parameter: Parameter) {
        let sum = state.buffers[0]
        for i in 0..<count {
            let g = gradient[i]
            sum[i] += g * g
            values[i] -= lr * g / (sum[i].squareRoot() + epsilon)
        }
    }
}

/// RMSProp: `mean = alpha * mean + (1 - alpha) * g²`; `value -= lr * g / (sqrt(mean) + epsilon)`.
public final class RMSProp: Optimizer {
    public let alpha: Float
    public let epsilon: Float

    public init(schedule: @escaping Schedule, alpha: Float = 0.99, epsilon: Float = 1e-8, weightDecay: Float = 0) {
        precondition(alpha >= 0 && alpha < 1, "RMSProp: alpha must be in [0, 1)")
        self.alpha = alpha
        self.epsilon = epsilon
        super.init(schedule: schedule, weightDecay: weightDecay)
    }

    public convenience init(learningRate: Float = 0.001, alpha: Float = 0.99, epsilon: Float = 1e-8, weightDecay: Float = 0) {
        self.init(schedule: constantSchedule(learningRate), alpha: alpha, epsilon: epsilon, weightDecay: weightDecay)
    }

    public override var stateSlotCount: Int { 1 }

    public override func applySingle(values: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>, count: Int,
                                     state: OptimizerState, learningRate lr: Float, step: Int, parameter: Parameter) {
        let mean = state.buffers[0], a = alpha
        for i in 0..<count {
            let g = gradient[i]
            mean[i] = a * mean[i] + (1 - a) * g * g
            values[i] -= lr * g / (mean[i].squareRoot() + epsilon)
        }
    }
}

/// Adam: bias-corrected first and second moments;
/// `value -= lr * m̂ / (sqrt(v̂) + epsilon)` with `m̂ = m / (1 - β1ᵗ)`, `v̂ = v / (1 - β2ᵗ)`.
public class Adam: Optimizer {
    public let beta1: Float
    public let beta2: Float
    public let epsilon: Float

    public init(schedule: @escaping Schedule, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0) {
        precondition(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1, "Adam: betas must be in [0, 1)")
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        super.init(schedule: schedule, weightDecay: weightDecay)
    }

    public convenience init(learningRate: Float = 0.001, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
                            weightDecay: Float = 0) {
        self.init(schedule: constantSchedule(learningRate), beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay)
    }

    public override var stateSlotCount: Int { 2 }

    public override func applySingle(values: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>, count: Int,
                                     state: OptimizerState, learningRate lr: Float, step: Int, parameter: Parameter) {
        let m = state.buffers[0], v = state.buffers[1]
        let b1 = beta1, b2 = beta2
        let correction1 = 1 - Float(Foundation.pow(Double(b1), Double(step)))
        let correction2 = 1 - Float(Foundation.pow(Double(b2), Double(step)))
        let stepSize = lr / correction1
        let inverseSqrtCorrection2 = 1 / correction2.squareRoot()
        for i in 0..<count {
            let g = gradient[i]
            m[i] = b1 * m[i] + (1 - b1) * g
            v[i] = b2 * v[i] + (1 - b2) * g * g
            values[i] -= stepSize * m[i] / (v[i].squareRoot() * inverseSqrtCorrection2 + epsilon)
        }
    }
}

/// AdamW: Adam with decoupled weight decay, `value -= lr * decoupledWeightDecay * value` before
/// the Adam step (Loshchilov & Hutter; PyTorch's `AdamW`). Applies to parameters whose
/// `decays` flag is set.
public final class AdamW: Adam {
    public let decoupledWeightDecay: Float

    public init(schedule: @escaping Schedule, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
                decoupledWeightDecay: Float = 0.01) {
        precondition(decoupledWeightDecay >= 0, "Weight decay must be non-negative")
        self.decoupledWeightDecay = decoupledWeightDecay
        super.init(schedule: schedule, beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: 0)
    }

    public convenience init(learningRate: Float = 0.001, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
                            decoupledWeightDecay: Float = 0.01) {
        self.init(schedule: constantSchedule(learningRate), beta1: beta1, beta2: beta2, epsilon: epsilon,
                  decoupledWeightDecay: decoupledWeightDecay)
    }

    public override func applySingle(values: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>, count: Int,
                                     state: OptimizerState, learningRate lr: Float, step: Int, parameter: Parameter) {
        if parameter.decays && decoupledWeightDecay != 0 {
            let factor = 1 - lr * decoupledWeightDecay
            for i in 0..<count { values[i] *= factor }
        }
        super.applySingle(values: values, gradient: gradient, count: count, state: state, learningRate: lr, step: step,
                          parameter: parameter)
    }
}

// MARK: - Schedules

/// The same learning rate at every step.
public func constantSchedule(_ value: Float) -> Schedule {
    { _ in value }
}

/// `initial * factor ^ (step / every)` (integer division): multiply by `factor` every `every` steps.
public func stepDecay(initial: Float, factor: Float, every: Int) -> Schedule {
    precondition(every > 0, "stepDecay: every must be positive")
    return { step in initial * Float(Foundation.pow(Double(factor), Double(step / every))) }
}

/// Cosine decay from `initial` to `final` over `steps` steps, then `final`.
public func cosineDecay(initial: Float, steps: Int, final: Float = 0) -> Schedule {
    precondition(steps > 0, "cosineDecay: steps must be positive")
    return { step in
        let t = Double(Swift.min(step, steps)) / Double(steps)
        return final + (initial - final) * Float(0.5 * (1 + Foundation.cos(Double.pi * t)))
    }
}

/// Linear interpolation from `from` to `to` over `steps` steps, then `to`.
public func linearSchedule(from: Float, to: Float, steps: Int) -> Schedule {
    precondition(steps > 0, "linearSchedule: steps must be positive")
    return { step in from + (to - from) * Float(Swift.min(step, steps)) / Float(steps) }
}

/// Linear warm-up: step `t < steps` gets `then(0) * (t + 1) / steps`; afterwards `then(t - steps)`.
///
/// ```swift
/// let schedule = linearWarmup(steps: 500, then: cosineDecay(initial: 0.1, steps: 10_000))
/// ```
public func linearWarmup(steps: Int, then schedule: @escaping Schedule) -> Schedule {
    precondition(steps >= 0, "linearWarmup: steps must be non-negative")
    return { step in
        step < steps ? schedule(0) * Float(step + 1) / Float(steps) : schedule(step - steps)
    }
}

/// `schedules[i]` from `boundaries[i - 1]` on (each restarted at zero), `schedules[0]` before the first boundary.
public func joinSchedules(_ schedules: [Schedule], boundaries: [Int]) -> Schedule {
    precondition(schedules.count == boundaries.count + 1, "joinSchedules: needs one more schedule than boundaries")
    return { step in
        var index = 0, start = 0
        while index < boundaries.count && step >= boundaries[index] {
            start = boundaries[index]
            index += 1
        }
        return schedules[index](step - start)
    }
}

/// `initial * rate ^ step`.
public func exponentialDecay(initial: Float, rate: Float) -> Schedule {
    { step in initial * Float(Foundation.pow(Double(rate), Double(step))) }
}
