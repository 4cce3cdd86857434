import Testing
import TensorCore
@testable import NN

@Suite("Parameter hooks")
struct ParameterHookTests {
    func denseLayer() -> Dense {
        var rng = RandomGenerator(seed: 90)
        return Dense(inputCount: 4, units: 3, generator: &rng)
    }

    let mask = Tensor(shape: [4, 3], scalars: [1, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 0])

    @Test func frozenParameterGetsNoGradient() {
        let layer = denseLayer()
        layer.kernel.isFrozen = true
        let x = Variable(randomTensor([2, 4], seed: 91), requiresGrad: true)
        layer(x).sum().backward()
        #expect(layer.kernel.grad == nil)
        #expect(layer.bias!.grad != nil)
        #expect(x.grad != nil)
        let before = layer.kernel.value
        SGD(learningRate: 1).update(layer.parameters)
        #expect(layer.kernel.value == before)
    }

    @Test func prunedMaskKeepsZerosAndDropsGradients() {
        let layer = denseLayer()
        layer.kernel.mask = mask
        layer.kernel.applyMask()
        let optimizer = SGD(learningRate: 0.1, momentum: 0.9)
        for step in 0..<3 {
            let x = Variable(randomTensor([5, 4], seed: 92 + UInt64(step)))
            layer(x).relu().sum().backward()
            // The gradient handed to the optimizer is zero where the mask is.
            let g = layer.kernel.optimizerGradient()!
            for i in 0..<12 where mask.scalars[i] == 0 { #expect(g[i] == 0) }
            optimizer.update(layer.parameters)
            for i in 0..<12 where mask.scalars[i] == 0 { #expect(layer.kernel.value.scalars[i] == 0) }
        }
        // Kept weights did move.
        #expect(layer.kernel.value.scalars[0] != 0)
        // Forward uses the masked kernel: equal to a dense layer with the masked weights.
        let x = randomTensor([2, 4], seed: 99)
        let reference = Dense(kernel: layer.kernel.value * mask, bias: layer.bias!.value)
        #expect(layer(Variable(x)).value == reference(Variable(x)).value)
    }

    @Test func surgeryModeUpdatesMaskedWeights() {
        let layer = denseLayer()
        let original = layer.kernel.value
        layer.kernel.mask = mask
        layer.kernel.maskMode = .surgery
        // The forward pass uses W ∘ T.
        let x = randomTensor([3, 4], seed: 93)
        let masked = Dense(kernel: original * mask, bias: layer.bias!.value)
        #expect(layer(Variable(x)).value == masked(Variable(x)).value)
        // The gradient with respect to the effective weight updates every underlying weight.
        layer(Variable(x)).sum().backward()
        let gradient = layer.kernel.grad!
        SGD(learningRate: 0.1).update(layer.parameters)
        expectClose(layer.kernel.value.scalars, (original - gradient * 0.1).scalars)
        for i in 0..<12 where mask.scalars[i] == 0 { #expect(layer.kernel.value.scalars[i] != 0) }
        // Splicing a weight back brings its trained value into the forward pass.
        var spliced = mask
        spliced.scalars = [Float](repeating: 1, count: 12)
        layer.kernel.mask = spliced
        let dense = Dense(kernel: layer.kernel.value, bias: layer.bias!.value)
        #expect(layer(Variable(x)).value == dense(Variable(x)).value)
    }

    @Test func codebookGradientIsScatterSumAndWeightsStayShared() {
        let layer = denseLayer()
        let assignments: [Int32] = [0, 1, 2, 0, 1, 2, 0, 1, 2, 0, -1, 1]
        let centroids: [Float] = [-0.5, 0.1, 0.7]
        layer.kernel.codebook = Codebook(assignments: assignments, centroids: centroids)
        #expect(layer.kernel.value.scalars[0] == -0.5 && layer.kernel.value.scalars[10] == 0)
        let x = Variable(randomTensor([4, 4], seed: 94))
        (layer(x) * Variable(randomTensor([4, 3], seed: 95))).sum().backward()
        let weightGradient = layer.kernel.grad!.scalars
        var expected: [Float] = [0, 0, 0]
        for i in 0..<12 where assignments[i] >= 0 { expected[Int(assignments[i])] += weightGradient[i] }
        let centroidGradient = layer.kernel.optimizerGradient()!
        expectClose(centroidGradient, expected)
        SGD(learningRate: 0.1).update(layer.parameters)
        let updated = layer.kernel.codebook!.centroids
        expectClose(updated, zip(centroids, expected).map { $0 - 0.1 * $1 })
        // Every weight is still its centroid (or zero for unassigned).
        for i in 0..<12 {
            let a = Int(assignments[i])
            #expect(layer.kernel.value.scalars[i] == (a >= 0 ? updated[a] : 0))
        }
    }

    @Test("a codebook sorted ascending renumbers its assignments and decodes to the same values")
    func codebookSortedAscending() {
        let codebook = Codebook(assignments: [2, -1, 0, 1, 2, 3, 0], centroids: [0.5, -0.25, 0.125, 0.5])
        let sorted = codebook.sortedAscending()
        #expect(sorted.centroids == [-0.25, 0.125, 0.5, 0.5])
        #expect(sorted.assignments == [1, -1, 2, 0, 1, 3, 2])   // equal centroids keep their order
        #expect(sorted.decoded(shape: [7]).scalars == codebook.decoded(shape: [7]).scalars)
        let withNaN = Codebook(assignments: [1, 0], centroids: [1, .nan])
        #expect(withNaN.sortedAscending().assignments == [1, 0])
    }

    @Test func codebookWithPruningMask() {
        let p = Parameter(name: "kernel", value: Tensor(zeros: [4]))
        p.mask = Tensor(shape: [4], scalars: [1, 1, 0, 1])
        p.codebook = Codebook(assignments: [0, 1, 1, 0], centroids: [1, 2])
        #expect(p.value.scalars == [1, 2, 0, 1])
        p.grad = Tensor(shape: [4], scalars: [1, 10, 100, 1000])
        #expect(p.optimizerGradient()! == [1001, 10])
        SGD(learningRate: 0.001).update([p])
        expectClose(p.value.scalars, [-0.001, 1.99, 0, -0.001])
    }
}
