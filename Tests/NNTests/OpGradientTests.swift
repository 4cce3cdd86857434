import Testing
import TensorCore
@testable import NN

@Suite("Autograd operations")
struct OpGradientTests {
    @Test func addSubtractMultiply() {
        let a = Variable(randomTensor([3, 4], seed: 1), requiresGrad: true)
        let b = Variable(randomTensor([3, 4], seed: 2), requiresGrad: true)
        checkGradients([CheckTarget("a", a), CheckTarget("b", b)]) { a + b }
        a.zeroGrad(); b.zeroGrad()
        checkGradients([CheckTarget("a", a), CheckTarget("b", b)]) { a - b }
        a.zeroGrad(); b.zeroGrad()
        checkGradients([CheckTarget("a", a), CheckTarget("b", b)]) { a * b }
        a.zeroGrad()
        checkGradients([CheckTarget("a", a)]) { a * 2.5 }
    }

    @Test func reusedInputAccumulates() {
        let a = Variable(randomTensor([5], seed: 3), requiresGrad: true)
        checkGradients([CheckTarget("a", a)]) { a * a + a }
    }

    @Test func matmulAndBias() {
        let a = Variable(randomTensor([4, 3], seed: 4), requiresGrad: true)
        let b = Variable(randomTensor([3, 5], seed: 5), requiresGrad: true)
        let bias = Variable(randomTensor([5], seed: 6), requiresGrad: true)
        checkGradients([CheckTarget("a", a), CheckTarget("b", b), CheckTarget("bias", bias)]) {
            a.matmul(b).addingBias(bias)
        }
        let product = a.matmul(b).value
        #expect(product == matmul(a.value, b.value))
    }

    @Test func sumMeanReshape() {
        let a = Variable(randomTensor([2, 3, 4], seed: 8), requiresGrad: true)
        checkGradients([CheckTarget("a", a)]) { a.reshaped([6, -1]).sum() }
        a.zeroGrad()
        checkGradients([CheckTarget("a", a)]) { a.mean() }
        a.zeroGrad()
        checkGradients([CheckTarget("a", a)]) { a.flattened() * a.flattened() }
        #expect(a.flattened().shape == [2, 12])
    }

    @Test(arguments: Activation.allCases)
    func activation(_ activation: Activation) {
        // Values kept away from the kinks of relu / relu6 (0 and 6) so central differences are exact.
        var values = randomTensor([3, 7], seed: 9, scale: 4)
        values.scalars = values.scalars.map { abs($0) < 0.05 ? $0 + 0.2 : $0 }
        values.scalars[0] = 6.5
        values.scalars[1] = 5.5
        let x = Variable(values, requiresGrad: true)
        checkGradients([CheckTarget("x", x)], h: 1e-2) { x.activated(activation) }
    }

    @Test func activationValues() {
        let x = Variable(Tensor(shape: [1, 4], scalars: [-1, 0.5, 3, 7]))
        #expect(x.relu().value.scalars == [0, 0.5, 3, 7])
        #expect(x.relu6().value.scalars == [0, 0.5, 3, 6])
        expectClose(x.sigmoid().value.scalars, [0.26894142, 0.62245935, 0.95257413, 0.99908895])
        expectClose(x.tanh().value.scalars, [-0.76159416, 0.46211716, 0.99505475, 0.99999834])
        let s = x.softmax().value.scalars
        expectClose(s, [3.2883511e-4, 1.4737367e-3, 1.7953789e-2, 0.98024364])
        // Stable for large logits.
        let big = Variable(Tensor(shape: [1, 3], scalars: [1000, 1000, -1000])).softmax().value.scalars
        expectClose(big, [0.5, 0.5, 0])
    }

    @Test func vectorisedReluMatchesDefinition() {
        let values = randomTensor([3, 13], seed: 13, scale: 8)
        let x = Variable(values, requiresGrad: true)
        #expect(x.relu().value.scalars == values.scalars.map { max($0, 0) })
        #expect(x.relu6().value.scalars == values.scalars.map { min(max($0, 0), 6) })
        x.relu6().backward(seed: Tensor(repeating: 1, shape: [3, 13]))
        #expect(x.grad!.scalars == values.scalars.map { $0 > 0 && $0 < 6 ? 1 : 0 })
    }

    @Test func gradientsOnlyWhereRequired() {
        let a = Variable(randomTensor([2, 2], seed: 10), requiresGrad: true)
        let constant = Variable(randomTensor([2, 2], seed: 11))
        let y = (a * constant).sum()
        y.backward()
        #expect(a.grad != nil)
        #expect(constant.grad == nil)
        let z = (constant * constant).sum()
        #expect(!z.requiresGrad)
    }

    @Test func noGradientMode() {
        let a = Variable(randomTensor([3], seed: 14), requiresGrad: true)
        let y = withoutGradients { (a * a).sum() }
        #expect(!y.requiresGrad)
        #expect(abs(y.value.scalars[0] - a.value.scalars.map { $0 * $0 }.reduce(0, +)) < 1e-5)
        let z = (a * a).sum()
        #expect(z.requiresGrad)
    }

    @Test func intermediateGradientsAreReleased() {
        let a = Variable(randomTensor([3], seed: 12), requiresGrad: true)
        let hidden = a * 2
        let y = hidden.sum()
        y.backward()
        #expect(hidden.grad == nil)
        #expect(a.grad!.scalars == [2, 2, 2])
    }
}

@Suite("Losses and metrics")
struct LossTests {
    @Test func softmaxCrossEntropyGradient() {
        let logits = Variable(randomTensor([5, 4], seed: 20, scale: 3), requiresGrad: true)
        let labels: [Int32] = [0, 3, 1, 1, 2]
        checkGradients([CheckTarget("logits", logits)], h: 1e-2) { softmaxCrossEntropy(logits: logits, labels: labels) }
    }

    @Test func softmaxCrossEntropyValue() {
        let logits = Variable(Tensor(shape: [2, 3], scalars: [1, 2, 3, 1000, 0, -1000]))
        let loss = softmaxCrossEntropy(logits: logits, labels: [2, 0]).value.scalars[0]
        // -log(softmax([1,2,3])[2]) = 0.40760596, second row is 0.
        #expect(abs(loss - 0.40760596 / 2) < 1e-5)
        #expect(loss.isFinite)
    }

    @Test func meanSquaredErrorGradientAndValue() {
        let p = Variable(randomTensor([3, 4], seed: 21), requiresGrad: true)
        let t = randomTensor([3, 4], seed: 22)
        checkGradients([CheckTarget("p", p)]) { meanSquaredError(p, t) }
        let value = meanSquaredError(Variable(Tensor(shape: [2], scalars: [1, 3])), Tensor(shape: [2], scalars: [0, 1])).value
        #expect(value.scalars == [2.5])
    }

    @Test func topK() {
        let logits = Tensor(shape: [3, 6], scalars: [
            0.1, 0.9, 0.0, 0.0, 0.0, 0.0,   // label 1: top-1
            0.6, 0.5, 0.4, 0.3, 0.2, 0.1,   // label 4: rank 5 → top-5 only
            0.6, 0.5, 0.4, 0.3, 0.2, 0.1,   // label 5: rank 6 → neither
        ])
        let labels: [Int32] = [1, 4, 5]
        #expect(topKCorrect(logits: logits, labels: labels, k: 1) == 1)
        #expect(topKCorrect(logits: logits, labels: labels, k: 5) == 2)
        var metrics = ClassificationMetrics()
        metrics.add(meanLoss: 2, logits: logits, labels: labels)
        metrics.add(meanLoss: 1, logits: logits, labels: labels)
        #expect(metrics.count == 6)
        #expect(abs(metrics.meanLoss - 1.5) < 1e-12)
        #expect(abs(metrics.top1Accuracy - 1.0 / 3) < 1e-12)
        #expect(abs(metrics.top5Accuracy - 2.0 / 3) < 1e-12)
    }
}
