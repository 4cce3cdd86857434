import Testing
import TensorCore
@testable import NN

@Suite("Permute, Identity and global pooling")
struct AxisLayerTests {
    @Test func permuteValues() {
        // One 2x3 example, transposed.
        let x = Variable(Tensor(shape: [1, 2, 3], scalars: [1, 2, 3, 4, 5, 6]))
        let layer = Permute([2, 1])
        #expect(layer.outputShape(for: [2, 3]) == [3, 2])
        #expect(layer(x).value.scalars == [1, 4, 2, 5, 3, 6])
        #expect(Permute([3, 1, 2]).outputShape(for: [4, 5, 6]) == [6, 4, 5])
    }

    @Test func permuteGradients() {
        let x = Variable(randomTensor([2, 3, 4, 5], seed: 1), requiresGrad: true)
        let layer = Permute([3, 1, 2])
        let y = layer(x)
        #expect(y.shape == [2, 5, 3, 4] && y.value[1, 4, 2, 3] == x.value[1, 2, 3, 4])
        checkGradients([CheckTarget("x", x)]) { layer(x, training: true) }
    }

    @Test func identity() {
        let x = Variable(randomTensor([2, 3], seed: 2))
        #expect(Identity()(x) === x && Identity().outputShape(for: [3]) == [3])
    }

    @Test func globalMaxPoolValuesAndTies() {
        // Two pixels of three channels: the maximum per channel, ties going to the first pixel.
        let x = Variable(Tensor(shape: [1, 1, 2, 3], scalars: [1, 5, 2, 3, 5, -1]), requiresGrad: true)
        let y = GlobalMaxPool2D()(x)
        #expect(y.value.scalars == [3, 5, 2] && y.shape == [1, 3])
        y.backward(seed: Tensor(shape: [1, 3], scalars: [10, 20, 30]))
        #expect(x.grad!.scalars == [0, 20, 30, 10, 0, 0])
    }

    @Test(arguments: [false, true])
    func globalPooling(_ keepDims: Bool) {
        let x = Variable(randomTensor([3, 4, 5, 6], seed: 3), requiresGrad: true)
        for layer: any Layer in [GlobalMaxPool2D(keepDims: keepDims), GlobalAveragePool2D(keepDims: keepDims)] {
            let y = layer(x)
            #expect(Array(y.shape.dropFirst()) == layer.outputShape(for: [4, 5, 6]))
            #expect(y.shape == (keepDims ? [3, 1, 1, 6] : [3, 6]))
            x.zeroGrad()
            checkGradients([CheckTarget("x of \(layer)", x)]) { layer(x, training: true) }
        }
        var largest = -Float.infinity
        for i in 0..<4 { for j in 0..<5 { largest = max(largest, x.value[2, i, j, 4]) } }
        #expect(GlobalMaxPool2D()(x).value[2, 4] == largest)
    }

    @Test func globalMaxPoolAcrossWorkers() {
        let x = Variable(randomTensor([16, 16, 16, 32], seed: 4), requiresGrad: true)
        checkGradients([CheckTarget("x", x)], samples: 8) { GlobalMaxPool2D(keepDims: true)(x, training: true) }
    }
}
