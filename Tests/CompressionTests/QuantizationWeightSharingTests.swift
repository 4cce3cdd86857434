import Compression
import NN
import TensorCore
import Testing

@Suite("k-means weight sharing")
struct QuantizationWeightSharingTests {
    func kernel(_ shape: [Int], seed: UInt64) -> Parameter {
        var generator = RandomGenerator(seed: seed)
        return Parameter(name: "kernel", value: generator.normal(shape: shape, standardDeviation: 0.1))
    }

    func distinct(_ values: [Float]) -> Int { Set(values).count }

    @Test("every bit width from 1 to 16 gives at most 2^bits shared values", arguments: 1...16)
    func everyBitWidth(bits: Int) throws {
        let parameter = kernel([40, 50], seed: UInt64(bits))
        let outcome = try #require(try WeightSharing(bits: bits).apply(to: parameter))
        let codebook = try #require(parameter.codebook)
        #expect(outcome.centroidCount == codebook.centroids.count)
        #expect(codebook.centroids.count <= 1 << bits)
        #expect(distinct(parameter.value.scalars) <= 1 << bits)
        #expect(parameter.value == codebook.decoded(shape: parameter.shape))
        // 2000 weights: wide codebooks keep them all exactly.
        if 1 << bits >= 2000 { #expect(outcome.objective == 0) }
    }

    @Test("more bits never give a worse fit")
    func moreBitsFitBetter() throws {
        var previous = Double.infinity
        for bits in 1...8 {
            let parameter = kernel([30, 30], seed: 2)
            let outcome = try #require(try WeightSharing(bits: bits).apply(to: parameter))
            #expect(outcome.objective < previous)
            previous = outcome.objective
        }
    }

    @Test("bits outside 1...16 are errors", arguments: [0, -1, 17, 32])
    func badBits(bits: Int) {
        #expect(throws: CompressionError.self) { try WeightSharing(bits: bits) }
    }

    @Test("a constant layer and a one-weight layer keep their values exactly")
    func constantAndSingleWeight() throws {
        for parameter in [Parameter(name: "kernel", value: Tensor(repeating: 0.3, shape: [5, 4])),
                          Parameter(name: "kernel", value: Tensor(shape: [1, 1], scalars: [-0.7]))] {
            let before = parameter.value
            for bits in [1, 5, 16] {
                let outcome = try #require(try WeightSharing(bits: bits).apply(to: parameter))
                #expect(outcome.centroidCount == 1)
                #expect(parameter.value == before)
            }
        }
    }

    @Test("a pruned layer clusters only its kept weights; the zeros stay with their mask")
    func prunedLayer() throws {
        let parameter = kernel([20, 10], seed: 5)
        var generator = RandomGenerator(seed: 6)
        let mask = Tensor(shape: [20, 10], scalars: (0..<200).map { _ in generator.nextUnitFloat() < 0.3 ? 1 : 0 })
        parameter.mask = mask
        parameter.applyMask()
        try WeightSharing(bits: 2).apply(to: parameter)
        let codebook = try #require(parameter.codebook)
        #expect(parameter.mask == mask)
        #expect(codebook.centroids.count == 4)
        #expect(!codebook.centroids.contains(0))
        for i in 0..<200 {
            #expect((codebook.assignments[i] == -1) == (mask.scalars[i] == 0))
            #expect((parameter.value.scalars[i] == 0) == (mask.scalars[i] == 0))
        }
        // Four shared values for the kept weights, plus the zero of the pruned ones.
        #expect(distinct(parameter.value.scalars) == 5)
    }

    @Test("a layer with every weight pruned is left alone")
    func fullyPruned() throws {
        let parameter = kernel([3, 3], seed: 7)
        parameter.mask = Tensor(zeros: [3, 3])
        parameter.applyMask()
        #expect(try WeightSharing(bits: 4).apply(to: parameter) == nil)
        #expect(parameter.codebook == nil)
    }

    @Test("fine-tuning moves the centroids, keeps assignments, masks and at most 2^bits values")
    func fineTuningKeepsTheCodebook() throws {
        var generator = RandomGenerator(seed: 8)
        let layer = Dense(inputCount: 12, units: 6, generator: &generator)
        let mask = Tensor(shape: [12, 6], scalars: (0..<72).map { $0 % 3 == 0 ? 0 : 1 })
        layer.kernel.mask = mask
        layer.kernel.applyMask()
        try WeightSharing(bits: 2, initialization: .density).apply(to: layer.kernel)
        let before = try #require(layer.kernel.codebook)
        let optimizer = SGD(learningRate: 0.05, momentum: 0.9)
        for _ in 0..<5 {
            let x = Variable(generator.normal(shape: [8, 12]))
            let target = Variable(generator.normal(shape: [8, 6]))
            let difference = layer(x) - target
            (difference * difference).sum().backward()
            optimizer.update(layer.parameters)
        }
        let after = try #require(layer.kernel.codebook)
        #expect(after.assignments == before.assignments)
        #expect(after.centroids != before.centroids)
        let values = layer.kernel.value.scalars
        #expect(Set(values.filter { $0 != 0 }).count <= 4)
        for i in 0..<72 where mask.scalars[i] == 0 { #expect(values[i] == 0) }
        #expect(layer.kernel.value == after.decoded(shape: [12, 6]))
    }
}
