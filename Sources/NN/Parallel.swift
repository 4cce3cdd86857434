import Dispatch
import Foundation
import Synchronization
import TensorCore

/// The number of threads NN's kernels split work across.
///
/// Kernels split minibatches (or output rows) into this many parts and call single-threaded
/// sgemm inside each. The default is the environment's `NN_NUM_THREADS`, else
/// `OPENBLAS_NUM_THREADS`, else the number of cores; in reproducible mode it is
/// `Reproducibility.kernelParts` whatever the machine, since sums over parts depend on their
/// number. Set it to 1 to run everything on the
/// calling thread; the worker pool is created with the value in force at the first parallel
/// kernel, and a larger value later only makes the calling thread take the extra parts.
nonisolated(unsafe) public var kernelThreadCount: Int = defaultKernelThreadCount()

private func defaultKernelThreadCount() -> Int {
    if Reproducibility.isEnabled { return Reproducibility.kernelParts }
    let environment = ProcessInfo.processInfo.environment
    for key in ["NN_NUM_THREADS", "OPENBLAS_NUM_THREADS"] {
        if let text = environment[key], let value = Int(text), value > 0 { return value }
    }
    return max(1, ProcessInfo.processInfo.activeProcessorCount)
}

/// Work below this many cost units (about one multiply-add each) runs on the calling thread.
@usableFromInline nonisolated(unsafe) var parallelWorkThreshold = 1 << 16

/// How many parts to split `count` items of `costPerItem` each into.
@inlinable
func partitionCount(_ count: Int, costPerItem: Int = 1) -> Int {
    let threads = min(kernelThreadCount, count)
    return (threads <= 1 || count &* costPerItem < parallelWorkThreshold) ? 1 : threads
}

/// The `part`-th of `parts` contiguous, nearly equal ranges of `0..<count`.
@inlinable
func partRange(_ part: Int, of parts: Int, count: Int) -> Range<Int> {
    (count * part / parts)..<(count * (part + 1) / parts)
}

/// Runs `body(part)` for `0..<parts`, in parallel when `parts > 1`.
///
/// Each part must write disjoint memory; reductions write per-part partials, summed afterwards
/// in part order so results do not depend on timing. A call made while the workers are busy
/// (from inside a part, or from a second thread) runs its parts on the calling thread.
@inlinable
func runParts(_ parts: Int, _ body: (Int) -> Void) {
    prepareRuntime()
    if parts <= 1 {
        body(0)
        return
    }
    if !WorkerPool.shared.run(parts: parts, body) {
        for part in 0..<parts { body(part) }
    }
}

/// Runs `body` over `0..<count` split into contiguous chunks, one per worker thread, or in one
/// call when the work is small.
@inlinable
func parallelChunks(_ count: Int, costPerItem: Int = 1, _ body: (Range<Int>) -> Void) {
    guard count > 0 else { return }
    let parts = partitionCount(count, costPerItem: costPerItem)
    runParts(parts) { body(partRange($0, of: parts, count: count)) }
}

/// Runs `body(partition, range)` for `partitions` contiguous parts of `0..<count`, in parallel.
@inlinable
func parallelPartitioned(_ count: Int, partitions: Int, _ body: (Int, Range<Int>) -> Void) {
    runParts(partitions) { body($0, partRange($0, of: partitions, count: count)) }
}

@usableFromInline
struct UncheckedSendable<T>: @unchecked Sendable {
    @usableFromInline let value: T
    @inlinable init(_ value: T) { self.value = value }
}

/// Persistent worker threads that spin briefly between jobs.
///
/// A training step runs a few dozen short parallel regions; waking a sleeping thread for each
/// costs more than many of them take, so workers keep polling for about 0.2 ms after a job
/// before they sleep on a condition variable. Parts are claimed from a shared counter tagged
/// with the job's generation, so the caller takes over parts no worker has started: a worker
/// that the system has descheduled never holds a job up unless it is midway through a part.
@usableFromInline
final class WorkerPool: @unchecked Sendable {
    @usableFromInline static let shared = WorkerPool(workers: max(0, kernelThreadCount - 1))

    let workers: Int
    /// `generation << 32 | next unclaimed part`.
    private let state = Atomic<UInt64>(0)
    private let finished = Atomic<Int>(0)
    private let sleepers = Atomic<Int>(0)
    private let busy = Atomic<Bool>(false)
    private let condition = NSCondition()
    private var generation: UInt64 = 0
    // Written before `state` is published (release) and read after it is observed (acquire);
    // a claim's compare-exchange on `state` confirms they belong to the claimed generation.
    private var job: ((Int) -> Void)?
    private var jobParts = 0

    /// How long an idle worker polls before sleeping.
    private static let spinNanoseconds: UInt64 = 200_000

    init(workers: Int) {
        self.workers = workers
        for index in 0..<workers {
            let thread = Thread { [unowned self] in self.workerLoop() }
            thread.name = "NN worker \(index + 1)"
            thread.start()
        }
    }

    /// Runs `body` for every part in `0..<parts`, the caller taking part too; false when busy.
    @usableFromInline
    func run(parts: Int, _ body: (Int) -> Void) -> Bool {
        guard workers > 0, parts < Int(UInt32.max),
              busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            return false
        }
        withoutActuallyEscaping(body) { body in
            generation &+= 1
            job = body
            jobParts = parts
            finished.store(0, ordering: .relaxed)
            state.store(generation << 32, ordering: .sequentiallyConsistent)
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                condition.lock()
                condition.broadcast()
                condition.unlock()
            }
            claimParts(parts: parts, body)
            var spins = 0
            while finished.load(ordering: .acquiring) < parts {
                spins += 1
                if spins > 1024 { sched_yield() }
            }
            job = nil
        }
        busy.store(false, ordering: .releasing)
        return true
    }

    /// Claims and runs parts of the current job until none is left.
    private func claimParts(parts: Int, _ body: (Int) -> Void) {
        var current = state.load(ordering: .acquiring)
        while Int(current & 0xFFFF_FFFF) < parts {
            let (exchanged, original) = state.compareExchange(expected: current, desired: current &+ 1,
                                                              ordering: .acquiringAndReleasing)
            if exchanged {
                body(Int(current & 0xFFFF_FFFF))
                finished.add(1, ordering: .releasing)
                current = state.load(ordering: .acquiring)
            } else {
                current = original
            }
        }
    }

    private func workerLoop() {
        var seen: UInt64 = 0
        while true {
            var current = state.load(ordering: .acquiring)
            if current >> 32 == seen {
                let start = DispatchTime.now().uptimeNanoseconds
                var spins = 0
                while current >> 32 == seen {
                    spins &+= 1
                    // Past the first few microseconds, let other runnable threads go first.
                    if spins & 63 == 0 && spins > 4096 { sched_yield() }
                    if spins & 255 == 0 && DispatchTime.now().uptimeNanoseconds - start > WorkerPool.spinNanoseconds {
                        condition.lock()
                        sleepers.add(1, ordering: .sequentiallyConsistent)
                        while state.load(ordering: .sequentiallyConsistent) >> 32 == seen { condition.wait() }
                        sleepers.subtract(1, ordering: .sequentiallyConsistent)
                        condition.unlock()
                    }
                    current = state.load(ordering: .acquiring)
                }
            }
            seen = current >> 32
            // Claim parts of generation `seen` only: a failed exchange means the job moved on.
            while true {
                let parts = jobParts
                let part = Int(current & 0xFFFF_FFFF)
                guard current >> 32 == seen, part < parts else { break }
                let (exchanged, original) = state.compareExchange(expected: current, desired: current &+ 1,
                                                                  ordering: .acquiringAndReleasing)
                if exchanged {
                    if let job { job(part) }
                    finished.add(1, ordering: .releasing)
                    current = state.load(ordering: .acquiring)
                } else {
                    current = original
                }
            }
        }
    }
}
