import Foundation
import NN
import TensorCore

/// Dynamic Network Surgery (Guo, Yao, Chen, NIPS 2016): masks that change while the network
/// trains, cutting weights that became small and splicing back cut weights that grew.
///
/// For each layer, from the mean `μ` and standard deviation `σ` of the magnitudes of its kept,
/// non-zero weights (measured once, when the surgery starts, as the authors' code does):
/// `x = max(μ + c_rate · σ, 0)`, cut threshold `a = 0.9 x`, splice threshold `b = 1.1 x`.
/// A kept weight with `|w| ≤ a` is cut, a cut weight with `|w| > b` is spliced back, anything
/// in between keeps its state. Masks are updated at iteration `t` with probability
/// `(1 + γ t)^(-power)` (one draw per layer from a seeded generator) and never from
/// `iterationStop` on.
///
/// While the surgery runs the masks are in ``MaskMode/surgery`` mode: the loss sees the masked
/// weights, but the gradient updates every weight, cut ones included, which is what lets a
/// weight come back. ``finish()`` makes the result final: weights multiplied by their masks,
/// masks switched to ``MaskMode/pruned``, so later training keeps the cut weights at zero.
///
/// ```swift
/// let surgery = try DynamicSurgery(layers: layers, cRates: [4, 4, 3], iterationStop: 14_000, seed: 1)
/// surgery.attach(to: trainer)        // updates masks after every step
/// ... train ...
/// surgery.finish()
/// ```
public final class DynamicSurgery {
    /// The layers operated on, in model order.
    public let layers: [PrunableLayer]
    /// Each layer's `c_rate`.
    public let cRates: [Double]
    /// `γ` of the update probability.
    public let gamma: Double
    /// `power` of the update probability.
    public let power: Double
    /// The first iteration at which masks no longer change.
    public let iterationStop: Int
    /// Each layer's cut threshold `a`.
    public let cutThresholds: [Float]
    /// Each layer's splice threshold `b`.
    public let spliceThresholds: [Float]
    /// Mask updates made so far (over all layers), including the one at iteration 0.
    public private(set) var updateCount = 0
    /// Weights spliced back so far (over all layers).
    public private(set) var splicedCount = 0

    private var generator: RandomGenerator
    private var masks: [[Float]]

    /// Starts the surgery: puts every layer's mask (its existing mask, or all ones) in
    /// ``MaskMode/surgery`` mode, measures the thresholds, and makes the update of iteration 0
    /// (which always happens).
    ///
    /// - Parameters:
    ///   - cRates: one `c_rate` per layer; larger cuts more.
    ///   - gamma, power: the update probability `(1 + γ t)^(-power)`; both at least 0.
    ///   - iterationStop: masks are not updated from this iteration on.
    ///   - seed: seeds the draws that decide whether an update happens.
    public init(layers: [PrunableLayer], cRates: [Double], gamma: Double = 1e-4, power: Double = 1,
                iterationStop: Int, seed: UInt64) throws {
        guard cRates.count == layers.count else {
            throw CompressionError("dynamic surgery: \(cRates.count) c-rates for \(layers.count) layers")
        }
        for (layer, rate) in zip(layers, cRates) where !rate.isFinite {
            throw CompressionError("c-rate for layer \(layer.name) must be a finite number, got \(rate)")
        }
        guard gamma >= 0, gamma.isFinite else { throw CompressionError("dynamic surgery: gamma must be at least 0, got \(gamma)") }
        guard power >= 0, power.isFinite else { throw CompressionError("dynamic surgery: power must be at least 0, got \(power)") }
        guard iterationStop >= 0 else { throw CompressionError("dynamic surgery: the stop iteration must be at least 0, got \(iterationStop)") }
        self.layers = layers
        self.cRates = cRates
        self.gamma = gamma
        self.power = power
        self.iterationStop = iterationStop
        self.generator = RandomGenerator(seed: seed)
        var cuts: [Float] = [], splices: [Float] = []
        for (layer, rate) in zip(layers, cRates) {
            let (mean, deviation) = DynamicSurgery.magnitudeMoments(layer.values, mask: layer.mask)
            let x = Float(max(mean + rate * deviation, 0))
            cuts.append(0.9 * x)
            splices.append(1.1 * x)
        }
        cutThresholds = cuts
        spliceThresholds = splices
        masks = layers.map(\.mask)
        for (index, layer) in layers.enumerated() {
            DynamicSurgery.updateMask(&masks[index], values: layer.values, cut: cuts[index], splice: splices[index])
            layer.setMask(masks[index], mode: .surgery)
        }
        updateCount = layers.count
    }

    /// The probability that the masks are updated at `iteration`: `(1 + γ t)^(-power)`, or 0
    /// from ``iterationStop`` on.
    public func updateProbability(iteration: Int) -> Double {
        iteration < iterationStop ? pow(1 + gamma * Double(iteration), -power) : 0
    }

    /// Possibly updates the masks before iteration `step` (the number of optimizer steps taken).
    public func afterStep(_ step: Int) {
        for index in layers.indices {
            let draw = generator.nextUnitDouble()
            guard draw < updateProbability(iteration: step) else { continue }
            let layer = layers[index]
            let spliced = DynamicSurgery.updateMask(&masks[index], values: layer.values,
                                                    cut: cutThresholds[index], splice: spliceThresholds[index])
            layer.setMask(masks[index], mode: .surgery)
            updateCount += 1
            splicedCount += spliced
        }
    }

    /// Calls ``afterStep(_:)`` after every step of `trainer`.
    public func attach(to trainer: Trainer) {
        trainer.afterStep = { [unowned self] trainer in self.afterStep(trainer.step) }
    }

    /// Makes the surgery final: cut weights are set to zero and the masks switch to
    /// ``MaskMode/pruned``, so later training (and a saved model) keeps them at zero.
    public func finish() {
        for layer in layers { layer.makePruningFinal() }
    }

    /// Applies the surgery rule to one mask in place and returns how many weights were spliced
    /// back: kept with `|w| ≤ cut` → cut; cut with `|w| > splice` → kept.
    @discardableResult
    public static func updateMask(_ mask: inout [Float], values: [Float], cut: Float, splice: Float) -> Int {
        precondition(mask.count == values.count, "DynamicSurgery: mask and values differ in length")
        var spliced = 0
        for i in values.indices {
            let magnitude = abs(values[i])
            if mask[i] != 0 {
                if magnitude <= cut { mask[i] = 0 }
            } else if magnitude > splice {
                mask[i] = 1
                spliced += 1
            }
        }
        return spliced
    }

    /// The mean and population standard deviation of `|w|` over the weights kept by `mask` that
    /// are not zero.
    static func magnitudeMoments(_ values: [Float], mask: [Float]) -> (mean: Double, standardDeviation: Double) {
        var count = 0, sum: Double = 0, squares: Double = 0
        for i in values.indices where mask[i] != 0 && values[i] != 0 {
            let magnitude = Double(abs(values[i]))
            count += 1
            sum += magnitude
            squares += magnitude * magnitude
        }
        guard count > 0 else { return (0, 0) }
        let mean = sum / Double(count)
        return (mean, max(squares / Double(count) - mean * mean, 0).squareRoot())
    }
}
