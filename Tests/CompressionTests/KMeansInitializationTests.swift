import Compression
import TensorCore
import Testing

@Suite("k-means centroid initialisation")
struct KMeansInitializationTests {
    let sorted: [Float] = {
        var generator = RandomGenerator(seed: 11)
        return generator.normal(shape: [1000]).scalars.sorted()
    }()

    @Test("linear spaces centroids evenly from the smallest to the largest value")
    func linear() {
        let centroids = CentroidInitialization.linear.centroids(count: 5, sortedValues: [-2, 0, 1, 6], seed: 1)
        #expect(centroids == [-2, 0, 2, 4, 6])
    }

    @Test("density places centroids at quantiles, crowding where the values are")
    func density() {
        let centroids = CentroidInitialization.density.centroids(count: 4, sortedValues: sorted, seed: 1)
        #expect(centroids == [sorted[125], sorted[375], sorted[625], sorted[875]])
        let linear = CentroidInitialization.linear.centroids(count: 16, sortedValues: sorted, seed: 1)
        let dense = CentroidInitialization.density.centroids(count: 16, sortedValues: sorted, seed: 1)
        #expect(dense.filter { abs($0) < 1 }.count > linear.filter { abs($0) < 1 }.count)
    }

    @Test("random and kmeans++ pick distinct data values, ascending, the same for the same seed",
          arguments: [CentroidInitialization.random, .kmeansPlusPlus])
    func seeded(initialization: CentroidInitialization) {
        let first = initialization.centroids(count: 32, sortedValues: sorted, seed: 7)
        #expect(first.count == 32)
        #expect(Set(first).count == 32)
        #expect(first == first.sorted())
        #expect(first.allSatisfy { sorted.contains($0) })
        #expect(initialization.centroids(count: 32, sortedValues: sorted, seed: 7) == first)
        #expect(initialization.centroids(count: 32, sortedValues: sorted, seed: 8) != first)
    }

    @Test("with fewer values than clusters, random and kmeans++ use every distinct value",
          arguments: [CentroidInitialization.random, .kmeansPlusPlus])
    func fewValues(initialization: CentroidInitialization) {
        #expect(initialization.centroids(count: 8, sortedValues: [1, 2, 3], seed: 1) == [1, 2, 3])
    }

    @Test("kmeans++ spreads out: the centroids cover both of two far-apart groups")
    func kmeansPlusPlusCoversGroups() {
        let values = ([Float](repeating: 0, count: 500) + [Float](repeating: 100, count: 5)).sorted()
        for seed in UInt64(1)...5 {
            #expect(CentroidInitialization.kmeansPlusPlus.centroids(count: 2, sortedValues: values, seed: seed) == [0, 100])
        }
    }
}
