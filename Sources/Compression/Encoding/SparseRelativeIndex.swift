/// The order in which a sparse tensor's elements are visited.
public enum ElementOrder: Sendable, Equatable {
    /// Row-major over the tensor's shape (Keras' `[in, out]` kernel: all outputs of one input first).
    case rowMajor
    /// Row-major over the transposed `[columns, rows]` view of the tensor seen as `[rows, columns]`
    /// (its last axis is `columns`): all inputs of one output first, as Caffe's `[out, in]` rows.
    case transposed(rows: Int, columns: Int)

    /// The element (row-major offset) visited at step `step`.
    @inline(__always)
    public func element(at step: Int) -> Int {
        switch self {
        case .rowMajor: return step
        case let .transposed(rows, columns): return (step % rows) * columns + step / rows
        }
    }
}

/// Deep Compression's relative indexing of a sparse tensor's kept elements (section 2).
///
/// Walking the elements in an ``ElementOrder``, each kept element is stored as the gap to the
/// previous kept one (the first as its step + 1), in `b` bits (`b` from 2 to 8). With `M = 2^b - 1`,
/// symbol `s < M` means "the next kept element is `s + 1` steps on", and symbol `M` is a
/// *filler*: a zero that advances `M` steps and keeps nothing. A gap larger than `M` becomes
/// fillers followed by the rest; trailing fillers then advance to within `M` steps of the end,
/// so every `M` elements of the tensor cost at least one symbol, which bounds what a reader
/// allocates by what the file holds. Fillers carry no weight value: their zero is implied.
///
/// ```swift
/// let index = SparseRelativeIndex(indexBits: 3)    // M = 7
/// let gaps = index.encode(keptSteps: [1, 12], stepCount: 30)
/// // [1, 7 (filler), 3, 7, 7] : 1 → step 1; filler → 8; 3 → 12; two trailing fillers → 26
/// ```
public struct SparseRelativeIndex: Sendable, Equatable {
    /// Accepted values of ``indexBits``.
    public static let indexBitsRange = 2...8

    /// The bits per gap, `b`.
    public let indexBits: Int

    public init(indexBits: Int) {
        precondition(SparseRelativeIndex.indexBitsRange.contains(indexBits), "SparseRelativeIndex: \(indexBits) index bits")
        self.indexBits = indexBits
    }

    /// `M = 2^b - 1`: the filler symbol, and the longest gap one symbol stores.
    public var filler: Int { (1 << indexBits) - 1 }
    /// The alphabet of gap symbols, `2^b`.
    public var alphabetSize: Int { 1 << indexBits }

    /// The gap symbols for kept steps (strictly increasing, each below `stepCount`).
    public func encode(keptSteps: [Int], stepCount: Int) -> [UInt8] {
        let m = filler
        var symbols: [UInt8] = []
        symbols.reserveCapacity(keptSteps.count + keptSteps.count / 8)
        var position = -1
        for step in keptSteps {
            precondition(step > position && step < stepCount, "SparseRelativeIndex: steps must increase and stay below \(stepCount)")
            var gap = step - position
            while gap > m {
                symbols.append(UInt8(m))
                gap -= m
            }
            symbols.append(UInt8(gap - 1))
            position = step
        }
        var rest = stepCount - 1 - position
        while rest >= m {
            symbols.append(UInt8(m))
            rest -= m
        }
        return symbols
    }

    /// The kept steps, in increasing order, of `symbols` over a tensor of `stepCount` elements.
    ///
    /// Throws when a gap runs past the end, or when the symbols stop `M` or more steps short of
    /// the end (the writer always advances that far with trailing fillers).
    public func decode(_ symbols: [UInt8], stepCount: Int, field: String) throws -> [Int] {
        let m = filler
        var kept: [Int] = []
        kept.reserveCapacity(symbols.count)
        var position = -1
        for symbol in symbols {
            let s = Int(symbol)
            guard s <= m else { throw EncodedDataError(field: field, "gap symbol \(s) does not fit \(indexBits) bits") }
            if s == m {
                position += m
            } else {
                position += s + 1
                kept.append(position)
            }
            guard position < stepCount else {
                throw EncodedDataError(field: field, "a gap runs past the end of the \(stepCount) elements")
            }
        }
        guard stepCount - 1 - position < m else {
            throw EncodedDataError(field: field, "gaps stop \(stepCount - 1 - position) elements before the end; at most \(m - 1) may remain")
        }
        return kept
    }
}
