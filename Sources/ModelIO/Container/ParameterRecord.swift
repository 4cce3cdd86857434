import Compression
import NN
import TensorCore

/// How a parameter record stores the values of its kept elements.
enum StoredValues {
    case float32
    /// Half-precision bit patterns; `declared` restores the parameter's FP16 quantization state.
    case float16(declared: Bool)
    case int8(Int8QuantizedTensor)
    /// Centroid indices; `bits` restores the parameter's k-means bit width when recorded,
    /// `float16` its FP16 state (centroids rounded to halves). `byUse` lists the centroids most
    /// used first, which makes the Huffman code lengths of their indices ascend and their table
    /// short; only for a strictly ascending codebook, which the reader gets back by sorting.
    case codebook(Codebook, bits: Int?, float16: Bool, byUse: Bool)

    var code: UInt8 {
        switch self {
        case .float32: 0
        case .float16: 1
        case .int8: 2
        case .codebook: 3
        }
    }

    var name: String {
        switch self {
        case .float32: "float32"
        case .float16: "float16"
        case .int8: "int8"
        case .codebook: "codebook"
        }
    }
}

/// Where a record's stored values sit: every element, or a relative index over some of them.
enum StoredPositions {
    case dense
    case sparse(SparseRelativeIndex, ElementOrder)
}

/// The flags byte that opens a parameter record (docs/FORMAT.md).
struct RecordFlags {
    static let valuesMask: UInt8 = 0x03
    static let sparse: UInt8 = 0x04
    static let mask: UInt8 = 0x08
    static let surgery: UInt8 = 0x10
    static let transposed: UInt8 = 0x20
    /// float16: FP16 state declared; int8: zero points all zero (omitted); codebook: a zero symbol.
    static let variant: UInt8 = 0x40
    /// The index stream has a second Huffman code, for the gaps that follow a filler.
    static let indexContexts: UInt8 = 0x80
}

/// The byte that opens a codebook: k-means bits (0 = not recorded) and three flags.
enum CodebookHeader {
    static let bitsMask: UInt8 = 0x1F
    /// Centroids listed most used first; the codebook is them in ascending order.
    static let byUse: UInt8 = 0x20
    /// Centroids stored as 16-bit halves (all are exactly representable).
    static let halfCentroids: UInt8 = 0x40
    /// The parameter's quantization state is FP16.
    static let float16: UInt8 = 0x80
}

/// A parameter as a record rebuilds it.
struct DecodedParameter {
    /// Every element, row-major; elements without a stored value are +0.0.
    var values: [Float]
    var mask: [Float]?
    var maskMode: MaskMode
    var codebook: Codebook?
    var quantization: ParameterQuantization?
}

/// Writes and reads the record of one parameter (docs/FORMAT.md, "Parameter record").
enum ParameterRecord {
    /// Writes the smallest record that gives back `parameter`'s weights bit for bit, choosing
    /// dense or sparse positions, the element order, the index width among `indexBits` and FP16
    /// storage where they apply.
    ///
    /// - Throws: ``EncodedDataError`` when the weights do not match their codebook or int8 codes.
    static func encode(_ parameter: Parameter, quantization: ParameterQuantization?, indexBits: [Int]) throws
        -> (bytes: [UInt8], summary: CompressedParameterSummary) {
        let shape = parameter.shape
        let count = parameter.count
        var values = parameter.value.scalars
        let maskValues = parameter.mask?.scalars
        if let maskValues {
            for i in 0..<count where maskValues[i] == 0 { values[i] = 0 }
        }
        let keptByMask = maskValues.map { $0.map { $0 != 0 } }
        func isKept(_ i: Int) -> Bool { keptByMask?[i] ?? true }

        // The representations that reproduce the weights, and which elements a sparse record may omit.
        var representations: [StoredValues]
        var omittable: [Bool]
        if let codebook = parameter.codebook {
            guard codebook.centroids.count <= 1 << 16 else {
                throw EncodedDataError(field: parameter.name, "a codebook of \(codebook.centroids.count) centroids is more than 65536")
            }
            for i in 0..<count where isKept(i) {
                let a = Int(codebook.assignments[i])
                let expected: Float = a >= 0 ? codebook.centroids[a] : 0
                guard values[i].bitPattern == expected.bitPattern else {
                    throw EncodedDataError(field: parameter.name, "weight element \(i) is \(values[i]), but its centroid is \(expected); the codebook does not match the weights")
                }
            }
            var bits: Int?
            if case .weightSharing(let recorded)? = quantization { bits = recorded }
            representations = [.codebook(codebook, bits: bits, float16: quantization == .float16, byUse: false)]
            if zip(codebook.centroids, codebook.centroids.dropFirst()).allSatisfy({ $0 < $1 }) {
                representations.append(.codebook(codebook, bits: bits, float16: quantization == .float16, byUse: true))
            }
            omittable = codebook.assignments.map { $0 < 0 }
        } else if case .int8(let quantized)? = quantization {
            guard quantized.shape == shape else {
                throw EncodedDataError(field: parameter.name, "int8 codes have shape \(quantized.shape), the weight \(shape)")
            }
            let dequantized = quantized.dequantized().scalars
            for i in 0..<count where isKept(i) && dequantized[i].bitPattern != values[i].bitPattern {
                throw EncodedDataError(field: parameter.name, "weight element \(i) is \(values[i]), but its int8 code gives \(dequantized[i])")
            }
            representations = [.int8(quantized)]
            let channels = Int8Channels(shape: shape, axis: quantized.axis)
            omittable = (0..<count).map { Int32(quantized.codes[$0]) == quantized.zeroPoints[channels.channel(of: $0)] }
        } else {
            let halfExact = values.allSatisfy { Float16Bits.decode(Float16Bits.encode($0)).bitPattern == $0.bitPattern }
            if quantization == .float16 {
                guard halfExact else { throw EncodedDataError(field: parameter.name, "is marked float16 but holds values that are not halves") }
                representations = [.float16(declared: true)]
            } else {
                representations = halfExact ? [.float32, .float16(declared: false)] : [.float32]
            }
            omittable = values.map { $0.bitPattern == 0 }
        }

        var orders: [ElementOrder] = [.rowMajor]
        if shape.count >= 2, let columns = shape.last, columns > 1, count / columns > 1 {
            orders.append(.transposed(rows: count / columns, columns: columns))
        }
        let sparseChoices = indexBits.flatMap { bits in orders.map { StoredPositions.sparse(SparseRelativeIndex(indexBits: bits), $0) } }
        var positionChoices: [StoredPositions] = []
        var kept: [Bool]
        if let keptByMask {
            kept = keptByMask
            positionChoices = kept.contains(false) ? sparseChoices : [.dense]
        } else {
            kept = omittable.map { !$0 }
            positionChoices = [.dense]
            if omittable.contains(true) { positionChoices += sparseChoices }
        }

        var best: (bytes: [UInt8], summary: CompressedParameterSummary)?
        for representation in representations {
            for positions in positionChoices {
                let keptHere: [Bool]
                if case .dense = positions { keptHere = [Bool](repeating: true, count: count) } else { keptHere = kept }
                let candidate = write(name: parameter.name, shape: shape, values: values, kept: keptHere, positions: positions,
                                      representation: representation, mask: parameter.mask == nil ? nil : parameter.maskMode)
                if best == nil || candidate.bytes.count < best!.bytes.count { best = candidate }
            }
        }
        return best!
    }

    /// Writes one record with the given choices.
    private static func write(name: String, shape: [Int], values: [Float], kept: [Bool], positions: StoredPositions,
                              representation: StoredValues, mask: MaskMode?) -> (bytes: [UInt8], summary: CompressedParameterSummary) {
        var writer = ByteWriter()
        var flags = representation.code
        if mask != nil { flags |= RecordFlags.mask }
        if mask == .surgery { flags |= RecordFlags.surgery }
        writer.append(0)   // the flags, set at the end
        writer.append(0)   // the stream modes and index bits, set at the end
        var streams: [SymbolStreamStatistics] = []
        var keptElements: [Int] = []
        var indexStream: SymbolStreamStatistics?
        var indexBits: Int?
        var orderName: String?
        switch positions {
        case .dense:
            keptElements = Array(0..<values.count)
        case let .sparse(index, order):
            flags |= RecordFlags.sparse
            orderName = "row-major"
            if case .transposed = order {
                flags |= RecordFlags.transposed
                orderName = "transposed"
            }
            var keptSteps: [Int] = []
            for step in 0..<values.count {
                let element = order.element(at: step)
                if kept[element] {
                    keptSteps.append(step)
                    keptElements.append(element)
                }
            }
            indexBits = index.indexBits
            let gaps = index.encode(keptSteps: keptSteps, stepCount: values.count)
            writer.appendVarint(gaps.count)
            indexStream = SymbolStream.write(gaps, alphabetSize: index.alphabetSize, contextSymbol: UInt8(index.filler), to: &writer)
            if indexStream!.mode == .contextHuffman { flags |= RecordFlags.indexContexts }
            streams.append(indexStream!)
        }

        var valueStreams: [SymbolStreamStatistics] = []
        var tableBytes = 0
        var centroidCount: Int?
        switch representation {
        case .float32:
            let bits = keptElements.map { values[$0].bitPattern }
            for plane in 0..<4 {
                let symbols = bits.map { UInt8(truncatingIfNeeded: $0 >> UInt32(8 * plane)) }
                valueStreams.append(SymbolStream.write(symbols, alphabetSize: 256, to: &writer))
            }
        case .float16(let declared):
            if declared { flags |= RecordFlags.variant }
            let bits = keptElements.map { Float16Bits.encode(values[$0]) }
            for plane in 0..<2 {
                let symbols = bits.map { UInt8(truncatingIfNeeded: $0 >> UInt16(8 * plane)) }
                valueStreams.append(SymbolStream.write(symbols, alphabetSize: 256, to: &writer))
            }
        case .int8(let quantized):
            let zeroPointsOmitted = quantized.zeroPoints.allSatisfy { $0 == 0 }
            if zeroPointsOmitted { flags |= RecordFlags.variant }
            writer.appendVarint(quantized.axis.map { $0 + 1 } ?? 0)
            let start = writer.count
            for scale in quantized.scales { writer.appendFloat32(scale) }
            if !zeroPointsOmitted {
                for zeroPoint in quantized.zeroPoints { writer.append(UInt8(bitPattern: Int8(zeroPoint))) }
            }
            tableBytes = writer.count - start
            let symbols = keptElements.map { UInt8(bitPattern: quantized.codes[$0]) }
            valueStreams.append(SymbolStream.write(symbols, alphabetSize: 256, to: &writer))
        case let .codebook(codebook, bits, float16, byUse):
            let k = codebook.centroids.count
            var indices = keptElements.map { codebook.assignments[$0] < 0 ? k : Int(codebook.assignments[$0]) }
            let hasZero = indices.contains(k)
            if hasZero { flags |= RecordFlags.variant }
            var listed = codebook.centroids
            if byUse {
                var uses = [Int](repeating: 0, count: k + 1)
                for index in indices { uses[index] += 1 }
                let order = (0..<k).sorted { (uses[$1], $0) < (uses[$0], $1) }   // most used first, ties by value
                var position = [Int](repeating: k, count: k + 1)
                for (listedAt, centroid) in order.enumerated() { position[centroid] = listedAt }
                listed = order.map { codebook.centroids[$0] }
                indices = indices.map { position[$0] }
            }
            let halfCentroids = codebook.centroids.allSatisfy { Float16Bits.decode(Float16Bits.encode($0)).bitPattern == $0.bitPattern }
            writer.append(UInt8(bits ?? 0) | (halfCentroids ? CodebookHeader.halfCentroids : 0) | (float16 ? CodebookHeader.float16 : 0)
                          | (byUse ? CodebookHeader.byUse : 0))
            writer.appendVarint(k)
            let start = writer.count
            for centroid in listed {
                if halfCentroids {
                    let half = Float16Bits.encode(centroid)
                    writer.append(UInt8(truncatingIfNeeded: half))
                    writer.append(UInt8(truncatingIfNeeded: half >> 8))
                } else {
                    writer.appendFloat32(centroid)
                }
            }
            tableBytes = writer.count - start
            centroidCount = k
            valueStreams = writeIndices(indices, alphabetSize: k + (hasZero ? 1 : 0), to: &writer)
        }
        streams += valueStreams
        var modes = UInt8(indexBits.map { $0 - 2 } ?? 0) << 5
        for (i, stream) in streams.enumerated() where stream.mode != .raw { modes |= 1 << UInt8(i) }
        var bytes = writer.bytes
        bytes[0] = flags
        bytes[1] = modes
        var centroidsByUse: Bool?
        if case let .codebook(_, _, _, byUse) = representation { centroidsByUse = byUse }
        let summary = CompressedParameterSummary(
            name: name, shape: shape, stored: keptElements.count, encoding: representation.name, centroids: centroidCount,
            centroidsByUse: centroidsByUse, sparse: indexBits != nil, indexBits: indexBits, order: orderName, mask: mask?.rawValue,
            valueStreams: valueStreams, indexStream: indexStream, tableBytes: tableBytes, bytes: bytes.count)
        return (bytes, summary)
    }

    /// Codebook indices: one stream for up to 256 symbols, else a low-byte and a high-byte stream.
    private static func writeIndices(_ indices: [Int], alphabetSize: Int, to writer: inout ByteWriter) -> [SymbolStreamStatistics] {
        if alphabetSize <= 256 {
            return [SymbolStream.write(indices.map { UInt8($0) }, alphabetSize: alphabetSize, to: &writer)]
        }
        let low = SymbolStream.write(indices.map { UInt8(truncatingIfNeeded: $0) }, alphabetSize: 256, to: &writer)
        let high = SymbolStream.write(indices.map { UInt8($0 >> 8) }, alphabetSize: (alphabetSize + 255) / 256, to: &writer)
        return [low, high]
    }

    /// Reads a record for a parameter of `shape`; every count is checked against the bytes left.
    ///
    /// With `expand` false only the summary comes back: memory stays proportional to what the
    /// record stores, however many elements its fillers span (what `inspect` needs).
    static func decode(from cursor: inout ByteCursor, name: String, shape: [Int], expand: Bool = true) throws
        -> (DecodedParameter?, CompressedParameterSummary) {
        let start = cursor.position
        let count = shape.reduce(1, *)
        let flags = try cursor.readByte("\(name): flags")
        let hasMask = flags & RecordFlags.mask != 0
        let isSparse = flags & RecordFlags.sparse != 0
        let transposed = flags & RecordFlags.transposed != 0
        let variant = flags & RecordFlags.variant != 0
        guard hasMask || flags & RecordFlags.surgery == 0 else {
            throw EncodedDataError(field: "\(name): flags", "surgery mode without a mask")
        }
        guard isSparse || !transposed else { throw EncodedDataError(field: "\(name): flags", "element order set on a dense record") }
        guard isSparse || flags & RecordFlags.indexContexts == 0 else {
            throw EncodedDataError(field: "\(name): flags", "index codes set on a dense record")
        }
        let modes = try cursor.readByte("\(name): stream modes")
        var streamCount = 0
        /// The mode of the next stream of the record, from its bit in `modes`.
        func nextMode() -> SymbolStreamMode {
            defer { streamCount += 1 }
            return modes & (1 << UInt8(streamCount)) != 0 ? .huffman : .raw
        }

        guard isSparse || modes >> 5 == 0 else { throw EncodedDataError(field: "\(name): stream modes", "index bits set on a dense record") }
        var keptElements: [Int]? = nil
        var indexStream: SymbolStreamStatistics?
        var indexBits: Int?
        var orderName: String?
        if isSparse {
            let bits = Int(modes >> 5) + 2
            guard SparseRelativeIndex.indexBitsRange.contains(bits) else {
                throw EncodedDataError(field: "\(name): index bits", "\(bits) is outside 2...8")
            }
            let order: ElementOrder
            if transposed {
                guard shape.count >= 2, let columns = shape.last, columns > 1, count / columns > 1 else {
                    throw EncodedDataError(field: "\(name): flags", "transposed order on shape \(shape)")
                }
                order = .transposed(rows: count / columns, columns: columns)
            } else {
                order = .rowMajor
            }
            let index = SparseRelativeIndex(indexBits: bits)
            let gapCount = try cursor.readVarint("\(name): gap count", max: cursor.remaining * 8)
            var mode = nextMode()
            if flags & RecordFlags.indexContexts != 0 {
                guard mode == .huffman else { throw EncodedDataError(field: "\(name): flags", "a second index code on a raw index stream") }
                mode = .contextHuffman
            }
            let (gaps, stats) = try SymbolStream.read(count: gapCount, alphabetSize: index.alphabetSize, mode: mode,
                                                      contextSymbol: UInt8(index.filler), from: &cursor, field: "\(name): index stream")
            let steps = try index.decode(gaps, stepCount: count, field: "\(name): index stream")
            keptElements = steps.map(order.element(at:))
            indexStream = stats
            indexBits = bits
            orderName = transposed ? "transposed" : "row-major"
        }
        let storedCount = keptElements?.count ?? count
        /// The element of the `j`-th stored value.
        func element(_ j: Int) -> Int { keptElements?[j] ?? j }

        var stored: [Float] = []   // the value of each stored element, in storage order
        /// Every element's value, codebook and quantization from the stored values (what `expand` builds).
        let expansion: ([Float]) throws -> (values: [Float], codebook: Codebook?, quantization: ParameterQuantization?)
        var valueStreams: [SymbolStreamStatistics] = []
        var tableBytes = 0
        var centroidCount: Int?, centroidsByUse: Bool?
        let kind = flags & RecordFlags.valuesMask
        func planes(_ n: Int) throws -> [[UInt8]] {
            try (0..<n).map { plane in
                let (symbols, stats) = try SymbolStream.read(count: storedCount, alphabetSize: 256, mode: nextMode(), from: &cursor,
                                                             field: "\(name): value plane \(plane)")
                valueStreams.append(stats)
                return symbols
            }
        }
        /// Every element, row-major: the stored values in place, zero elsewhere.
        func scattered(_ stored: [Float]) -> [Float] {
            guard let keptElements else { return stored }
            var values = [Float](repeating: 0, count: count)
            for (j, element) in keptElements.enumerated() { values[element] = stored[j] }
            return values
        }
        switch kind {
        case 0:
            guard !variant else { throw EncodedDataError(field: "\(name): flags", "unknown float32 variant") }
            let p = try planes(4)
            stored = (0..<storedCount).map { j in
                Float(bitPattern: UInt32(p[0][j]) | UInt32(p[1][j]) << 8 | UInt32(p[2][j]) << 16 | UInt32(p[3][j]) << 24)
            }
            expansion = { (scattered($0), nil, nil) }
        case 1:
            let p = try planes(2)
            stored = (0..<storedCount).map { j in Float16Bits.decode(UInt16(p[0][j]) | UInt16(p[1][j]) << 8) }
            expansion = { (scattered($0), nil, variant ? .float16 : nil) }
        case 2:
            let axisCode = try cursor.readVarint("\(name): int8 axis", max: shape.count)
            let axis = axisCode == 0 ? nil : axisCode - 1
            let channels = axis.map { shape[$0] } ?? 1
            let tableStart = cursor.position
            let scales = try cursor.readFloat32s("\(name): int8 scales", count: channels)
            var zeroPoints = [Int32](repeating: 0, count: channels)
            if !variant {
                let range = try cursor.skip("\(name): int8 zero points", count: channels)
                zeroPoints = cursor.bytes[range].map { Int32(Int8(bitPattern: $0)) }
            }
            tableBytes = cursor.position - tableStart
            do {
                try Int8QuantizedTensor.checkTable(scales: scales, zeroPoints: zeroPoints)
            } catch let error as CompressionError {
                throw EncodedDataError(field: "\(name): int8", error.description)
            }
            let (symbols, stats) = try SymbolStream.read(count: storedCount, alphabetSize: 256, mode: nextMode(), from: &cursor,
                                                         field: "\(name): int8 codes")
            valueStreams.append(stats)
            let layout = Int8Channels(shape: shape, axis: axis)
            stored = (0..<storedCount).map { j in
                let c = layout.channel(of: element(j))
                return scales[c] * Float(Int32(Int8(bitPattern: symbols[j])) - zeroPoints[c])
            }
            expansion = { _ in
                var codes = (0..<count).map { Int8(truncatingIfNeeded: zeroPoints[layout.channel(of: $0)]) }
                for j in 0..<storedCount { codes[element(j)] = Int8(bitPattern: symbols[j]) }
                let quantized: Int8QuantizedTensor
                do {
                    quantized = try Int8QuantizedTensor(shape: shape, codes: codes, scales: scales, zeroPoints: zeroPoints, axis: axis)
                } catch let error as CompressionError {
                    throw EncodedDataError(field: "\(name): int8", error.description)
                }
                return (quantized.dequantized().scalars, nil, .int8(quantized))
            }
        default:
            let header = try cursor.readByte("\(name): codebook header")
            let bits = Int(header & CodebookHeader.bitsMask)
            guard bits <= 16 else { throw EncodedDataError(field: "\(name): codebook header", "unknown header \(header)") }
            let k = try cursor.readVarint("\(name): centroid count", max: bits == 0 ? 1 << 16 : 1 << bits)
            guard k >= 1 else { throw EncodedDataError(field: "\(name): centroid count", "must be at least 1") }
            let tableStart = cursor.position
            var centroids: [Float]
            if header & CodebookHeader.halfCentroids != 0 {
                let range = try cursor.skip("\(name): centroids", count: 2 * k)
                centroids = stride(from: range.lowerBound, to: range.upperBound, by: 2).map {
                    Float16Bits.decode(UInt16(cursor.bytes[$0]) | UInt16(cursor.bytes[$0 + 1]) << 8)
                }
            } else {
                centroids = try cursor.readFloat32s("\(name): centroids", count: k)
            }
            tableBytes = cursor.position - tableStart
            // Listed by use: the codebook is the centroids in ascending order, indices mapped.
            var ascendingPosition: [Int]?   // of each listed centroid, when listed by use
            if header & CodebookHeader.byUse != 0 {
                guard !centroids.contains(where: \.isNaN) else {
                    throw EncodedDataError(field: "\(name): centroids", "listed by use, they must be distinct numbers")
                }
                let order = (0..<k).sorted { centroids[$0] < centroids[$1] }
                let ascending = order.map { centroids[$0] }
                guard zip(ascending, ascending.dropFirst()).allSatisfy({ $0 < $1 }) else {
                    throw EncodedDataError(field: "\(name): centroids", "listed by use, they must be distinct numbers")
                }
                var position = Array(0...k)   // the zero symbol k stays k
                for (ascendingAt, listedAt) in order.enumerated() { position[listedAt] = ascendingAt }
                ascendingPosition = position
                centroids = ascending
            }
            let alphabet = k + (variant ? 1 : 0)
            var indices: [Int]
            if alphabet <= 256 {
                let (symbols, stats) = try SymbolStream.read(count: storedCount, alphabetSize: alphabet, mode: nextMode(), from: &cursor,
                                                             field: "\(name): centroid indices")
                valueStreams.append(stats)
                indices = symbols.map(Int.init)
            } else {
                let (low, lowStats) = try SymbolStream.read(count: storedCount, alphabetSize: 256, mode: nextMode(), from: &cursor,
                                                            field: "\(name): centroid indices (low byte)")
                let (high, highStats) = try SymbolStream.read(count: storedCount, alphabetSize: (alphabet + 255) / 256, mode: nextMode(),
                                                              from: &cursor, field: "\(name): centroid indices (high byte)")
                valueStreams += [lowStats, highStats]
                indices = zip(low, high).map { Int($0) | Int($1) << 8 }
                if let bad = indices.first(where: { $0 >= alphabet }) {
                    throw EncodedDataError(field: "\(name): centroid indices", "index \(bad) is outside the \(alphabet) symbols")
                }
            }
            if let ascendingPosition { indices = indices.map { ascendingPosition[$0] } }
            stored = indices.map { $0 < k ? centroids[$0] : 0 }
            let isFloat16 = header & CodebookHeader.float16 != 0
            guard !isFloat16 || bits == 0 else { throw EncodedDataError(field: "\(name): codebook header", "both k-means bits and FP16 state") }
            let quantization: ParameterQuantization? = isFloat16 ? .float16 : bits > 0 ? .weightSharing(bits: bits) : nil
            expansion = { stored in
                var assignments = [Int32](repeating: -1, count: count)
                for (j, index) in indices.enumerated() where index < k { assignments[element(j)] = Int32(index) }
                return (scattered(stored), Codebook(assignments: assignments, centroids: centroids), quantization)
            }
            centroidCount = k
            centroidsByUse = header & CodebookHeader.byUse != 0
        }
        guard modes & 0x1F & ~UInt8((1 << streamCount) - 1) == 0 else {
            throw EncodedDataError(field: "\(name): stream modes", "modes set for streams the record does not have")
        }
        if let bad = stored.firstIndex(where: { !$0.isFinite }) {
            throw EncodedDataError(field: "\(name): values", "element \(element(bad)) is \(stored[bad]); weights must be finite")
        }
        let maskMode: MaskMode = flags & RecordFlags.surgery != 0 ? .surgery : .pruned
        var decoded: DecodedParameter?
        if expand {
            let (values, codebook, quantization) = try expansion(stored)
            var mask: [Float]?
            if hasMask {
                var bits = [Float](repeating: keptElements == nil ? 1 : 0, count: count)
                keptElements?.forEach { bits[$0] = 1 }
                mask = bits
            }
            decoded = DecodedParameter(values: values, mask: mask, maskMode: maskMode, codebook: codebook, quantization: quantization)
        }
        let encodingName = ["float32", "float16", "int8", "codebook"][Int(kind)]
        let summary = CompressedParameterSummary(
            name: name, shape: shape, stored: storedCount, encoding: encodingName, centroids: centroidCount,
            centroidsByUse: centroidsByUse, sparse: isSparse,
            indexBits: indexBits, order: orderName, mask: hasMask ? maskMode.rawValue : nil, valueStreams: valueStreams,
            indexStream: indexStream, tableBytes: tableBytes, bytes: cursor.position - start)
        return (decoded, summary)
    }
}

/// Which int8 channel each row-major element belongs to (as `Int8QuantizedTensor` lays them out).
struct Int8Channels {
    let channels: Int
    let inner: Int

    init(shape: [Int], axis: Int?) {
        guard let axis else { channels = 1; inner = 1; return }
        channels = shape[axis]
        inner = shape[(axis + 1)...].reduce(1, *)
    }

    func channel(of index: Int) -> Int { channels == 1 ? 0 : (index / inner) % channels }
}

