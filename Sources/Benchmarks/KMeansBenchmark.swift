import Compression
import Foundation
import TensorCore

/// `bench kmeans`: one-dimensional k-means of normally distributed values, as weight sharing
/// runs it: sort, Lloyd iterations on the sorted values, then a label for every value.
///
/// For each size the values (`seed`) and the linear initial centroids are written as raw
/// little-endian float32 files to `--out`, so that another implementation (scikit-learn, in
/// `Scripts/bench-kmeans.sh`) clusters exactly the same data from exactly the same start. The time
/// covers sorting, the iterations and labelling (the sort and the labelling use both threads); the
/// best wall-clock time of `--repeats` runs is printed with that run's processor time and the
/// parts of it spent sorting (with the prefix sums) and iterating. The
/// objective is the sum of squared distances of the values to their nearest centroid, in `Double`.
struct KMeansBenchmark {
    let sizes: [Int]
    let clusters: Int
    let seed: Int
    let outputDirectory: String?
    let repeats: Int

    init(options: Options) throws(UsageError) {
        sizes = try options.positiveIntegers("sizes", default: [1_000_000, 10_000_000])
        clusters = try options.positiveInteger("k", default: 256)
        seed = try options.positiveInteger("seed", default: 1)
        outputDirectory = options.string("out")
        repeats = try options.positiveInteger("repeats", default: 3)
    }

    func run() throws {
        for n in sizes {
            var generator = RandomGenerator(seed: UInt64(seed))
            let values = generator.normal(shape: [n]).scalars
            let low = values.min()!, high = values.max()!
            // Linear initialisation looks only at the smallest and largest value.
            let start = CentroidInitialization.linear.centroids(count: clusters, sortedValues: [low, high], seed: 0)
            if let outputDirectory {
                try write(values, to: "\(outputDirectory)/kmeans-\(n)-values.f32")
                try write(start, to: "\(outputDirectory)/kmeans-\(n)-init.f32")
            }
            var best: (wall: Double, cpu: Double, sort: Double, cluster: Double)?
            var result: KMeans1D.Result?
            for _ in 0..<repeats {
                let clock = ContinuousClock()
                let cpuBegin = processorSeconds()
                let begin = clock.now
                let kmeans = KMeans1D(values: values)
                let sorted = clock.now
                let run = kmeans.cluster(from: start)
                let clustered = clock.now
                let labels = KMeans1D.nearestCentroids(of: values, centroids: run.centroids)
                let end = clock.now
                let cpu = processorSeconds() - cpuBegin
                withExtendedLifetime(labels) {}
                if seconds(end - begin) < best?.wall ?? .infinity {
                    best = (seconds(end - begin), cpu, seconds(sorted - begin), seconds(clustered - sorted))
                }
                result = run   // the same every time: the runs are deterministic
            }
            guard let best, let result else { continue }
            print(String(format: "kmeans n=%d k=%d seconds=%.4f objective=%.6f cpu_seconds=%.4f iterations=%d fixed_point=%@ sort_seconds=%.4f cluster_seconds=%.4f",
                         n, clusters, best.wall, result.objective, best.cpu, result.iterations,
                         result.reachedFixedPoint ? "yes" : "no", best.sort, best.cluster))
        }
    }

    private func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }

    /// The processor time of this process so far (all threads), which a busy machine inflates
    /// less than the wall clock.
    private func processorSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }

    private func write(_ values: [Float], to path: String) throws {
        let data = values.withUnsafeBufferPointer { Data(buffer: $0) }
        try data.write(to: URL(fileURLWithPath: path))
    }
}
