import NN
import TensorCore

/// The minibatches of one epoch over a data set, in a seeded shuffled order or in order.
///
/// Epoch `e` with seed `s` visits the examples in ``permutation(count:seed:epoch:)``, which depends
/// only on `s` and `e`: every run with the same seed sees the same batches, and each epoch sees a
/// different order. The last batch is smaller when the batch size does not divide the data set,
/// unless `dropLast` is set. Iterate directly, or through ``prefetched()`` to assemble the next
/// batch on a background thread while the current one is being used.
///
/// ```swift
/// for epoch in 0..<epochs {
///     for batch in Minibatches(train, batchSize: 128, seed: 7, epoch: epoch).prefetched() {
///         let logits = model(batch.images)   // [B, 10]
///         ...
///     }
/// }
/// ```
public struct Minibatches: Sequence, Sendable {
    /// The data set the batches are cut from.
    public let dataset: Dataset
    /// The number of examples in every batch but possibly the last.
    public let batchSize: Int
    /// Whether a final batch smaller than ``batchSize`` is left out.
    public let dropLast: Bool
    /// The example indices in the order they are visited.
    public let order: [Int]

    /// Creates the batches of one epoch.
    ///
    /// - Parameters:
    ///   - dataset: The examples.
    ///   - batchSize: The examples per batch; positive.
    ///   - seed: The shuffling seed, or `nil` to keep the data set's order (for evaluation).
    ///   - epoch: The epoch number; with the seed, it fixes the order.
    ///   - dropLast: Leave out a final partial batch.
    public init(_ dataset: Dataset, batchSize: Int, seed: UInt64?, epoch: Int = 0, dropLast: Bool = false) {
        precondition(batchSize > 0, "Minibatches: batch size must be positive, got \(batchSize)")
        self.dataset = dataset
        self.batchSize = batchSize
        self.dropLast = dropLast
        if let seed {
            order = Minibatches.permutation(count: dataset.count, seed: seed, epoch: epoch)
        } else {
            order = Array(0..<dataset.count)
        }
    }

    /// The visiting order of `count` examples in `epoch`: a permutation of `0..<count` fixed by
    /// `seed` and `epoch` alone.
    public static func permutation(count: Int, seed: UInt64, epoch: Int) -> [Int] {
        var generator = RandomGenerator(seed: mix(mix(seed) ^ UInt64(truncatingIfNeeded: epoch)))
        return generator.permutation(count)
    }

    /// A bijective 64-bit mixer (the MurmurHash3 finaliser), so nearby seeds and epochs decorrelate.
    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 33)) &* 0xFF51_AFD7_ED55_8CCD
        z = (z ^ (z >> 33)) &* 0xC4CE_B9FE_1A85_EC53
        return z ^ (z >> 33)
    }

    /// The number of batches in the epoch.
    public var count: Int {
        dropLast ? order.count / batchSize : (order.count + batchSize - 1) / batchSize
    }

    /// The examples of batch `index`, gathered into a new tensor.
    public func batch(_ index: Int) -> Batch {
        precondition(index >= 0 && index < count, "Minibatches: batch \(index) out of 0..<\(count)")
        let start = index * batchSize
        let picked = order[start..<Swift.min(start + batchSize, order.count)]
        let perImage = dataset.imageShape.reduce(1, *)
        let source = dataset.images.scalars
        let scalars = [Float](unsafeUninitializedCapacity: picked.count * perImage) { out, initialized in
            source.withUnsafeBufferPointer { source in
                for (row, example) in picked.enumerated() {
                    let from = source.baseAddress! + example * perImage
                    (out.baseAddress! + row * perImage).initialize(from: from, count: perImage)
                }
            }
            initialized = picked.count * perImage
        }
        return Batch(inputs: Tensor(shape: [picked.count] + dataset.imageShape, scalars: scalars),
                     labels: picked.map { dataset.labels[$0] })
    }

    /// Yields the batches in order, each assembled when asked for.
    public struct Iterator: IteratorProtocol {
        let batches: Minibatches
        var index = 0

        public mutating func next() -> Batch? {
            guard index < batches.count else { return nil }
            defer { index += 1 }
            return batches.batch(index)
        }
    }

    /// Iterates the batches in order, assembling each on the calling thread.
    public func makeIterator() -> Iterator { Iterator(batches: self) }

    /// The number of batches.
    public var underestimatedCount: Int { count }

    /// The same batches, each assembled on a background thread while the previous one is in use.
    public func prefetched() -> PrefetchingMinibatches { PrefetchingMinibatches(batches: self) }
}
