import NN
import Testing
import TensorCore
@testable import ModelIO

/// `count` images of shape [2, 2, 1] whose four pixels all equal the example's index; label = index % 10.
func indexedDataset(count: Int) -> Dataset {
    let scalars = (0..<count).flatMap { [Float](repeating: Float($0), count: 4) }
    return Dataset(images: Tensor(shape: [count, 2, 2, 1], scalars: scalars),
                   labels: (0..<count).map { Int32($0 % 10) })
}

/// The example indices a batch holds, read back from its pixels.
func exampleIndices(_ batch: Batch) -> [Int] {
    stride(from: 0, to: batch.inputs.count, by: 4).map { Int(batch.inputs.scalars[$0]) }
}

@Suite("Minibatches")
struct BatchTests {
    @Test func sameSeedSameOrderEveryIndexOnce() {
        let a = Minibatches.permutation(count: 1000, seed: 42, epoch: 3)
        let b = Minibatches.permutation(count: 1000, seed: 42, epoch: 3)
        #expect(a == b)
        #expect(a.sorted() == Array(0..<1000))
        #expect(a != Array(0..<1000))
    }

    @Test func epochsAndSeedsGiveDifferentOrders() {
        let orders = (0..<5).map { Minibatches.permutation(count: 500, seed: 7, epoch: $0) }
        for i in 0..<orders.count {
            #expect(orders[i].sorted() == Array(0..<500))
            for j in (i + 1)..<orders.count { #expect(orders[i] != orders[j]) }
        }
        #expect(Minibatches.permutation(count: 500, seed: 8, epoch: 0) != orders[0])
    }

    @Test func orderIsPinnedAcrossRuns() {
        // Guards the derivation of the per-epoch seed: changing it changes every training run.
        #expect(Minibatches.permutation(count: 8, seed: 1, epoch: 0) == [3, 6, 7, 2, 1, 0, 5, 4])
        #expect(Minibatches.permutation(count: 8, seed: 1, epoch: 1) == [2, 5, 4, 7, 3, 6, 1, 0])
        let batches = Minibatches(indexedDataset(count: 8), batchSize: 8, seed: 1, epoch: 0)
        #expect(batches.order == Minibatches.permutation(count: 8, seed: 1, epoch: 0))
    }

    @Test func batchesCoverTheEpochWithPartialLastBatch() {
        let dataset = indexedDataset(count: 10)
        let batches = Minibatches(dataset, batchSize: 4, seed: 3, epoch: 1)
        #expect(batches.count == 3)
        let all = Array(batches)
        #expect(all.map(\.count) == [4, 4, 2])
        #expect(all.map { $0.inputs.shape } == [[4, 2, 2, 1], [4, 2, 2, 1], [2, 2, 2, 1]])
        let visited = all.flatMap(exampleIndices)
        #expect(visited == batches.order)
        #expect(visited.sorted() == Array(0..<10))
        for batch in all {
            #expect(batch.labels == exampleIndices(batch).map { Int32($0 % 10) })
        }
    }

    @Test func dropLastLeavesOutThePartialBatch() {
        let batches = Minibatches(indexedDataset(count: 10), batchSize: 4, seed: 3, epoch: 1, dropLast: true)
        #expect(batches.count == 2)
        #expect(Array(batches).map(\.count) == [4, 4])
        #expect(Minibatches(indexedDataset(count: 3), batchSize: 4, seed: 0, dropLast: true).count == 0)
        #expect(Array(Minibatches(indexedDataset(count: 8), batchSize: 4, seed: 0, dropLast: true)).count == 2)
    }

    @Test func withoutSeedTheOrderIsKept() {
        let batches = Minibatches(indexedDataset(count: 7), batchSize: 3, seed: nil)
        #expect(Array(batches).flatMap(exampleIndices) == Array(0..<7))
        #expect(Array(Minibatches(indexedDataset(count: 7), batchSize: 100, seed: nil)).map(\.count) == [7])
    }

    @Test func prefetchingYieldsTheSameBatches() {
        let dataset = indexedDataset(count: 103)
        for dropLast in [false, true] {
            let batches = Minibatches(dataset, batchSize: 10, seed: 11, epoch: 2, dropLast: dropLast)
            #expect(Array(batches.prefetched()).map(\.inputs) == Array(batches).map(\.inputs))
            #expect(Array(batches.prefetched()).map(\.labels) == Array(batches).map(\.labels))
        }
        #expect(Array(Minibatches(indexedDataset(count: 0), batchSize: 4, seed: 1).prefetched()).isEmpty)
    }

    @Test func prefetchingIteratorCanBeAbandoned() {
        let batches = Minibatches(indexedDataset(count: 50), batchSize: 5, seed: 1)
        for _ in 0..<20 {
            let iterator = batches.prefetched().makeIterator()
            #expect(iterator.next()?.inputs == batches.batch(0).inputs)
        }
    }

    @Test func prefetchingOverlapsWork() {
        // The consumer's "compute" and the producer's gathering run concurrently; the result is
        // unchanged whatever the interleaving.
        let batches = Minibatches(indexedDataset(count: 200), batchSize: 8, seed: 5)
        var seen: [Int] = []
        for batch in batches.prefetched() {
            var sink: Float = 0
            for x in batch.inputs.scalars { sink += x.squareRoot() }
            #expect(sink >= 0)
            seen += exampleIndices(batch)
        }
        #expect(seen == batches.order)
    }
}
