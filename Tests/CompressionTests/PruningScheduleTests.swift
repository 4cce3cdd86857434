import Compression
import NN
import TensorCore
import Testing

/// Flatten, fc1 (16 -> 12, relu), fc2 (12 -> 3): small enough to train in a test.
func pruningTestClassifier(seed: UInt64 = 3) -> Model {
    var generator = RandomGenerator(seed: seed)
    return Model(inputShape: [4, 4, 1], layers: [
        ("flatten", Flatten()),
        ("fc1", Dense(inputCount: 16, units: 12, activation: .relu, generator: &generator)),
        ("fc2", Dense(inputCount: 12, units: 3, generator: &generator)),
    ])
}

/// The number of weights a parameter's mask cuts (0 without a mask).
func prunedCount(_ parameter: Parameter) -> Int {
    parameter.mask?.scalars.reduce(0) { $0 + ($1 == 0 ? 1 : 0) } ?? 0
}

@Suite("Pruning: magnitude pruning and schedules")
struct PruningScheduleTests {
    @Test("pruning to a sparsity sets exact per-layer counts in pruned mode, with cut weights at zero")
    func oneShot() throws {
        let model = pruningTestClassifier()
        let layers = try PrunableLayer.select(in: model, layers: nil, includeBiases: false)
        let pruning = try MagnitudePruning(layers: layers, criterion: .sparsity(try PerLayerValue(parsing: "fc1=0.75,fc2=0.5", setting: "sparsity")))
        pruning.prune(progress: 1)
        let kernel1 = model.parameter(named: "fc1.kernel")!, kernel2 = model.parameter(named: "fc2.kernel")!
        #expect(prunedCount(kernel1) == 144)
        #expect(prunedCount(kernel2) == 18)
        #expect(kernel1.maskMode == .pruned)
        #expect(zip(kernel1.value.scalars, kernel1.mask!.scalars).allSatisfy { $1 != 0 || $0 == 0 })
        #expect(model.parameter(named: "fc1.bias")!.mask == nil)
    }

    @Test("rounds shrink the kept fraction geometrically and only ever cut more")
    func rounds() throws {
        let model = pruningTestClassifier()
        let layers = try PrunableLayer.select(in: model, layers: LayerSelection("fc1"), includeBiases: false)
        let pruning = try MagnitudePruning(layers: layers, criterion: .sparsity(PerLayerValue(0.75, setting: "sparsity")))
        let kernel = model.parameter(named: "fc1.kernel")!
        var previous = [Float](repeating: 1, count: kernel.count)
        var cuts: [Int] = []
        for round in 1...2 {
            pruning.prune(progress: Double(round) / 2)
            let mask = kernel.mask!.scalars
            #expect(zip(previous, mask).allSatisfy { $0 != 0 || $1 == 0 }, "a cut weight came back")
            previous = mask
            cuts.append(prunedCount(kernel))
        }
        // Kept: 100% -> 50% (= sqrt of 25%) -> 25% of 192 weights.
        #expect(cuts == [96, 144])
    }

    @Test("the quality criterion cuts below quality x std of the weights measured at the start")
    func quality() throws {
        let model = pruningTestClassifier()
        let kernel = model.parameter(named: "fc1.kernel")!
        let original = kernel.value.scalars
        let deviation = standardDeviationOfKeptWeights(original, mask: nil)
        let layers = try PrunableLayer.select(in: model, layers: LayerSelection("fc1"), includeBiases: false)
        let thresholds = try MagnitudePruning(layers: layers, criterion: .quality(PerLayerValue(1.2, setting: "quality"))).prune(progress: 1)
        #expect(thresholds == [1.2 * deviation])
        #expect(kernel.mask!.scalars == original.map { abs($0) < 1.2 * deviation ? 0 : 1 })
    }

    @Test("a global sparsity prunes the chosen layers together to one fraction")
    func global() throws {
        let model = pruningTestClassifier()
        let layers = try PrunableLayer.select(in: model, layers: nil, includeBiases: false)
        let threshold = try MagnitudePruning(layers: layers, criterion: .globalSparsity(0.8)).prune(progress: 1)[0]
        let kernels = ["fc1.kernel", "fc2.kernel"].map { model.parameter(named: $0)! }
        #expect(kernels.reduce(0) { $0 + prunedCount($1) } == 182)   // round(0.8 x 228)
        for kernel in kernels {
            #expect(zip(kernel.value.scalars, kernel.mask!.scalars).allSatisfy { $1 == 0 || abs($0) >= threshold })
        }
    }

    @Test("the AGP curve starts at the initial sparsity, rises cubically and reaches the target")
    func agpCurve() throws {
        let schedule = try GradualSchedule(startStep: 10, frequency: 5, pruningSteps: 4)
        #expect(schedule.endStep == 30)
        #expect(schedule.sparsity(at: 0, initial: 0.2, final: 0.9) == 0.2)
        #expect(abs(schedule.sparsity(at: 20, initial: 0, final: 0.8) - 0.7) < 1e-12)   // 0.8 - 0.8 x 0.5^3
        #expect(schedule.sparsity(at: 30, initial: 0, final: 0.8) == 0.8)
        #expect(schedule.sparsity(at: 99, initial: 0, final: 0.8) == 0.8)
        #expect((0...40).filter(schedule.isUpdate) == [10, 15, 20, 25, 30])
        #expect(throws: CompressionError.self) { try GradualSchedule(startStep: 0, frequency: 0, pruningSteps: 3) }
    }

    @Test("gradual pruning hooked into a trainer reaches the target and keeps cut weights at zero")
    func gradualDuringTraining() throws {
        let model = pruningTestClassifier()
        let layers = try PrunableLayer.select(in: model, layers: nil, includeBiases: false)
        let pruning = try MagnitudePruning(layers: layers, criterion: .sparsity(PerLayerValue(0.5, setting: "sparsity")))
        let gradual = try GradualPruning(pruning: pruning, schedule: try GradualSchedule(startStep: 0, frequency: 2, pruningSteps: 3))
        let trainer = Trainer(model: model, optimizer: SGD(learningRate: 0.05, momentum: 0.9))
        gradual.attach(to: trainer)
        var generator = RandomGenerator(seed: 8)
        var sparsities: [Int] = []
        for _ in 0..<10 {
            let inputs = generator.normal(shape: [8, 4, 4, 1])
            trainer.trainStep(Batch(inputs: inputs, labels: (0..<8).map { Int32($0 % 3) }))
            sparsities.append(prunedCount(model.parameter(named: "fc1.kernel")!))
        }
        // Updates after steps 2, 4, 6: round(192 x 0.5 x (1 - (1 - t/6)^3)) = 68, 92, 96 cut.
        #expect(sparsities == [0, 68, 68, 92, 92, 96, 96, 96, 96, 96])
        let kernel = model.parameter(named: "fc1.kernel")!
        #expect(zip(kernel.value.scalars, kernel.mask!.scalars).allSatisfy { $1 != 0 || $0 == 0 })
        #expect(throws: CompressionError.self) {
            try GradualPruning(pruning: try MagnitudePruning(layers: layers, criterion: .quality(PerLayerValue(1, setting: "quality"))),
                               schedule: try GradualSchedule(startStep: 0, frequency: 1, pruningSteps: 1))
        }
    }
}
