import Testing
import TensorCore
@testable import NN

@Suite("Cropping and upsampling")
struct ResizingLayerTests {
    @Test func croppingValues() {
        // One 3x4 image of one channel: 0 ... 11.
        let x = Variable(Tensor(shape: [1, 3, 4, 1], scalars: (0..<12).map(Float.init)))
        let layer = Cropping2D(top: 1, bottom: 0, left: 1, right: 2)
        #expect(layer.outputShape(for: [3, 4, 1]) == [2, 1, 1])
        #expect(layer(x).value.scalars == [5, 9])
        #expect(Cropping2D(height: 1, width: 1)(x).value.scalars == [5, 6])
        #expect(Cropping2D(1).outputShape(for: [5, 6, 2]) == [3, 4, 2])
    }

    @Test(arguments: [(0, 0, 0, 0), (1, 2, 0, 1), (2, 0, 3, 1)])
    func croppingGradients(_ top: Int, _ bottom: Int, _ left: Int, _ right: Int) {
        let x = Variable(randomTensor([2, 5, 6, 3], seed: 1), requiresGrad: true)
        let layer = Cropping2D(top: top, bottom: bottom, left: left, right: right)
        let y = layer(x)
        #expect(Array(y.shape.dropFirst()) == layer.outputShape(for: [5, 6, 3]))
        #expect(y.value[1, 0, 0, 2] == x.value[1, top, left, 2])
        checkGradients([CheckTarget("x", x)]) { layer(x, training: true) }
    }

    @Test func upSamplingValues() {
        let x = Variable(Tensor(shape: [1, 2, 2, 1], scalars: [1, 2, 3, 4]))
        #expect(UpSampling2D()(x).value.scalars == [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4])
        let y = UpSampling2D(size: Size2D(1, 3))(x)
        #expect(y.shape == [1, 2, 6, 1])
        #expect(y.value.scalars == [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4])
        #expect(UpSampling2D(size: Size2D(3, 2)).outputShape(for: [4, 5, 6]) == [12, 10, 6])
    }

    @Test(arguments: [Size2D(2), Size2D(3, 1), Size2D(1, 2)])
    func upSamplingGradients(_ size: Size2D) {
        let x = Variable(randomTensor([2, 3, 4, 3], seed: 2), requiresGrad: true)
        let layer = UpSampling2D(size: size)
        checkGradients([CheckTarget("x", x)]) { layer(x, training: true) }
    }

    @Test func largeInputsAcrossWorkers() {
        let x = Variable(randomTensor([8, 16, 16, 16], seed: 3), requiresGrad: true)
        checkGradients([CheckTarget("x", x)], samples: 8) {
            Cropping2D(top: 1, bottom: 2, left: 3, right: 0)(UpSampling2D()(x), training: true)
        }
    }
}
