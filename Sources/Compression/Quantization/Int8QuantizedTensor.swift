import TensorCore

/// A tensor stored as int8 codes with a scale and zero point per tensor or per channel:
/// `value = scale[c] * (code - zeroPoint[c])`, computed in `Float`.
///
/// - symmetric: `scale = max|w| / 127`, codes in `-127...127`, zero point 0;
/// - asymmetric: 256 levels spanning `[min(w, 0), max(w, 0)]` with a zero point, so zero stays
///   exact (pruned weights stay zero either way).
///
/// Per channel, every index along ``axis`` (the output channel of a kernel) gets its own scale
/// and zero point, fitted to that channel's values alone. The rounding is that of TensorCore's
/// `Int8Quantization` (to nearest, ties to even).
///
/// ```swift
/// let q = Int8QuantizedTensor(quantizing: kernel, symmetric: true, axis: kernel.rank - 1)
/// let restored = q.dequantized()        // what the model evaluates with
/// ```
public struct Int8QuantizedTensor: Equatable, Sendable {
    /// The shape of the tensor.
    public let shape: [Int]
    /// The codes, row-major.
    public let codes: [Int8]
    /// One scale per channel (`[shape[axis]]`), or one for the whole tensor.
    public let scales: [Float]
    /// One zero point per scale; all 0 for symmetric quantization.
    public let zeroPoints: [Int32]
    /// The channel axis, or nil for one scale for the whole tensor.
    public let axis: Int?

    /// Quantizes `tensor`, per tensor (`axis` nil) or per index along `axis`.
    ///
    /// - Precondition: every element is finite; `axis` is one of the tensor's axes.
    public init(quantizing tensor: Tensor, symmetric: Bool, axis: Int?) {
        if let axis { precondition((0..<tensor.rank).contains(axis), "Int8QuantizedTensor: no axis \(axis) in shape \(tensor.shape)") }
        let values = tensor.scalars
        let layout = ChannelLayout(shape: tensor.shape, axis: axis)
        var channelValues = [[Float]](repeating: [], count: layout.channels)
        for i in values.indices { channelValues[layout.channel(of: i)].append(values[i]) }
        let quantizations = channelValues.map { channel in
            symmetric ? Int8Quantization.symmetric(fitting: channel) : Int8Quantization.asymmetric(fitting: channel)
        }
        self.shape = tensor.shape
        self.codes = values.indices.map { quantizations[layout.channel(of: $0)].quantize(values[$0]) }
        self.scales = quantizations.map(\.scale)
        self.zeroPoints = quantizations.map { Int32($0.zeroPoint) }
        self.axis = axis
    }

    /// Rebuilds a quantized tensor from stored parts, checking that they fit together.
    ///
    /// - Throws: ``CompressionError`` naming the part that does not fit: codes of another count
    ///   than the shape, an axis outside it, scales or zero points of the wrong count, a scale
    ///   that is not positive and finite, a zero point outside Int8.
    public init(shape: [Int], codes: [Int8], scales: [Float], zeroPoints: [Int32], axis: Int?) throws {
        guard shape.allSatisfy({ $0 >= 0 }), codes.count == shape.reduce(1, *) else {
            throw CompressionError("int8_values: \(codes.count) codes for shape \(shape)")
        }
        if let axis, !(0..<shape.count).contains(axis) {
            throw CompressionError("int8_axis: \(axis) is not an axis of shape \(shape)")
        }
        let channels = axis.map { shape[$0] } ?? 1
        guard scales.count == channels else { throw CompressionError("scales: \(scales.count) values, expected \(channels)") }
        guard zeroPoints.count == channels else { throw CompressionError("zero_points: \(zeroPoints.count) values, expected \(channels)") }
        try Self.checkTable(scales: scales, zeroPoints: zeroPoints)
        self.shape = shape
        self.codes = codes
        self.scales = scales
        self.zeroPoints = zeroPoints
        self.axis = axis
    }

    /// Throws unless every scale is positive and finite and every zero point lies in -128...127.
    public static func checkTable(scales: [Float], zeroPoints: [Int32]) throws {
        guard scales.allSatisfy({ $0 > 0 && $0.isFinite }) else { throw CompressionError("scales: every scale must be positive and finite") }
        guard zeroPoints.allSatisfy({ (-128...127).contains($0) }) else { throw CompressionError("zero_points: every zero point must lie in -128...127") }
    }

    /// The real values `scale * (code - zeroPoint)`, in the tensor's shape.
    public func dequantized() -> Tensor {
        let layout = ChannelLayout(shape: shape, axis: axis)
        return Tensor(shape: shape, scalars: codes.indices.map { i in
            let c = layout.channel(of: i)
            return scales[c] * Float(Int32(codes[i]) - zeroPoints[c])
        })
    }
}

/// Which channel each row-major element belongs to.
private struct ChannelLayout {
    let channels: Int
    let inner: Int

    init(shape: [Int], axis: Int?) {
        guard let axis else { channels = 1; inner = 1; return }
        channels = shape[axis]
        inner = shape[(axis + 1)...].reduce(1, *)
    }

    func channel(of index: Int) -> Int { channels == 1 ? 0 : (index / inner) % channels }
}
