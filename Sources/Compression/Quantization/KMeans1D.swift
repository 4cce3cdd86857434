import Dispatch
import Foundation

/// Exact, fast k-means of scalar values (Lloyd's algorithm on sorted data).
///
/// The values are sorted once (radix sort). In one dimension the cluster of a centroid is a run of
/// the sorted values between the midpoints to its neighbours, so an iteration finds each boundary
/// by a search in the sorted values and each cluster's sum and sum of squares from prefix sums:
/// at most `O(k log n)` per iteration instead of `O(n k)`. The steps are those of Lloyd's
/// algorithm exactly (assign every value to its nearest centroid, ties to the lower one; move
/// every centroid to the mean of its values), so the objective never increases.
///
/// - An empty cluster keeps its centroid (in one dimension that keeps the centroids sorted, and a
///   later iteration may fill it again).
/// - Iterations stop at a fixed point (no boundary moved), when the objective fell by at most
///   `tolerance` times its value, or after `maxIterations`.
/// - Prefix sums are compensated (Kahan) sums of `Double` values centred on the mean, so the
///   objective of a cluster is accurate even for millions of values; the objective reported at
///   the end is summed directly from the values. Everything is deterministic.
/// - From 2^18 values the iterations run on two threads (``LloydIterations``), with the same
///   result bit for bit.
///
/// ```swift
/// let kmeans = KMeans1D(values: weights)
/// let start = CentroidInitialization.linear.centroids(count: 32, sortedValues: kmeans.sortedValues, seed: 1)
/// let result = kmeans.cluster(from: start)
/// let labels = KMeans1D.nearestCentroids(of: weights, centroids: result.centroids)
/// ```
public struct KMeans1D: Sendable {
    /// The outcome of ``cluster(from:maxIterations:tolerance:)``.
    public struct Result: Sendable, Equatable {
        /// The centroids, ascending; as many as the initial ones (empty clusters keep theirs).
        public var centroids: [Float]
        /// The number of values nearest to each centroid.
        public var clusterSizes: [Int]
        /// The sum over all values of the squared distance to the nearest centroid.
        public var objective: Double
        /// The Lloyd iterations done (centroid updates).
        public var iterations: Int
        /// Whether the iterations reached a fixed point (rather than the tolerance or the cap).
        public var reachedFixedPoint: Bool
    }

    /// The values, ascending.
    public let sortedValues: [Float]
    private let mean: Double
    /// Interleaved prefix sums: `prefixSums[2i]` is the sum of `sortedValues[0..<i] - mean` and
    /// `prefixSums[2i + 1]` the sum of their squares (side by side, so one cache line holds both).
    private let prefixSums: [Double]

    /// Sorts `values` and prepares the prefix sums.
    ///
    /// - Precondition: every value is finite.
    public init(values: [Float]) {
        precondition(values.allSatisfy(\.isFinite), "KMeans1D: values must be finite")
        let (sorted, total) = sortedWithSum(values)
        let mean = sorted.isEmpty ? 0 : total / Double(sorted.count)
        // Written once, uninitialised before: zeroing hundreds of megabytes first would cost as much
        // as the sums.
        let sums = [Double](unsafeUninitializedCapacity: 2 * (sorted.count + 1)) { sums, initializedCount in
            adviseHugePages(sums)
            sums[0] = 0
            sums[1] = 0
            var sum = 0.0, sumCompensation = 0.0, square = 0.0, squareCompensation = 0.0
            for (i, x) in sorted.enumerated() {
                let y = Double(x) - mean
                kahanAdd(y, to: &sum, compensation: &sumCompensation)
                kahanAdd(y * y, to: &square, compensation: &squareCompensation)
                sums[2 * i + 2] = sum
                sums[2 * i + 3] = square
            }
            initializedCount = sums.count
        }
        self.sortedValues = sorted
        self.mean = mean
        self.prefixSums = sums
    }

    /// The number of values.
    public var count: Int { sortedValues.count }

    /// Runs Lloyd's algorithm from `initialCentroids`.
    ///
    /// Each iteration moves every centroid to the mean of its run of values (the objective of the
    /// runs about their means comes with it, from the prefix sums), then finds the new runs. Only
    /// what can have changed is recomputed: a centroid whose run kept both ends keeps its value,
    /// and a boundary between two centroids that kept theirs stays, so late iterations, where few
    /// boundaries still move, cost little. It stops when no run changed (a fixed point), when the
    /// objective fell by at most `tolerance` times its value, or after `maxIterations`.
    ///
    /// - Parameters:
    ///   - initialCentroids: at least one finite centroid; they are sorted first.
    ///   - maxIterations: the most centroid updates.
    ///   - tolerance: stop when an iteration lowers the objective by at most this fraction of it.
    /// - Precondition: there is at least one value and one centroid.
    public func cluster(from initialCentroids: [Float], maxIterations: Int = 10_000, tolerance: Double = 1e-10) -> Result {
        // Two threads pay off from a few hundred thousand values (the iterations then take
        // milliseconds; starting a thread and meeting twice per iteration take microseconds).
        let split = count >= 1 << 18 && initialCentroids.count >= 16 && ProcessInfo.processInfo.activeProcessorCount >= 2
        return cluster(from: initialCentroids, maxIterations: maxIterations, tolerance: tolerance, split: split)
    }

    /// ``cluster(from:maxIterations:tolerance:)`` with the iterations on two threads or on one:
    /// the same result either way.
    func cluster(from initialCentroids: [Float], maxIterations: Int, tolerance: Double, split: Bool) -> Result {
        precondition(!sortedValues.isEmpty, "KMeans1D: no values to cluster")
        precondition(!initialCentroids.isEmpty && initialCentroids.allSatisfy(\.isFinite), "KMeans1D: need finite initial centroids")
        precondition(maxIterations >= 0 && tolerance >= 0, "KMeans1D: bad stopping settings")
        var centroids = initialCentroids.sorted()
        let k = centroids.count
        // ends[j]: one past the last value of centroid j's run (LloydIterations fills them).
        var ends = [Int](repeating: 0, count: k)
        let (iterations, reachedFixedPoint) = centroids.withUnsafeMutableBufferPointer { centroids in
            ends.withUnsafeMutableBufferPointer { ends in
                sortedValues.withUnsafeBufferPointer { values in
                    prefixSums.withUnsafeBufferPointer { sums in
                        let lloyd = LloydIterations(values: values, sums: sums, mean: mean, centroids: centroids, ends: ends)
                        defer { lloyd.deallocate() }
                        return lloyd.run(maxIterations: maxIterations, tolerance: tolerance, split: split && k >= 2)
                    }
                }
            }
        }
        var sizes = [Int](repeating: 0, count: k)
        var exact = 0.0, start = 0
        for j in 0..<k {
            sizes[j] = ends[j] - start
            let c = Double(centroids[j])
            for i in start..<ends[j] {
                let d = Double(sortedValues[i]) - c
                exact += d * d
            }
            start = ends[j]
        }
        return Result(centroids: centroids, clusterSizes: sizes, objective: exact, iterations: iterations,
                      reachedFixedPoint: reachedFixedPoint)
    }

    /// The index of the nearest of `centroids` (ascending) for each value, ties to the lower index:
    /// the same rule ``cluster(from:maxIterations:tolerance:)`` uses.
    ///
    /// The index is the number of midpoints between adjacent centroids that lie below the value,
    /// which ``MidpointBuckets`` counts in constant time.
    ///
    /// - Precondition: `centroids` is non-empty and ascending; every value is finite.
    public static func nearestCentroids(of values: [Float], centroids: [Float]) -> [Int32] {
        precondition(!centroids.isEmpty, "KMeans1D: no centroids")
        precondition(zip(centroids, centroids.dropFirst()).allSatisfy { $0 <= $1 }, "KMeans1D: centroids must be ascending")
        let buckets = MidpointBuckets(centroids: centroids)
        return [Int32](unsafeUninitializedCapacity: values.count) { output, initializedCount in
            adviseHugePages(output)
            let labels = SendableBuffer(output)
            values.withUnsafeBufferPointer { input in
                let values = SendableBuffer(input)
                // Chunks of 64K values, labelled in parallel; each label depends on its value only.
                let chunk = 1 << 16
                DispatchQueue.concurrentPerform(iterations: (input.count + chunk - 1) / chunk) { part in
                    let range = (part * chunk)..<min(values.buffer.count, (part + 1) * chunk)
                    buckets.label(UnsafeBufferPointer(rebasing: values.buffer[range]),
                                  into: UnsafeMutableBufferPointer(rebasing: labels.buffer[range]))
                }
            }
            initializedCount = values.count
        }
    }
}

/// A buffer pointer that parallel workers read, or write to at disjoint indices.
private struct SendableBuffer<Buffer>: @unchecked Sendable {
    let buffer: Buffer
    init(_ buffer: Buffer) { self.buffer = buffer }
}

/// `sum += value`, carrying the lost low-order bits in `compensation` (Kahan summation).
private func kahanAdd(_ value: Double, to sum: inout Double, compensation: inout Double) {
    let corrected = value - compensation
    let next = sum + corrected
    compensation = (next - sum) - corrected
    sum = next
}

/// `values` in ascending order, by a least-significant-digit radix sort of their bit patterns
/// (four passes of 8 bits), which is several times faster than a comparison sort for millions
/// of values; large inputs are sorted in two halves on two threads, then merged. `-0` sorts
/// before `+0`; both compare equal, so the order is still ascending. With them, the sum of the
/// sorted values in `Double`, added one by one from the first, which the last pass over the
/// sorted values computes on the way.
func sortedWithSum(_ values: [Float]) -> (sorted: [Float], sum: Double) {
    let n = values.count
    guard n > 64 else {
        let sorted = values.sorted()
        var sum = 0.0
        for x in sorted { sum += Double(x) }
        return (sorted, sum)
    }
    let middle = n >= 1 << 18 ? n / 2 : n
    let keys = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: n)
    defer { keys.deallocate() }
    adviseHugePages(keys)
    values.withUnsafeBufferPointer { buffer in
        let values = SendableBuffer(buffer), sortedKeys = SendableBuffer(keys)
        let halves = [0..<middle, middle..<n].filter { !$0.isEmpty }
        DispatchQueue.concurrentPerform(iterations: halves.count) { half in
            radixSort(UnsafeBufferPointer(rebasing: values.buffer[halves[half]]),
                      into: UnsafeMutableBufferPointer(rebasing: sortedKeys.buffer[halves[half]]))
        }
    }
    var sum = 0.0
    let sorted = [Float](unsafeUninitializedCapacity: n) { output, initializedCount in
        adviseHugePages(output)
        if middle == n {
            for i in 0..<n {
                output[i] = sortValue(keys[i])
                sum += Double(output[i])
            }
        } else {
            // Merge the two sorted halves on two threads, one from the front, the other from
            // the back, turning keys back into values on the way; the front adds up its values.
            let front = n / 2
            let frontSum = UnsafeMutableBufferPointer<Double>.allocate(capacity: 1)
            defer { frontSum.deallocate() }
            let shared = SendableBuffer((keys: UnsafeBufferPointer(keys), output: output, frontSum: frontSum))
            DispatchQueue.concurrentPerform(iterations: 2) { side in
                let (keys, output, frontSum) = shared.buffer
                if side == 0 {
                    frontSum[0] = mergeFront(keys, middle: middle, into: UnsafeMutableBufferPointer(rebasing: output[..<front]))
                } else {
                    mergeBack(keys, middle: middle, into: UnsafeMutableBufferPointer(rebasing: output[front...]))
                }
            }
            sum = frontSum[0]
            for x in output[front...] { sum += Double(x) }
        }
        initializedCount = n
    }
    return (sorted, sum)
}

/// Fills `output` with the first `output.count` values of the stable merge of the ascending keys
/// `keys[..<middle]` and `keys[middle...]`, and returns their sum, added from the first.
private func mergeFront(_ keys: UnsafeBufferPointer<UInt32>, middle: Int, into output: UnsafeMutableBufferPointer<Float>) -> Double {
    let n = keys.count
    var left = 0, right = middle, sum = 0.0
    for next in output.indices {
        // Clamped reads keep the loop free of branches on the data; an exhausted side is never taken.
        let leftKey = keys[min(left, middle - 1)], rightKey = keys[min(right, n - 1)]
        let takeRight = right < n && (left >= middle || rightKey < leftKey)
        output[next] = sortValue(takeRight ? rightKey : leftKey)
        sum += Double(output[next])
        right += takeRight ? 1 : 0
        left += takeRight ? 0 : 1
    }
    return sum
}

/// Fills `output` with the last `output.count` values of the stable merge of the ascending keys
/// `keys[..<middle]` and `keys[middle...]` (of equal keys, those of the second half come last).
private func mergeBack(_ keys: UnsafeBufferPointer<UInt32>, middle: Int, into output: UnsafeMutableBufferPointer<Float>) {
    var left = middle - 1, right = keys.count - 1
    for next in output.indices.reversed() {
        let leftKey = keys[max(left, 0)], rightKey = keys[max(right, middle)]
        let takeLeft = left >= 0 && (right < middle || leftKey > rightKey)
        output[next] = sortValue(takeLeft ? leftKey : rightKey)
        left -= takeLeft ? 1 : 0
        right -= takeLeft ? 0 : 1
    }
}

/// An unsigned key with the order of the floats: all bits of negatives flipped, only the sign bit
/// of the rest.
private func sortKey(_ value: Float) -> UInt32 {
    let bits = value.bitPattern
    return bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000
}

/// The float of a ``sortKey(_:)``.
private func sortValue(_ key: UInt32) -> Float {
    Float(bitPattern: key & 0x8000_0000 != 0 ? key & 0x7FFF_FFFF : ~key)
}

/// The sort keys of `values`, ascending, into `keys` (as many): four counting passes of 8 bits (few
/// enough buckets for their write positions to stay in the cache), the histograms of all four
/// taken in one read of the values.
private func radixSort(_ values: UnsafeBufferPointer<Float>, into keys: UnsafeMutableBufferPointer<UInt32>) {
    let scratch = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: keys.count)
    defer { scratch.deallocate() }
    adviseHugePages(scratch)
    let counts = UnsafeMutableBufferPointer<Int>.allocate(capacity: 4 * 256)
    defer { counts.deallocate() }
    counts.initialize(repeating: 0)
    for value in values {
        let key = sortKey(value)
        counts[Int(key & 255)] += 1
        counts[256 + Int((key >> 8) & 255)] += 1
        counts[512 + Int((key >> 16) & 255)] += 1
        counts[768 + Int(key >> 24)] += 1
    }
    // Each pass's counts become the slots where its digits start.
    for pass in 0..<4 {
        var offset = 0
        for digit in (pass * 256)..<((pass + 1) * 256) {
            let count = counts[digit]
            counts[digit] = offset
            offset += count
        }
    }
    // Pass 0 reads the values into `scratch`; the others move the keys back and forth, ending in
    // `keys`.
    for value in values {
        let key = sortKey(value)
        let slot = Int(key & 255)
        scratch[counts[slot]] = key
        counts[slot] += 1
    }
    for (pass, (source, target)) in [(scratch, keys), (keys, scratch), (scratch, keys)].enumerated() {
        let base = (pass + 1) * 256, shift = UInt32((pass + 1) * 8)
        for key in source {
            let slot = base + Int((key >> shift) & 255)
            target[counts[slot]] = key
            counts[slot] += 1
        }
    }
}
