import Foundation
import NN

/// The gradual pruning schedule of Zhu and Gupta (2017, "To prune, or not to prune"), AGP:
/// sparsity rises along a cubic curve while the network trains.
///
/// `s_t = s_f + (s_i - s_f) · (1 - (t - t₀) / (n Δt))³` at steps `t = t₀, t₀ + Δt, …, t₀ + n Δt`:
/// fast at first, while many redundant weights remain, then slower as fewer are left.
///
/// ```swift
/// let schedule = try GradualSchedule(startStep: 0, frequency: 100, pruningSteps: 30)
/// schedule.sparsity(at: 1500, initial: 0, final: 0.9)   // 0.7875
/// ```
public struct GradualSchedule: Sendable, Equatable {
    /// `t₀`: the step of the first mask update.
    public var startStep: Int
    /// `Δt`: steps between mask updates.
    public var frequency: Int
    /// `n`: the number of updates after the first; the target is reached at `t₀ + n Δt`.
    public var pruningSteps: Int

    public init(startStep: Int, frequency: Int, pruningSteps: Int) throws {
        guard startStep >= 0 else { throw CompressionError("AGP start step must be at least 0, got \(startStep)") }
        guard frequency > 0 else { throw CompressionError("AGP pruning frequency must be positive, got \(frequency)") }
        guard pruningSteps > 0 else { throw CompressionError("AGP needs at least one pruning step after the first, got \(pruningSteps)") }
        self.startStep = startStep
        self.frequency = frequency
        self.pruningSteps = pruningSteps
    }

    /// The step at which the target sparsity is reached.
    public var endStep: Int { startStep + pruningSteps * frequency }

    /// Whether the masks are updated after `step` optimizer steps.
    public func isUpdate(at step: Int) -> Bool {
        step >= startStep && step <= endStep && (step - startStep) % frequency == 0
    }

    /// The scheduled sparsity at `step`: `initial` before `t₀`, `final` from `t₀ + n Δt` on.
    public func sparsity(at step: Int, initial: Double, final: Double) -> Double {
        let progress = Double(step - startStep) / Double(pruningSteps * frequency)
        if progress <= 0 { return initial }
        if progress >= 1 { return final }
        return final + (initial - final) * pow(1 - progress, 3)
    }
}

/// Runs magnitude pruning on a ``GradualSchedule`` during training: after each scheduled step
/// every layer is pruned to its sparsity on the curve from where it started to its target.
///
/// Hook it into a trainer (`gradual.attach(to: trainer)`) or call ``afterStep(_:)`` with the
/// number of optimizer steps taken. The criterion must be a sparsity (per layer or global).
public final class GradualPruning {
    public let pruning: MagnitudePruning
    public let schedule: GradualSchedule
    /// Each layer's threshold at the last update that cut weights (zero before the first).
    public private(set) var thresholds: [Float]

    public init(pruning: MagnitudePruning, schedule: GradualSchedule) throws {
        if case .quality = pruning.criterion {
            throw CompressionError("the gradual (AGP) schedule needs a target sparsity, not a quality")
        }
        self.pruning = pruning
        self.schedule = schedule
        self.thresholds = [Float](repeating: 0, count: pruning.layers.count)
    }

    /// Updates the masks when `step` (optimizer steps taken so far) is on the schedule.
    public func afterStep(_ step: Int) {
        guard schedule.isUpdate(at: step) else { return }
        switch pruning.criterion {
        case .globalSparsity(let target):
            let sparsity = schedule.sparsity(at: step, initial: pruning.initialGlobalSparsity, final: target)
            let threshold = pruning.prune(globalSparsity: sparsity)
            if threshold > 0 { thresholds = [Float](repeating: threshold, count: pruning.layers.count) }
        case .sparsity, .quality:
            let sparsities = zip(pruning.initialSparsities, pruning.targets).map { initial, target in
                max(schedule.sparsity(at: step, initial: initial, final: target), initial)
            }
            for (index, threshold) in pruning.prune(sparsities: sparsities).enumerated() where threshold > 0 {
                thresholds[index] = threshold
            }
        }
    }

    /// Calls ``afterStep(_:)`` after every step of `trainer`.
    public func attach(to trainer: Trainer) {
        trainer.afterStep = { [unowned self] trainer in self.afterStep(trainer.step) }
    }
}
