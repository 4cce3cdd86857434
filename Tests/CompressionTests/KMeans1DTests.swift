@testable import Compression
import TensorCore
import Testing

@Suite("One-dimensional k-means")
struct KMeans1DTests {
    func normalValues(_ count: Int, seed: UInt64) -> [Float] {
        var generator = RandomGenerator(seed: seed)
        return generator.normal(shape: [count]).scalars
    }

    /// Plain Lloyd: every value against every centroid, ties to the lower index, until nothing moves.
    func bruteForceLloyd(_ values: [Float], from initial: [Float]) -> (centroids: [Float], objective: Double) {
        var centroids = initial
        for _ in 0..<10_000 {
            var sums = [Double](repeating: 0, count: centroids.count), counts = [Int](repeating: 0, count: centroids.count)
            for x in values {
                var best = 0
                for j in centroids.indices where abs(Double(x) - Double(centroids[j])) < abs(Double(x) - Double(centroids[best])) { best = j }
                sums[best] += Double(x); counts[best] += 1
            }
            let next = centroids.indices.map { counts[$0] > 0 ? Float(sums[$0] / Double(counts[$0])) : centroids[$0] }
            if next == centroids { break }
            centroids = next
        }
        let objective = values.reduce(0.0) { total, x in
            total + centroids.map { (Double(x) - Double($0)) * (Double(x) - Double($0)) }.min()!
        }
        return (centroids, objective)
    }

    @Test("matches plain Lloyd from the same centroids")
    func matchesBruteForce() {
        let values = normalValues(2000, seed: 3)
        let kmeans = KMeans1D(values: values)
        let start = CentroidInitialization.linear.centroids(count: 16, sortedValues: kmeans.sortedValues, seed: 1)
        let fast = kmeans.cluster(from: start, tolerance: 0)
        let slow = bruteForceLloyd(values, from: start)
        #expect(fast.reachedFixedPoint)
        #expect(maxDifference(fast.centroids, slow.centroids) < 1e-5)
        #expect(abs(fast.objective - slow.objective) <= 1e-9 * slow.objective)
        #expect(fast.clusterSizes.reduce(0, +) == values.count)
    }

    @Test("the objective is the sum of squared distances to the nearest centroid and never rises")
    func objectiveIsExactAndFalls() {
        let values = normalValues(5000, seed: 4)
        let kmeans = KMeans1D(values: values)
        let start = CentroidInitialization.linear.centroids(count: 32, sortedValues: kmeans.sortedValues, seed: 1)
        var previous = Double.infinity
        for iterations in [0, 1, 2, 5, 20, 100] {
            let result = kmeans.cluster(from: start, maxIterations: iterations, tolerance: 0)
            let labels = KMeans1D.nearestCentroids(of: values, centroids: result.centroids)
            let direct = zip(values, labels).reduce(0.0) { total, pair in
                let d = Double(pair.0) - Double(result.centroids[Int(pair.1)])
                return total + d * d
            }
            #expect(abs(result.objective - direct) <= 1e-9 * direct)
            #expect(result.objective <= previous)
            previous = result.objective
        }
    }

    @Test("on two threads the iterations give exactly what one thread gives")
    func splitMatchesOneThread() {
        let gapped = normalValues(20_000, seed: 8).map { $0 < 0 ? $0 - 2 : $0 + 2 }   // a pruned layer: nothing near zero
        let repeated = (0..<30_000).map { Float($0 % 7) * 0.5 }
        let datasets = [normalValues(30_000, seed: 9), gapped, repeated, normalValues(40, seed: 10)]
        for values in datasets {
            let kmeans = KMeans1D(values: values)
            for (k, initialization) in [(2, CentroidInitialization.linear), (3, .random), (17, .density), (256, .linear), (300, .kmeansPlusPlus)] {
                let start = initialization.centroids(count: k, sortedValues: kmeans.sortedValues, seed: 2)
                for (maxIterations, tolerance) in [(10_000, 0.0), (10_000, 1e-4), (3, 0)] {
                    let one = kmeans.cluster(from: start, maxIterations: maxIterations, tolerance: tolerance, split: false)
                    let two = kmeans.cluster(from: start, maxIterations: maxIterations, tolerance: tolerance, split: true)
                    #expect(two == one, "\(values.count) values, k \(k), \(initialization), \(maxIterations) iterations, tolerance \(tolerance)")
                    #expect(one.centroids.map(\.bitPattern) == two.centroids.map(\.bitPattern))
                }
            }
        }
    }

    @Test("well separated groups end exactly on their means")
    func separatedGroups() {
        let values: [Float] = [10, 0, 10.5, 0.5, 9.5, -0.5]
        let result = KMeans1D(values: values).cluster(from: [-1, 11])
        #expect(result.centroids == [0, 10])
        #expect(result.objective == 1)
        #expect(result.clusterSizes == [3, 3])
        #expect(KMeans1D.nearestCentroids(of: values, centroids: result.centroids) == [1, 0, 1, 0, 1, 0])
    }

    @Test("an empty cluster keeps its centroid")
    func emptyClusterKeepsCentroid() {
        let result = KMeans1D(values: [0, 1, 9, 10]).cluster(from: [0, 5, 10])
        #expect(result.centroids == [0.5, 5, 9.5])
        #expect(result.clusterSizes == [2, 0, 2])
    }

    @Test("constant values and a single value give one used centroid and no error")
    func degenerateInputs() {
        for values in [[Float](repeating: 0.25, count: 100), [-3]] {
            let kmeans = KMeans1D(values: values)
            let start = CentroidInitialization.linear.centroids(count: 8, sortedValues: kmeans.sortedValues, seed: 1)
            let result = kmeans.cluster(from: start)
            #expect(result.objective == 0)
            #expect(result.clusterSizes.filter { $0 > 0 }.count == 1)
            let used = result.centroids[result.clusterSizes.firstIndex { $0 > 0 }!]
            #expect(used == values[0])
        }
    }

    @Test("a value exactly between two centroids goes to the lower one")
    func tiesGoLow() {
        #expect(KMeans1D.nearestCentroids(of: [0.5, 0.50001, -7, 7], centroids: [0, 1]) == [0, 1, 0, 1])
    }

    @Test("labels are the nearest centroid, also with an outlier, many centroids and values on midpoints")
    func labelsMatchBruteForce() {
        var values = normalValues(4000, seed: 6) + [1e4, -3]
        var generator = RandomGenerator(seed: 7)
        let centroids = (generator.normal(shape: [400]).scalars + [2e3]).sorted()
        values += zip(centroids, centroids.dropFirst()).prefix(50).map { ($0 + $1) / 2 }
        let labels = KMeans1D.nearestCentroids(of: values, centroids: centroids)
        let midpoints = zip(centroids, centroids.dropFirst()).map { (Double($0) + Double($1)) / 2 }
        let expected = values.map { x in Int32(midpoints.firstIndex { $0 >= Double(x) } ?? midpoints.count) }
        #expect(labels == expected)
    }

    @Test("the radix sort orders negatives, zeros, subnormals and extremes like sorted()")
    func radixSortMatchesSorted() {
        var values = normalValues(1000, seed: 5).map { $0 * 1e3 }
        values += [0, -0.0, .leastNonzeroMagnitude, -.leastNonzeroMagnitude, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 1, -1]
        let sorted = sortedWithSum(values).sorted
        #expect(sorted == values.sorted())
        #expect(sortedWithSum([3, -1, 2]).sorted == [-1, 2, 3])
    }

    @Test("a large input, sorted in halves merged from both ends, comes out like sorted(), with the sum in that order")
    func radixSortOfHalvesMatchesSorted() {
        // Rounded to a coarse grid, so that equal values straddle the halves.
        var values = normalValues(300_001, seed: 8).map { ($0 * 64).rounded() / 64 }
        values += [0, -0.0, -0.0, 0, .leastNonzeroMagnitude, -.greatestFiniteMagnitude]
        let (sorted, sum) = sortedWithSum(values)
        let expected = values.sorted()
        #expect(sorted == expected)
        var direct = 0.0
        for x in sorted { direct += Double(x) }
        #expect(sum == direct)
    }

    @Test("labels are exact over ranges of subnormal and of huge centroids")
    func labelsAtExtremeScales() {
        let tiny = (0..<3000).map { (i: Int) -> Float in Float(i % 1000) * .leastNonzeroMagnitude }
        let tinyCentroids = [3, 4, 500, 998].map { (i: Int) -> Float in Float(i) * .leastNonzeroMagnitude }
        let huge = (0..<3000).map { (i: Int) -> Float in
            let sign: Float = i % 2 == 0 ? 1 : -1
            return sign * .greatestFiniteMagnitude / Float(1 + i % 1000)
        }
        let hugeCentroids: [Float] = [-.greatestFiniteMagnitude, -1e30, 0, 1e38, .greatestFiniteMagnitude]
        for (values, centroids) in [(tiny, tinyCentroids), (huge, hugeCentroids)] {
            let midpoints = zip(centroids, centroids.dropFirst()).map { (Double($0) + Double($1)) / 2 }
            let expected = values.map { x in Int32(midpoints.firstIndex { $0 >= Double(x) } ?? midpoints.count) }
            #expect(KMeans1D.nearestCentroids(of: values, centroids: centroids) == expected)
        }
    }

    func maxDifference(_ a: [Float], _ b: [Float]) -> Float {
        zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
    }
}
