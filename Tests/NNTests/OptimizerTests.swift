import Testing
import TensorCore
@testable import NN

/// Two updates of a 3-element kernel with fixed gradients; expected values computed by hand
/// (in Double, from the update rules written out step by step).
func twoSteps(_ optimizer: Optimizer, name: String = "kernel") -> [Float] {
    let p = Parameter(name: name, value: Tensor(shape: [3], scalars: [1, -2, 0.5]))
    p.grad = Tensor(shape: [3], scalars: [0.5, -1, 0.25])
    optimizer.update([p])
    p.grad = Tensor(shape: [3], scalars: [-0.3, 0.2, 0.1])
    optimizer.update([p])
    return p.value.scalars
}

@Suite("Optimizers")
struct OptimizerTests {
    @Test func sgd() {
        expectClose(twoSteps(SGD(learningRate: 0.1)), [0.98, -1.92, 0.465])
    }

    @Test func sgdMomentum() {
        // buffer1 = g1, v1 = v0 - 0.1 g1; buffer2 = 0.9 g1 + g2, v2 = v1 - 0.1 buffer2.
        expectClose(twoSteps(SGD(learningRate: 0.1, momentum: 0.9)), [0.935, -1.83, 0.4425])
    }

    @Test func nesterov() {
        expectClose(twoSteps(SGD(learningRate: 0.1, momentum: 0.9, nesterov: true)), [0.9215, -1.767, 0.41325])
    }

    @Test func coupledWeightDecay() {
        expectClose(twoSteps(SGD(learningRate: 0.1, weightDecay: 0.01)), [0.978051, -1.916102, 0.4640255])
        // Nesterov with coupled decay (the compress train default): g' = g + 0.01 v.
        expectClose(twoSteps(SGD(learningRate: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01)),
                    [0.91707411, -1.7581482, 0.41103705])
        expectClose(twoSteps(Adam(learningRate: 0.01, weightDecay: 0.01)), twoStepsReference())
        // Biases do not decay by default.
        expectClose(twoSteps(SGD(learningRate: 0.1, weightDecay: 0.01), name: "bias"), [0.98, -1.92, 0.465])
    }

    @Test func adaGrad() {
        expectClose(twoSteps(AdaGrad(learningRate: 0.1)), [0.95144958, -1.9196116, 0.36286094])
    }

    @Test func rmsProp() {
        expectClose(twoSteps(RMSProp(learningRate: 0.01, alpha: 0.9)), [0.98528031, -1.9749005, 0.45609133])
    }

    @Test func adam() {
        expectClose(twoSteps(Adam(learningRate: 0.01)), [0.98808502, -1.9848897, 0.48101425])
    }

    @Test func adamW() {
        expectClose(twoSteps(AdamW(learningRate: 0.01, decoupledWeightDecay: 0.1)), [0.98609602, -1.9809017, 0.48002475])
        expectClose(twoSteps(AdamW(learningRate: 0.01, decoupledWeightDecay: 0.1), name: "bias"), [0.98808502, -1.9848897, 0.48101425])
    }

    @Test func gradientClippingByGlobalNorm() {
        let a = Parameter(name: "kernel", value: Tensor(zeros: [2]))
        let b = Parameter(name: "bias", value: Tensor(zeros: [1]))
        a.grad = Tensor(shape: [2], scalars: [3, 0])
        b.grad = Tensor(shape: [1], scalars: [4])
        let optimizer = SGD(learningRate: 1)
        optimizer.gradientClipNorm = 1
        optimizer.update([a, b])
        #expect(abs(optimizer.lastGradientNorm - 5) < 1e-6)
        expectClose(a.value.scalars, [-0.6, 0])
        expectClose(b.value.scalars, [-0.8])
        // Below the threshold nothing changes.
        a.grad = Tensor(shape: [2], scalars: [0.1, 0])
        optimizer.update([a])
        expectClose(a.value.scalars, [-0.7, 0])
    }

    @Test func frozenAndGradientlessParametersAreSkipped() {
        let frozen = Parameter(name: "kernel", value: Tensor(repeating: 1, shape: [2]))
        frozen.grad = Tensor(repeating: 1, shape: [2])
        frozen.isFrozen = true
        let untouched = Parameter(name: "kernel", value: Tensor(repeating: 1, shape: [2]))
        let optimizer = Adam(learningRate: 0.1)
        optimizer.update([frozen, untouched])
        #expect(frozen.value.scalars == [1, 1])
        #expect(untouched.value.scalars == [1, 1])
        #expect(optimizer.state(for: frozen) == nil)
        #expect(optimizer.step == 1)
    }

    @Test func updateConsumesGradientsAndKeepsState() {
        let p = Parameter(name: "kernel", value: Tensor(zeros: [2]))
        p.grad = Tensor(shape: [2], scalars: [1, 2])
        let optimizer = SGD(learningRate: 0.1, momentum: 0.5)
        optimizer.update([p])
        #expect(p.grad == nil)
        #expect(optimizer.state(for: p)!.slot(0) == [1, 2])
    }
}

@Suite("Schedules")
struct ScheduleTests {
    @Test func constantAndStep() {
        #expect(constantSchedule(0.5)(1000) == 0.5)
        let s = stepDecay(initial: 1, factor: 0.1, every: 10)
        #expect(s(0) == 1 && s(9) == 1)
        #expect(abs(s(10) - 0.1) < 1e-7 && abs(s(25) - 0.01) < 1e-8)
    }

    @Test func cosine() {
        let s = cosineDecay(initial: 1, steps: 100, final: 0.1)
        #expect(abs(s(0) - 1) < 1e-6)
        #expect(abs(s(50) - 0.55) < 1e-6)
        #expect(abs(s(100) - 0.1) < 1e-6 && abs(s(500) - 0.1) < 1e-6)
    }

    @Test func warmupComposes() {
        let s = linearWarmup(steps: 4, then: cosineDecay(initial: 0.8, steps: 10))
        #expect([0, 1, 2, 3].map(s) == [0.2, 0.4, 0.6, 0.8])
        #expect(abs(s(4) - 0.8) < 1e-6)
        #expect(abs(s(9) - 0.4) < 1e-6)
        let linear = linearSchedule(from: 1, to: 0, steps: 4)
        #expect(linear(2) == 0.5 && linear(10) == 0)
        let joined = joinSchedules([constantSchedule(1), linearSchedule(from: 0.5, to: 0, steps: 2)], boundaries: [3])
        #expect([0, 2, 3, 4, 5, 9].map(joined) == [1, 1, 0.5, 0.25, 0, 0])
        #expect(abs(exponentialDecay(initial: 2, rate: 0.5)(3) - 0.25) < 1e-7)
    }

    @Test func optimizerFollowsSchedule() {
        let p = Parameter(name: "kernel", value: Tensor(zeros: [1]))
        let optimizer = SGD(schedule: stepDecay(initial: 1, factor: 0.5, every: 1))
        for _ in 0..<3 {
            p.grad = Tensor(repeating: 1, shape: [1])
            optimizer.update([p])
        }
        // -1 - 0.5 - 0.25
        #expect(p.value.scalars == [-1.75])
        #expect(optimizer.learningRate == 0.125)
    }
}

/// Adam with coupled decay 0.01, the decay added to the gradient by hand.
func twoStepsReference() -> [Float] {
    let p = Parameter(name: "kernel", value: Tensor(shape: [3], scalars: [1, -2, 0.5]))
    let optimizer = Adam(learningRate: 0.01)
    for g in [[Float(0.5), -1, 0.25], [-0.3, 0.2, 0.1]] {
        p.grad = Tensor(shape: [3], scalars: zip(g, p.value.scalars).map { $0 + 0.01 * $1 })
        optimizer.update([p])
    }
    return p.value.scalars
}
