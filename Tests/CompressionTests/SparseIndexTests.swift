import Compression
import TensorCore
import Testing

@Suite("Sparse relative index")
struct SparseIndexTests {
    @Test("gaps, a filler for a long gap and trailing fillers, as in the documentation")
    func documentedExample() throws {
        let index = SparseRelativeIndex(indexBits: 3)
        let gaps = index.encode(keptSteps: [1, 12], stepCount: 30)
        #expect(gaps == [1, 7, 3, 7, 7])
        #expect(try index.decode(gaps, stepCount: 30, field: "t") == [1, 12])
    }

    @Test("a gap of exactly M needs no filler; M + 1 needs one")
    func boundaries() {
        let index = SparseRelativeIndex(indexBits: 2)   // M = 3
        #expect(index.encode(keptSteps: [2], stepCount: 3) == [2])
        #expect(index.encode(keptSteps: [3], stepCount: 4) == [3, 0])
        #expect(index.encode(keptSteps: [], stepCount: 2) == [])
        #expect(index.encode(keptSteps: [], stepCount: 3) == [3])
    }

    @Test("random masks round-trip for every index width", arguments: SparseRelativeIndex.indexBitsRange)
    func roundTrip(bits: Int) throws {
        var generator = RandomGenerator(seed: UInt64(bits))
        let index = SparseRelativeIndex(indexBits: bits)
        for density in [0.0, 0.001, 0.08, 0.5, 1.0] {
            let count = 1 + generator.nextInt(below: 20_000)
            let kept = (0..<count).filter { _ in Double(generator.nextInt(below: 1_000_000)) < density * 1_000_000 }
            let gaps = index.encode(keptSteps: kept, stepCount: count)
            #expect(gaps.allSatisfy { Int($0) < index.alphabetSize })
            #expect(gaps.count <= kept.count + count / index.filler + 1)
            #expect(try index.decode(gaps, stepCount: count, field: "t") == kept)
        }
    }

    @Test("a gap past the end, a symbol too wide or a stream stopping short is an error")
    func inconsistent() {
        let index = SparseRelativeIndex(indexBits: 3)
        #expect(throws: EncodedDataError.self) { try index.decode([6, 6], stepCount: 10, field: "t") }
        #expect(throws: EncodedDataError.self) { try index.decode([9], stepCount: 10, field: "t") }
        #expect(throws: EncodedDataError.self) { try index.decode([0], stepCount: 30, field: "t") }
    }

    @Test("the transposed order visits every element once, outputs of one input last")
    func transposedOrder() {
        let order = ElementOrder.transposed(rows: 3, columns: 4)
        let visited = (0..<12).map(order.element(at:))
        #expect(visited == [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11])
        #expect(ElementOrder.rowMajor.element(at: 7) == 7)
    }
}
