import Compression
import NN
import TensorCore
import Testing

/// `y = w · x` with two weights, the second tiny: `[1.0, 0.01]`, trained towards `y = x₁ + x₂`,
/// so the second weight wants to grow back to 1.
private struct RegressionCase {
    let model: Model
    let kernel: Parameter
    let layers: [PrunableLayer]

    init() throws {
        model = Model(inputShape: [2], layers: [("fc", Dense(kernel: Tensor(shape: [2, 1], scalars: [1, 0.01]), bias: nil))])
        kernel = model.parameter(named: "fc.kernel")!
        layers = try PrunableLayer.select(in: model, layers: nil, includeBiases: false)
    }

    /// Trains `steps` steps of plain SGD on fresh batches with a trainer `prepare` may hook into.
    func train(steps: Int, prepare: (Trainer) -> Void = { _ in }) {
        let trainer = Trainer(model: model, optimizer: SGD(learningRate: 0.1), loss: .meanSquaredError)
        prepare(trainer)
        var generator = RandomGenerator(seed: 21)
        for _ in 0..<steps {
            let inputs = generator.normal(shape: [16, 2])
            let targets = Tensor(shape: [16, 1], scalars: (0..<16).map { inputs.scalars[2 * $0] + inputs.scalars[2 * $0 + 1] })
            trainer.trainStep(Batch(inputs: inputs, labels: [Int32](repeating: 0, count: 16), targets: targets))
        }
    }
}

@Suite("Pruning: dynamic network surgery and masked retraining")
struct PruningSurgeryTests {
    @Test("a kept weight at or below a is cut, a cut one above b is spliced, in between nothing changes")
    func maskRule() {
        var mask: [Float] = [1, 1, 1, 0, 0, 0]
        let spliced = DynamicSurgery.updateMask(&mask, values: [0.1, -0.5, 0.25, 0.05, -0.29, 0.35], cut: 0.2, splice: 0.3)
        #expect(mask == [0, 1, 1, 0, 0, 1])
        #expect(spliced == 1)
    }

    @Test("thresholds come from the mean and std of |w|; updates happen with probability (1 + gamma t)^-power until iter_stop")
    func thresholdsAndProbability() throws {
        let model = Model(inputShape: [4], layers: [("fc", Dense(kernel: Tensor(shape: [4, 1], scalars: [1, -3, 0, 2]), bias: nil))])
        let layers = try PrunableLayer.select(in: model, layers: nil, includeBiases: false)
        // Non-zero magnitudes 1, 3, 2: mean 2, std sqrt(2/3); x = 2 + 0.5 x 0.8165.
        let surgery = try DynamicSurgery(layers: layers, cRates: [0.5], gamma: 1e-4, power: 1, iterationStop: 20_000, seed: 1)
        let x = Float(2 + 0.5 * (2.0 / 3).squareRoot())
        #expect(abs(surgery.cutThresholds[0] - 0.9 * x) < 1e-6)
        #expect(abs(surgery.spliceThresholds[0] - 1.1 * x) < 1e-6)
        #expect(model.parameter(named: "fc.kernel")!.mask!.scalars == [0, 1, 0, 0])
        #expect(surgery.updateProbability(iteration: 0) == 1)
        #expect(surgery.updateProbability(iteration: 10_000) == 0.5)
        #expect(surgery.updateProbability(iteration: 20_000) == 0)
        // A very negative c-rate clamps x at zero: nothing is cut.
        let model2 = Model(inputShape: [4], layers: [("fc", Dense(kernel: Tensor(shape: [4, 1], scalars: [1, -3, 0.5, 2]), bias: nil))])
        let open = try DynamicSurgery(layers: try PrunableLayer.select(in: model2, layers: nil, includeBiases: false),
                                      cRates: [-10], iterationStop: 10, seed: 1)
        #expect(open.cutThresholds == [0])
        #expect(model2.parameter(named: "fc.kernel")!.mask!.scalars == [1, 1, 1, 1])
    }

    @Test("DNS splices back a cut weight whose gradient makes it grow")
    func surgeryRevives() throws {
        let setup = try RegressionCase()
        let surgery = try DynamicSurgery(layers: setup.layers, cRates: [-0.5], gamma: 0, power: 1, iterationStop: 1000, seed: 4)
        #expect(setup.kernel.mask!.scalars == [1, 0], "0.01 is below a = 0.9 x 0.2575")
        #expect(setup.kernel.maskMode == .surgery)
        setup.train(steps: 30) { surgery.attach(to: $0) }
        #expect(setup.kernel.mask!.scalars == [1, 1])
        #expect(surgery.splicedCount >= 1)
        #expect(abs(setup.kernel.value.scalars[1] - 1) < 0.1)
        surgery.finish()
        #expect(setup.kernel.maskMode == .pruned)
    }

    @Test("after iter_stop masks no longer change; finish zeroes the cut weights and keeps them cut")
    func surgeryStops() throws {
        let setup = try RegressionCase()
        let surgery = try DynamicSurgery(layers: setup.layers, cRates: [-0.5], gamma: 0, power: 1, iterationStop: 0, seed: 4)
        setup.train(steps: 10) { surgery.attach(to: $0) }
        #expect(setup.kernel.mask!.scalars == [1, 0])
        #expect(setup.kernel.value.scalars[1] > 0.5, "the cut weight still trains under surgery")
        surgery.finish()
        #expect(setup.kernel.value.scalars[1] == 0)
        setup.train(steps: 5)
        #expect(setup.kernel.value.scalars[1] == 0)
    }

    @Test("retraining after magnitude pruning never revives a cut weight")
    func magnitudeNeverRevives() throws {
        let setup = try RegressionCase()
        try MagnitudePruning(layers: setup.layers, criterion: .sparsity(PerLayerValue(0.5, setting: "sparsity"))).prune(progress: 1)
        #expect(setup.kernel.mask!.scalars == [1, 0])
        setup.train(steps: 30)
        #expect(setup.kernel.mask!.scalars == [1, 0])
        #expect(setup.kernel.value.scalars[1] == 0)
        #expect(setup.kernel.effectiveValue.scalars[1] == 0)
    }
}
