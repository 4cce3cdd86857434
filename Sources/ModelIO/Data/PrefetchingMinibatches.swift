import NN
import Dispatch
import Synchronization

/// The batches of ``Minibatches``, assembled one batch ahead on a background thread.
///
/// While the caller works on batch `i`, batch `i + 1` is gathered on a serial dispatch queue, so
/// loading overlaps compute. The batches are exactly those of the plain iteration, in the same order.
///
/// ```swift
/// for batch in Minibatches(train, batchSize: 64, seed: 1, epoch: 0).prefetched() { ... }
/// ```
public struct PrefetchingMinibatches: Sequence, Sendable {
    /// The batches to prefetch.
    public let batches: Minibatches

    /// Wraps `batches`.
    public init(batches: Minibatches) { self.batches = batches }

    /// Starts assembling the first batch at once.
    public func makeIterator() -> PrefetchingBatchIterator { PrefetchingBatchIterator(batches) }

    /// The number of batches.
    public var underestimatedCount: Int { batches.count }
}

/// Iterates ``Minibatches`` while the next batch is being assembled on a background queue.
///
/// Only one batch is ever prepared ahead, so memory stays at two batches. Dropping the iterator
/// early is safe: a batch still in preparation is finished and discarded.
public final class PrefetchingBatchIterator: IteratorProtocol {
    private let batches: Minibatches
    private let queue = DispatchQueue(label: "compress.minibatch-prefetch", qos: .userInitiated)
    private var pending: PendingBatch?
    private var nextIndex = 0

    /// Starts preparing the first batch of `batches`.
    public init(_ batches: Minibatches) {
        self.batches = batches
        scheduleNext()
    }

    /// Waits for the batch in preparation, starts the one after it, and returns it.
    public func next() -> Batch? {
        guard let pending else { return nil }
        let batch = pending.wait()
        self.pending = nil
        scheduleNext()
        return batch
    }

    private func scheduleNext() {
        guard nextIndex < batches.count else { return }
        let slot = PendingBatch()
        let batches = self.batches
        let index = nextIndex
        queue.async { slot.fulfil(batches.batch(index)) }
        pending = slot
        nextIndex += 1
    }
}

/// A batch being assembled on another thread: filled once, taken once.
private final class PendingBatch: Sendable {
    private let ready = DispatchSemaphore(value: 0)
    private let slot = Mutex<Batch?>(nil)

    func fulfil(_ batch: Batch) {
        slot.withLock { $0 = batch }
        ready.signal()
    }

    func wait() -> Batch {
        ready.wait()
        return slot.withLock { $0.take()! }
    }
}
