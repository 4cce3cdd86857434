import Foundation
import Synchronization

/// The iterations of ``KMeans1D/cluster(from:maxIterations:tolerance:)``: Lloyd's algorithm on
/// values sorted once, with their prefix sums.
///
/// The cluster of centroid `j` is the run of sorted values from the end of the run before up to
/// `ends[j]`. An iteration moves every centroid whose run changed to the run's mean (the prefix
/// sums give it, and the run's objective about it), then searches again every boundary next to a
/// centroid that moved. Late iterations, where few boundaries still move, cost little.
///
/// A centroid depends on its two ends only, and an end on its two centroids only, so the work
/// splits in two: the lower half of the centroids on the calling thread, the upper half on a
/// thread of its own. The halves meet twice per iteration (after the centroids moved, after the
/// boundaries did) and tell each other what happened at the one boundary between them. Every
/// step, and every floating-point operation in it, is the one a single thread does, so the
/// results are the same bit for bit.
struct LloydIterations: @unchecked Sendable {
    /// The values, ascending.
    let values: UnsafeBufferPointer<Float>
    /// Interleaved prefix sums of the values less `mean` (`2i`) and of their squares (`2i + 1`).
    let sums: UnsafeBufferPointer<Double>
    let mean: Double
    /// The centroids, ascending; updated in place.
    let centroids: UnsafeMutableBufferPointer<Float>
    /// `ends[j]`: one past the last value of centroid `j`'s run; the last run ends at the count.
    let ends: UnsafeMutableBufferPointer<Int>
    /// `endSums[2j + 2]` and `endSums[2j + 3]`: `sums` at `ends[j]`; the first two, at 0.
    private let endSums: UnsafeMutableBufferPointer<Double>
    /// The sum of squared distances of each run to its mean.
    private let runObjectives: UnsafeMutableBufferPointer<Double>
    /// How far each end moved when last searched: ends drift steadily, so the next search starts
    /// that far on.
    private let shifts: UnsafeMutableBufferPointer<Int>

    /// Iterations over `centroids` (ascending) and `ends` (filled here) of at least one centroid.
    init(values: UnsafeBufferPointer<Float>, sums: UnsafeBufferPointer<Double>, mean: Double,
         centroids: UnsafeMutableBufferPointer<Float>, ends: UnsafeMutableBufferPointer<Int>) {
        let k = centroids.count
        (self.values, self.sums, self.mean, self.centroids, self.ends) = (values, sums, mean, centroids, ends)
        endSums = .allocate(capacity: 2 * (k + 1))
        runObjectives = .allocate(capacity: k)
        shifts = .allocate(capacity: k)
        runObjectives.initialize(repeating: 0)
        shifts.initialize(repeating: 0)
        var floor = 0
        for j in 0..<(k - 1) {
            floor = upperBound(of: (Double(centroids[j]) + Double(centroids[j + 1])) / 2, in: values, from: floor, hint: nil)
            ends[j] = floor
        }
        ends[k - 1] = values.count
        endSums[0] = 0
        endSums[1] = 0
        for j in 0..<k {
            endSums[2 * j + 2] = sums[2 * ends[j]]
            endSums[2 * j + 3] = sums[2 * ends[j] + 1]
        }
    }

    /// Frees the working buffers (not `centroids` and `ends`).
    func deallocate() {
        endSums.deallocate()
        runObjectives.deallocate()
        shifts.deallocate()
    }

    /// Iterates until a fixed point, until an iteration lowers the objective by at most
    /// `tolerance` times its value, or for `maxIterations`; on two threads when `split`.
    ///
    /// - Precondition: `split` only with at least two centroids.
    func run(maxIterations: Int, tolerance: Double, split: Bool) -> (iterations: Int, reachedFixedPoint: Bool) {
        let k = centroids.count
        guard split else {
            return iterate(clusters: 0..<k, meeting: nil, maxIterations: maxIterations, tolerance: tolerance)
        }
        precondition(k >= 2, "LloydIterations: a split needs two centroids")
        let meeting = Meeting(), upperDone = DispatchSemaphore(value: 0)
        let upper = Thread {
            _ = self.iterate(clusters: (k / 2)..<k, meeting: meeting, maxIterations: maxIterations, tolerance: tolerance)
            upperDone.signal()
        }
        upper.name = "KMeans1D upper half"
        upper.start()
        let outcome = iterate(clusters: 0..<(k / 2), meeting: meeting, maxIterations: maxIterations, tolerance: tolerance)
        upperDone.wait()
        return outcome
    }

    /// The iterations of the centroids `clusters` and of the boundaries above each of them but
    /// the last centroid's; with a `meeting` the other centroids are another thread's.
    private func iterate(clusters: Range<Int>, meeting: Meeting?, maxIterations: Int, tolerance: Double)
        -> (iterations: Int, reachedFixedPoint: Bool) {
        let k = centroids.count, isUpper = clusters.lowerBound > 0
        let boundaries = clusters.lowerBound..<min(clusters.upperBound, k - 1)
        // Ascending indices of the ends that moved, from index 1; index 0 holds the end below
        // `clusters` when it moved (the other half's last boundary).
        let movedEnds = UnsafeMutableBufferPointer<Int>.allocate(capacity: clusters.count + 1)
        // Ascending indices of the centroids that moved, then the centroid above `clusters` when
        // it moved (the other half's first).
        let movedCentroids = UnsafeMutableBufferPointer<Int>.allocate(capacity: clusters.count + 1)
        defer {
            movedEnds.deallocate()
            movedCentroids.deallocate()
        }
        // At first every end counts as moved, so every centroid moves to its run's mean.
        movedEnds[0] = clusters.lowerBound - 1
        for (slot, j) in clusters.enumerated() { movedEnds[slot + 1] = j }
        var movedEndCount = clusters.count
        var objective = Double.infinity
        var iterations = 0, meetings = 0
        while iterations < maxIterations {
            iterations += 1
            // Move the centroids of the runs next to a moved end to their means.
            var movedCentroidCount = 0
            var updated = clusters.lowerBound - 1
            let firstMovedEnd = isUpper && meeting?.lowerEndMoved.load(ordering: .relaxed) == true ? 0 : 1
            for moved in movedEnds[firstMovedEnd..<(movedEndCount + 1)] {
                for j in stride(from: max(moved, updated + 1), through: min(moved + 1, clusters.upperBound - 1), by: 1) {
                    updated = j
                    let start = j > 0 ? ends[j - 1] : 0, end = ends[j]
                    guard end > start else { runObjectives[j] = 0; continue }
                    let sum = endSums[2 * j + 2] - endSums[2 * j]
                    let shiftedMean = sum / Double(end - start)
                    runObjectives[j] = max(0, endSums[2 * j + 3] - endSums[2 * j + 1] - sum * shiftedMean)
                    let centroid = Float(shiftedMean + mean)
                    if centroid != centroids[j] {
                        centroids[j] = centroid
                        movedCentroids[movedCentroidCount] = j
                        movedCentroidCount += 1
                    }
                }
            }
            if let meeting {
                if isUpper {
                    meeting.upperCentroidMoved.store(movedCentroidCount > 0 && movedCentroids[0] == clusters.lowerBound,
                                                     ordering: .relaxed)
                }
                meetings += 1
                meeting.wait(round: meetings, upper: isUpper)
                if !isUpper && meeting.upperCentroidMoved.load(ordering: .relaxed) {
                    movedCentroids[movedCentroidCount] = clusters.upperBound
                    movedCentroidCount += 1
                }
            }
            var meanObjective = 0.0
            for runObjective in runObjectives { meanObjective += runObjective }
            // Find the boundaries next to moved centroids again, in ascending order. A search
            // starts at the end below, which is this thread's except for the lowest boundary.
            movedEndCount = 0
            var searched = boundaries.lowerBound - 1
            for moved in movedCentroids[..<movedCentroidCount] {
                for j in stride(from: max(moved - 1, searched + 1), through: min(moved, boundaries.upperBound - 1), by: 1) {
                    searched = j
                    let end = upperBound(of: (Double(centroids[j]) + Double(centroids[j + 1])) / 2, in: values,
                                         from: j > boundaries.lowerBound ? ends[j - 1] : 0, hint: ends[j] + shifts[j])
                    shifts[j] = end - ends[j]
                    if end != ends[j] {
                        ends[j] = end
                        movedEnds[movedEndCount + 1] = j
                        movedEndCount += 1
                    }
                }
            }
            // The prefix sums at the moved ends, read in a pass of their own so that the loads,
            // mostly cache misses, overlap.
            for j in movedEnds[1..<(movedEndCount + 1)] {
                endSums[2 * j + 2] = sums[2 * ends[j]]
                endSums[2 * j + 3] = sums[2 * ends[j] + 1]
            }
            var anyEndMoved = movedEndCount > 0
            if let meeting {
                if isUpper {
                    meeting.upperEndsMoved.store(anyEndMoved, ordering: .relaxed)
                } else {
                    meeting.lowerEndsMoved.store(anyEndMoved, ordering: .relaxed)
                    meeting.lowerEndMoved.store(anyEndMoved && movedEnds[movedEndCount] == clusters.upperBound - 1,
                                                ordering: .relaxed)
                }
                meetings += 1
                meeting.wait(round: meetings, upper: isUpper)
                anyEndMoved = meeting.lowerEndsMoved.load(ordering: .relaxed) || meeting.upperEndsMoved.load(ordering: .relaxed)
            }
            if !anyEndMoved { return (iterations, true) }
            if objective - meanObjective <= tolerance * meanObjective { break }
            objective = meanObjective
        }
        return (iterations, false)
    }
}

/// Where the two halves of a split run wait for each other, and what they tell each other.
///
/// Each flag is written by one half before a meeting and read by the other after it; the
/// meeting's release and acquire order them.
private final class Meeting: Sendable {
    /// The last meeting each half arrived at.
    private let lowerArrivals = Atomic<Int>(0), upperArrivals = Atomic<Int>(0)
    /// Whether the lower half's last boundary moved (so the upper half's first centroid moves).
    let lowerEndMoved = Atomic<Bool>(false)
    /// Whether the upper half's first centroid moved (so the lower half's last boundary is searched).
    let upperCentroidMoved = Atomic<Bool>(false)
    /// Whether any boundary of each half moved (no boundary anywhere: a fixed point).
    let lowerEndsMoved = Atomic<Bool>(false), upperEndsMoved = Atomic<Bool>(false)

    /// Arrives at meeting `round` and waits for the other half to arrive there too: spinning,
    /// since the halves meet every few microseconds, and yielding the processor after a while.
    func wait(round: Int, upper: Bool) {
        if upper { upperArrivals.store(round, ordering: .releasing) } else { lowerArrivals.store(round, ordering: .releasing) }
        var spins = 0
        while (upper ? lowerArrivals.load(ordering: .acquiring) : upperArrivals.load(ordering: .acquiring)) < round {
            spins += 1
            if spins > 1024 { sched_yield() }
        }
    }
}

/// The first index at or after `floor` whose value is above `limit` (`values.count` when none),
/// for ascending `values`. With a `hint` (the answer of a nearby limit) it first counts the values
/// up to the limit among the 16 around the hint, without branches on the data, which settles the
/// answer when it lies inside them; otherwise it gallops out from the hint, costing
/// `O(log distance)` instead of `O(log n)`. Any `floor` at most the answer gives the same answer.
private func upperBound(of limit: Double, in values: UnsafeBufferPointer<Float>, from floor: Int, hint: Int?) -> Int {
    let n = values.count
    var low = floor, high = n
    if let hint {
        let window = 16, first = min(hint - window / 2, n - window)
        if first >= floor && first >= 0 {
            // The largest float at most `limit`: a float is at most `limit` exactly when it is at
            // most this.
            var bound = Float(limit)
            if Double(bound) > limit { bound = bound.nextDown }
            var count = 0
            for value in values[first..<(first + window)] { count += value <= bound ? 1 : 0 }
            if count > 0 && count < window { return first + count }
        }
        let start = min(max(hint, floor), n)
        var step = 1
        if start < n && Double(values[start]) <= limit {
            low = start + 1
            while low + step - 1 < n && Double(values[low + step - 1]) <= limit {
                low += step
                step *= 2
            }
            high = min(low + step - 1, n)
        } else {
            high = start
            while high - step >= floor && Double(values[high - step]) > limit {
                high -= step
                step *= 2
            }
            low = max(high - step + 1, floor)
        }
    }
    while low < high {
        let middle = (low + high) / 2
        if Double(values[middle]) <= limit { low = middle + 1 } else { high = middle }
    }
    return low
}
