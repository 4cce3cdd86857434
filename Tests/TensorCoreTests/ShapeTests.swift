import Testing
import TensorCore

@Test func reshapeInfersOneExtent() {
    let x = Tensor(shape: [2, 3, 4], scalars: (0..<24).map(Float.init))
    #expect(x.reshaped([6, -1]).shape == [6, 4])
    #expect(x.reshaped([-1]).shape == [24])
    #expect(x.reshaped([4, 3, 2]).scalars == x.scalars)
    #expect(Tensor(zeros: [0, 3]).reshaped([3, -1]).shape == [3, 0])
    #expect(Tensor(7).reshaped([1, 1]).shape == [1, 1])
}

@Test(arguments: [[1, 1], [1, 7], [7, 1], [33, 70], [64, 32], [0, 5]])
func matrixTranspose(shape: [Int]) {
    var generator = RandomGenerator(seed: 2)
    let x = generator.uniform(shape: shape)
    let t = x.transposed()
    #expect(t.shape == [shape[1], shape[0]])
    for i in 0..<shape[0] {
        for j in 0..<shape[1] { #expect(t[j, i] == x[i, j]) }
    }
    #expect(x.transposed(permutation: [1, 0]) == t)
    #expect(t.transposed() == x)
}

@Test(arguments: [[0, 1, 2], [2, 0, 1], [1, 2, 0], [0, 2, 1]])
func permutedAxes(permutation: [Int]) {
    var generator = RandomGenerator(seed: 4)
    let x = generator.uniform(shape: [2, 3, 4])
    let y = x.transposed(permutation: permutation)
    #expect(y.shape == permutation.map { x.shape[$0] })
    for flat in 0..<y.count {
        let index = multiIndex(flat, in: y.shape)
        var source = [0, 0, 0]
        for (axis, original) in permutation.enumerated() { source[original] = index[axis] }
        #expect(y.scalars[flat] == x[source[0], source[1], source[2]])
    }
}

@Test func fourDimensionalPermutationRoundTrips() {
    var generator = RandomGenerator(seed: 8)
    let nchw = generator.uniform(shape: [2, 3, 4, 5])
    let nhwc = nchw.transposed(permutation: [0, 2, 3, 1])
    #expect(nhwc.shape == [2, 4, 5, 3])
    #expect(nhwc[1, 2, 3, 0] == nchw[1, 0, 2, 3])
    #expect(nhwc.transposed(permutation: [0, 3, 1, 2]) == nchw)
}

@Test func rowsSliceTheFirstAxis() {
    let x = Tensor(shape: [4, 2], scalars: [0, 1, 2, 3, 4, 5, 6, 7])
    #expect(x.rows(1..<3) == Tensor(shape: [2, 2], scalars: [2, 3, 4, 5]))
    #expect(x.rows(3...) == Tensor(shape: [1, 2], scalars: [6, 7]))
    #expect(x.rows(..<0).shape == [0, 2])
    #expect(Tensor(shape: [3], scalars: [1, 2, 3]).rows(1...2).scalars == [2, 3])
}

@Test func concatenationJoinsTheFirstAxis() {
    let a = Tensor(shape: [1, 2], scalars: [1, 2])
    let b = Tensor(shape: [2, 2], scalars: [3, 4, 5, 6])
    let empty = Tensor(zeros: [0, 2])
    #expect(Tensor(concatenating: [a, empty, b]) == Tensor(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6]))
    #expect(Tensor(concatenating: [b]) == b)
    let x = Tensor(shape: [5, 3], scalars: (0..<15).map(Float.init))
    #expect(Tensor(concatenating: [x.rows(0..<2), x.rows(2...)]) == x)
}
