import Testing
import TensorCore
@testable import NN

@Suite("Merge layers")
struct MergeLayerTests {
    @Test func elementwiseValues() {
        let a = Variable(Tensor(shape: [1, 4], scalars: [1, -2, 3, 0.5]))
        let b = Variable(Tensor(shape: [1, 4], scalars: [2, -3, -1, 0.5]))
        let c = Variable(Tensor(shape: [1, 4], scalars: [0, 1, 2, -4]))
        #expect(Add()([a, b, c]).value.scalars == [3, -4, 4, -3])
        #expect(Subtract()([a, b]).value.scalars == [-1, 1, 4, 0])
        #expect(Multiply()([a, b, c]).value.scalars == [0, 6, -6, -1])
        #expect(Average()([a, b]).value.scalars == [1.5, -2.5, 1, 0.5])
        #expect(Maximum()([a, b, c]).value.scalars == [2, 1, 3, 0.5])
        #expect(Minimum()([a, b, c]).value.scalars == [0, -3, -1, -4])
    }

    @Test func repeatedAxesBroadcast() {
        // [1, 2, 2, 2] scaled by [1, 1, 1, 2], as a squeeze-and-excitation block does.
        let x = Variable(Tensor(shape: [1, 2, 2, 2], scalars: [1, 2, 3, 4, 5, 6, 7, 8]))
        let s = Variable(Tensor(shape: [1, 1, 1, 2], scalars: [10, -1]))
        #expect(Multiply()([x, s]).value.scalars == [10, -2, 30, -4, 50, -6, 70, -8])
        #expect(Add()([s, x]).value.scalars == [11, 1, 13, 3, 15, 5, 17, 7])
        // A whole row repeated: [1, 2, 1, 2] + [1, 2, 3, 1].
        let column = Variable(Tensor(shape: [1, 2, 1], scalars: [100, 200]))
        let row = Variable(Tensor(shape: [1, 1, 3], scalars: [1, 2, 3]))
        #expect(Add()([column, row]).value.scalars == [101, 102, 103, 201, 202, 203])
    }

    @Test(arguments: ElementwiseOperation.allCases)
    func elementwiseGradients(_ operation: ElementwiseOperation) {
        let count = operation == .subtract ? 2 : 3
        // Inputs a fixed 0.25 or more apart at every element, the order changing from element to
        // element, so maximum and minimum have no near ties.
        let base = randomTensor([2, 3, 2, 4], seed: 1)
        let inputs = (0..<count).map { k in
            var t = base
            for j in 0..<t.count { t.scalars[j] += 0.25 * Float((j + 2 * k) % count) }
            return Variable(t, requiresGrad: true)
        }
        checkGradients(inputs.enumerated().map { CheckTarget("x\($0.offset)", $0.element) }) {
            elementwise(operation, inputs)
        }
    }

    @Test(arguments: [ElementwiseOperation.add, .multiply, .average, .subtract])
    func broadcastGradients(_ operation: ElementwiseOperation) {
        let x = Variable(randomTensor([2, 3, 4, 5], seed: 2), requiresGrad: true)
        let s = Variable(randomTensor([2, 1, 1, 5], seed: 3), requiresGrad: true)
        let column = Variable(randomTensor([2, 3, 4, 1], seed: 4), requiresGrad: true)
        let inputs = operation == .subtract ? [s, x] : [x, s, column]
        checkGradients(inputs.enumerated().map { CheckTarget("x\($0.offset)", $0.element) }) {
            elementwise(operation, inputs)
        }
    }

    @Test func tiesSendTheGradientToTheFirstInput() {
        let a = Variable(Tensor(shape: [1, 2], scalars: [1, 5]), requiresGrad: true)
        let b = Variable(Tensor(shape: [1, 2], scalars: [1, 7]), requiresGrad: true)
        Maximum()([a, b]).backward(seed: Tensor(shape: [1, 2], scalars: [3, 4]))
        #expect(a.grad!.scalars == [3, 0] && b.grad!.scalars == [0, 4])
    }

    @Test func sameInputTwice() {
        let a = Variable(randomTensor([3, 4], seed: 5), requiresGrad: true)
        checkGradients([CheckTarget("a", a)]) { Multiply()([a, a]) }
    }

    @Test func elementwiseShapes() throws {
        #expect(try Add().outputShape(for: [[4, 4, 8], [4, 4, 8], [4, 4, 8]]) == [4, 4, 8])
        #expect(try Multiply().outputShape(for: [[4, 4, 8], [1, 1, 8]]) == [4, 4, 8])
        #expect(throws: LayerShapeError(layer: "Add", "input shapes [[4, 4, 8], [4, 4, 6]] differ (each axis must match or be 1)")) {
            try Add().outputShape(for: [[4, 4, 8], [4, 4, 6]])
        }
        #expect(throws: LayerShapeError.self) { try Maximum().outputShape(for: [[8], [4, 8]]) }
        #expect(throws: LayerShapeError.self) { try Subtract().outputShape(for: [[8], [8], [8]]) }
        #expect(throws: LayerShapeError.self) { try Average().outputShape(for: []) }
        #expect(Minimum().description == "Minimum()")
    }

    @Test func concatenateValues() throws {
        let a = Variable(Tensor(shape: [2, 1, 2], scalars: [1, 2, 3, 4]))
        let b = Variable(Tensor(shape: [2, 1, 1], scalars: [5, 6]))
        #expect(Concatenate()([a, b]).value.scalars == [1, 2, 5, 3, 4, 6])
        #expect(Concatenate()([a, b]).shape == [2, 1, 3])
        let c = Variable(Tensor(shape: [2, 2, 2], scalars: [7, 8, 9, 10, 11, 12, 13, 14]))
        let joined = Concatenate(axis: 1)([a, c])
        #expect(joined.shape == [2, 3, 2])
        #expect(joined.value.scalars == [1, 2, 7, 8, 9, 10, 3, 4, 11, 12, 13, 14])
    }

    @Test(arguments: [-1, 3, 1, 2])
    func concatenateGradients(_ axis: Int) {
        var shapes = [[2, 3, 4, 2], [2, 3, 4, 2], [2, 3, 4, 2]]
        let a = axis < 0 ? 3 : axis
        for i in shapes.indices { shapes[i][a] = i + 1 }
        let inputs = shapes.enumerated().map { Variable(randomTensor($0.element, seed: UInt64(10 + $0.offset)), requiresGrad: true) }
        let layer = Concatenate(axis: axis)
        let y = layer(inputs)
        #expect(Array(y.shape.dropFirst()) == (try? layer.outputShape(for: shapes.map { Array($0.dropFirst()) })))
        checkGradients(inputs.enumerated().map { CheckTarget("x\($0.offset)", $0.element) }) { layer(inputs, training: true) }
    }

    @Test func concatenateShapes() throws {
        #expect(try Concatenate().outputShape(for: [[4, 4, 8], [4, 4, 16]]) == [4, 4, 24])
        #expect(try Concatenate(axis: 1).outputShape(for: [[4, 4, 8], [2, 4, 8]]) == [6, 4, 8])
        #expect(try Concatenate(axis: -3).outputShape(for: [[4, 4, 8], [2, 4, 8]]) == [6, 4, 8])
        #expect(throws: LayerShapeError.self) { try Concatenate().outputShape(for: [[4, 4, 8], [4, 2, 8]]) }
        #expect(throws: LayerShapeError.self) { try Concatenate().outputShape(for: [[4, 4, 8], [4, 8]]) }
        #expect(throws: LayerShapeError.self) { try Concatenate(axis: 0).outputShape(for: [[4], [4]]) }
        #expect(throws: LayerShapeError.self) { try Concatenate(axis: 4).outputShape(for: [[4, 4, 8], [4, 4, 8]]) }
    }

    @Test func largeInputsAcrossWorkers() {
        // Enough rows to be split across workers.
        let x = Variable(randomTensor([8, 16, 16, 32], seed: 20), requiresGrad: true)
        let y = Variable(randomTensor([8, 16, 16, 32], seed: 21), requiresGrad: true)
        let sum = Add()([x, y])
        #expect(sum.value.scalars == zip(x.value.scalars, y.value.scalars).map { $0 + $1 })
        checkGradients([CheckTarget("x", x), CheckTarget("y", y)], samples: 8) {
            Concatenate()([Multiply()([x, y]), x])
        }
    }
}
