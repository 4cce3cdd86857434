import Testing
import TensorCore

@Test func sameSeedGivesSameSequence() {
    var a = RandomGenerator(seed: 12345), b = RandomGenerator(seed: 12345)
    #expect((0..<100).map { _ in a.next() } == (0..<100).map { _ in b.next() })
    #expect(a.normal(shape: [50]) == b.normal(shape: [50]))
    #expect(a.permutation(30) == b.permutation(30))
}

@Test func differentSeedsDiffer() {
    var a = RandomGenerator(seed: 1), b = RandomGenerator(seed: 2)
    let first = (0..<16).map { _ in a.next() }
    let second = (0..<16).map { _ in b.next() }
    #expect(zip(first, second).allSatisfy { $0 != $1 })
}

@Test(arguments: [0, 1, 2, 10, 1000])
func permutationIsAPermutation(count: Int) {
    var generator = RandomGenerator(seed: UInt64(count))
    let p = generator.permutation(count)
    #expect(p.sorted() == Array(0..<count))
    if count >= 10 { #expect(p != Array(0..<count)) }
}

@Test func uniformSamplesStayInRange() {
    var generator = RandomGenerator(seed: 3)
    let x = generator.uniform(shape: [10_000], low: -2, high: 6)
    #expect(x.scalars.allSatisfy { $0 >= -2 && $0 < 6 })
    #expect(abs(x.mean().scalar - 2) < 0.1)
    #expect((0..<1000).map { _ in generator.nextInt(below: 7) }.allSatisfy { (0..<7).contains($0) })
}

@Test func normalSamplesHaveTheRequestedMoments() {
    var generator = RandomGenerator(seed: 4)
    let x = generator.normal(shape: [50_000], mean: 1.5, standardDeviation: 2)
    let mean = x.mean().scalar
    let deviation = ((x - mean) * (x - mean)).mean().scalar.squareRoot()
    // Standard errors are 2 / sqrt(50000) ~ 0.009 for the mean and ~0.006 for the deviation.
    #expect(abs(mean - 1.5) < 0.04)
    #expect(abs(deviation - 2) < 0.03)
}
