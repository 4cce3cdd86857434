import Testing
import TensorCore

/// Reduces `x` along `axis` by the definition, giving the reduced shape (axis removed) and one
/// array of the values met along the axis per output position.
private func valuesAlongAxis(_ x: Tensor, _ axis: Int) -> (shape: [Int], groups: [[Float]]) {
    var shape = x.shape
    shape.remove(at: axis)
    let groups = (0..<Tensor.elementCount(shape)).map { flat in
        var index = multiIndex(flat, in: shape)
        index.insert(0, at: axis)
        return (0..<x.shape[axis]).map { j in
            index[axis] = j
            return x.scalars[flatIndex(index, in: x.shape)]
        }
    }
    return (shape, groups)
}

@Test("axis reductions match the definition", arguments: [0, 1, 2, -1])
func axisReductions(axis: Int) {
    var generator = RandomGenerator(seed: 9)
    let x = generator.uniform(shape: [3, 4, 5], low: -1, high: 1)
    let (shape, groups) = valuesAlongAxis(x, (axis + 3) % 3)
    var kept = x.shape
    kept[(axis + 3) % 3] = 1

    let sums = groups.map { Float($0.reduce(0.0) { $0 + Double($1) }) }
    #expect(x.sum(alongAxis: axis) == Tensor(shape: shape, scalars: sums))
    #expect(x.sum(alongAxis: axis, keepDims: true) == Tensor(shape: kept, scalars: sums))
    let means = groups.map { Float($0.reduce(0.0) { $0 + Double($1) } / Double($0.count)) }
    #expect(x.mean(alongAxis: axis) == Tensor(shape: shape, scalars: means))
    #expect(x.max(alongAxis: axis, keepDims: true) == Tensor(shape: kept, scalars: groups.map { $0.max()! }))
    #expect(x.min(alongAxis: axis) == Tensor(shape: shape, scalars: groups.map { $0.min()! }))
    #expect(x.argmax(alongAxis: axis) == groups.map { $0.firstIndex(of: $0.max()!)! })
}

@Test func fullReductions() {
    let x = Tensor(shape: [2, 3], scalars: [1, 5, -2, 5, 0, 3])
    #expect(x.sum() == Tensor(12))
    #expect(x.sum(keepDims: true) == Tensor(shape: [1, 1], scalars: [12]))
    #expect(x.mean().scalar == 2)
    #expect(x.max().scalar == 5)
    #expect(x.min(keepDims: true) == Tensor(shape: [1, 1], scalars: [-2]))
    #expect(x.argmax() == 1)
    #expect(x.argmax(alongAxis: 0) == [1, 0, 1])
    #expect(x.argmax(alongAxis: 1) == [1, 0])
    #expect(Tensor(shape: [2, 2], scalars: [3, 0, 0, 4]).frobeniusNorm == 5)
}

@Test func reductionsOfEmptyTensors() {
    #expect(Tensor(zeros: [0, 3]).sum().scalar == 0)
    #expect(Tensor(zeros: [0, 3]).mean().scalar.isNaN)
    #expect(Tensor(zeros: [0, 3]).sum(alongAxis: 0) == Tensor(zeros: [3]))
    #expect(Tensor(zeros: [0, 3]).mean(alongAxis: 0).scalars.allSatisfy { $0.isNaN })
    #expect(Tensor(zeros: [0, 3]).max(alongAxis: 1) == Tensor(zeros: [0]))
}

@Test func nanWinsMaxAndArgmax() {
    let x = Tensor(shape: [2, 3], scalars: [1, .nan, 3, 4, 5, .nan])
    #expect(x.max().scalar.isNaN)
    #expect(x.min().scalar.isNaN)
    #expect(x.argmax() == 1)
    #expect(x.argmax(alongAxis: 1) == [1, 2])
    #expect(x.argmax(alongAxis: 0) == [1, 0, 1])
}
