import Foundation
import Testing
import TensorCore

/// `a op b` by the definition: every output index mapped back into both operands.
private func referenceBroadcast(_ a: Tensor, _ b: Tensor, _ op: (Float, Float) -> Float) throws -> Tensor {
    let shape = try broadcastShape(a.shape, b.shape)
    func source(_ index: [Int], _ operand: Tensor) -> Float {
        let aligned = Array(index.suffix(operand.rank))
        let clamped = zip(aligned, operand.shape).map { $1 == 1 ? 0 : $0 }
        return operand.scalars[flatIndex(clamped, in: operand.shape)]
    }
    let values = (0..<Tensor.elementCount(shape)).map { flat in
        let index = multiIndex(flat, in: shape)
        return op(source(index, a), source(index, b))
    }
    return Tensor(shape: shape, scalars: values)
}

@Test func broadcastShapesFollowNumPy() throws {
    #expect(try broadcastShape([8, 1, 6, 1], [7, 1, 5]) == [8, 7, 6, 5])
    #expect(try broadcastShape([2, 3], [3]) == [2, 3])
    #expect(try broadcastShape([], [4, 2]) == [4, 2])
    #expect(try broadcastShape([0, 1], [1, 4]) == [0, 4])
    #expect(try broadcastShape([1], [0]) == [0])
    #expect(throws: TensorError.incompatibleShapes([2, 3], [4])) { try broadcastShape([2, 3], [4]) }
    #expect(throws: TensorError.incompatibleShapes([2, 1], [3, 1])) { try broadcastShape([2, 1], [3, 1]) }
}

/// Operand shape pairs covering equal shapes, scalars, trailing and leading broadcasts, both
/// operands broadcasting, and empty results.
private let shapePairs: [[[Int]]] = [
    [[2, 3], [2, 3]], [[2, 3], []], [[], [2, 3]], [[1, 1], [3]], [[2, 3], [3]], [[2, 3], [2, 1]],
    [[4, 1, 3], [1, 5, 1]], [[3], [2, 1, 3]], [[2, 1, 3, 1], [1, 4, 1, 5]], [[2, 3, 4], [3, 1]],
    [[5, 1], [1, 1]], [[0, 3], [3]], [[2, 0], [2, 1]],
]

@Test("binary operators broadcast like the definition", arguments: shapePairs)
func binaryOperatorsBroadcast(shapes: [[Int]]) throws {
    var generator = RandomGenerator(seed: 5)
    let a = generator.uniform(shape: shapes[0], low: -2, high: 2)
    let b = generator.uniform(shape: shapes[1], low: 0.5, high: 2)
    #expect(a + b == (try referenceBroadcast(a, b, +)))
    #expect(a - b == (try referenceBroadcast(a, b, -)))
    #expect(a * b == (try referenceBroadcast(a, b, *)))
    #expect(a / b == (try referenceBroadcast(a, b, /)))
    #expect(maximum(a, b) == (try referenceBroadcast(a, b, Swift.max)))
    #expect(minimum(b, a) == (try referenceBroadcast(b, a, Swift.min)))
}

@Test func mismatchedShapesStopWithAMessage() async {
    await #expect(processExitsWith: .failure) {
        _ = Tensor(zeros: [2, 3]) + Tensor(zeros: [4])
    }
}

@Test func scalarOperatorsAndNegation() {
    let x = Tensor(shape: [3], scalars: [1, -2, 4])
    #expect((x + 1).scalars == [2, -1, 5])
    #expect((x - 1).scalars == [0, -3, 3])
    #expect((x * 2).scalars == [2, -4, 8])
    #expect((x / 2).scalars == [0.5, -1, 2])
    #expect((1 + x).scalars == [2, -1, 5])
    #expect((1 - x).scalars == [0, 3, -3])
    #expect((2 * x).scalars == [2, -4, 8])
    #expect((4 / x).scalars == [4, -2, 1])
    #expect((-x).scalars == [-1, 2, -4])
    #expect((x + Tensor(10)).shape == [3])
}

@Test func compoundAssignmentUpdatesInPlace() {
    var x = Tensor(shape: [2, 3], scalars: (1...6).map(Float.init))
    let storage = x.scalars.withUnsafeBufferPointer { $0.baseAddress }
    x += Tensor(shape: [2, 3], scalars: [1, 1, 1, 1, 1, 1])
    x *= 2
    x -= Tensor(shape: [1, 1], scalars: [1])
    x.scalars[0] = 0
    #expect(x.scalars == [0, 5, 7, 9, 11, 13])
    #expect(x.scalars.withUnsafeBufferPointer { $0.baseAddress } == storage)

    x -= Tensor(shape: [3], scalars: [1, 2, 3])
    x /= Tensor(shape: [2, 1], scalars: [1, 2])
    #expect(x == Tensor(shape: [2, 3], scalars: [-1, 3, 4, 4, 4.5, 5]))

    // Copies share storage until written, and a write leaves the other copy alone.
    let copy = x
    x += 1
    #expect(copy.scalars[0] == -1 && x.scalars[0] == 0)
}

@Test func elementwiseFunctions() {
    let x = Tensor(shape: [4], scalars: [0, 1, 4, -1])
    #expect(exp(x).scalars == [1, Foundation.exp(Float(1)), Foundation.exp(Float(4)), Foundation.exp(Float(-1))])
    let logs = log(x).scalars
    #expect(logs[0] == -.infinity && logs[1] == 0 && logs[2] == Foundation.log(Float(4)) && logs[3].isNaN)
    let roots = sqrt(x).scalars
    #expect(roots[0...2] == [0, 1, 2] && roots[3].isNaN)
    #expect(abs(x).scalars == [0, 1, 4, 1])
    #expect(maximum(x, 0.5).scalars == [0.5, 1, 4, 0.5])
    #expect(minimum(x, 0.5).scalars == [0, 0.5, 0.5, -1])
    #expect(clamp(x, min: 0, max: 2).scalars == [0, 1, 2, 0])
    #expect(x.map { $0 * $0 }.scalars == [0, 1, 16, 1])
}

@Test func nanPropagatesThroughMaximumMinimumAndClamp() {
    let x = Tensor(shape: [2], scalars: [.nan, 1])
    let y = Tensor(shape: [2], scalars: [0, .nan])
    #expect(maximum(x, y).scalars.allSatisfy { $0.isNaN })
    #expect(minimum(x, y).scalars.allSatisfy { $0.isNaN })
    #expect(maximum(x, 5).scalars[0].isNaN)
    #expect(clamp(x, min: 0, max: 1).scalars[0].isNaN)
}
