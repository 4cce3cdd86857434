/// The index of the nearest of some ascending centroids for any value, in constant time: the number
/// of midpoints between adjacent centroids that lie below the value (ties to the lower centroid).
///
/// The midpoints' range is cut into equal-width buckets, and each bucket records how many midpoints
/// lie in earlier buckets. A value's bucket comes from one multiplication, so only the midpoints in
/// its own bucket remain to compare: usually none or one, which a single comparison settles.
///
/// The count is exact however the bucket computation rounds: rounding is monotone, so the bucket of
/// a value is a non-decreasing function of the value, and a midpoint in an earlier bucket than the
/// value's lies below it, one in a later bucket above it. Values outside the range fall in the
/// first or the last bucket.
struct MidpointBuckets {
    /// One bucket: the midpoints in earlier buckets and how to count the bucket's own.
    private struct Bucket {
        /// The number of midpoints in earlier buckets.
        var before: Int32
        /// The number of midpoints in this bucket.
        var count: Int32
        /// The bucket's midpoint when it has exactly one; `+infinity` when it has none (no value
        /// lies above it); unused when it has more.
        var threshold: Double
    }

    /// `(centroids[j] + centroids[j + 1]) / 2` in `Double`, ascending.
    private let midpoints: [Double]
    private let buckets: [Bucket]
    /// A value's bucket is `(value - origin) * scale`, rounded down and clamped to the buckets.
    private let origin: Double
    private let scale: Double

    /// Buckets for `centroids`.
    ///
    /// - Precondition: `centroids` is non-empty, ascending and finite.
    init(centroids: [Float]) {
        let midpoints = zip(centroids, centroids.dropFirst()).map { (Double($0) + Double($1)) / 2 }
        let bucketCount = max(1024, 8 * midpoints.count)
        let origin = midpoints.first ?? 0, range = (midpoints.last ?? 0) - origin
        self.midpoints = midpoints
        self.origin = origin
        // Finite: distinct midpoints of floats differ by at least 2⁻¹⁵⁰. Without a range, every
        // midpoint shares the first bucket.
        self.scale = range > 0 ? Double(bucketCount) / range : 0
        var buckets = [Bucket](repeating: Bucket(before: 0, count: 0, threshold: .infinity), count: bucketCount)
        var next = 0
        for bucket in 0..<bucketCount {
            buckets[bucket].before = Int32(next)
            let first = next
            while next < midpoints.count && Self.bucket(of: midpoints[next], origin: origin, scale: scale, count: bucketCount) == bucket {
                next += 1
            }
            buckets[bucket].count = Int32(next - first)
            if next - first == 1 { buckets[bucket].threshold = midpoints[first] }
        }
        self.buckets = buckets
    }

    /// The number of midpoints below each of `values` (the index of its nearest centroid), into
    /// `labels` (as many).
    func label(_ values: UnsafeBufferPointer<Float>, into labels: UnsafeMutableBufferPointer<Int32>) {
        buckets.withUnsafeBufferPointer { buckets in
            for (i, value) in values.enumerated() {
                let x = Double(value)
                let bucket = buckets[Self.bucket(of: x, origin: origin, scale: scale, count: buckets.count)]
                guard bucket.count > 1 else {
                    labels[i] = bucket.before + (x > bucket.threshold ? 1 : 0)
                    continue
                }
                var first = Int(bucket.before), last = first + Int(bucket.count)
                while first < last {
                    let middle = (first + last) / 2
                    if midpoints[middle] < x { first = middle + 1 } else { last = middle }
                }
                labels[i] = Int32(first)
            }
        }
    }

    /// The bucket of `x`: a non-decreasing function of `x` (each step rounds monotonically).
    private static func bucket(of x: Double, origin: Double, scale: Double, count: Int) -> Int {
        Int(min(max((x - origin) * scale, 0), Double(count - 1)))
    }
}
