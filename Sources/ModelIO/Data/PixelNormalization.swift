/// How pixel bytes (0...255) become the floats a model sees.
///
/// The default, ``unit``, divides by 255 into `[0, 1]`: the convention of the Keras and PyTorch
/// MNIST examples, so models trained by them evaluate correctly here. Arrays are mapped through a
/// 256-entry table. Pixels stored as floats (in an HDF5 file) are taken as already normalised.
///
/// ```swift
/// PixelNormalization.unit.apply(255)            // 1.0
/// PixelNormalization.mnistStandard.apply(0)     // -0.4242
/// ```
public enum PixelNormalization: String, CaseIterable, Sendable {
    /// `x / 255`, into `[0, 1]` (the default).
    case unit
    /// `((x / 255) - 0.1307) / 0.3081`: MNIST's mean and standard deviation, as in PyTorch's example.
    case mnistStandard = "mnist-standard"
    /// The bytes as they are, `0...255`.
    case raw
    /// `x / 127.5 - 1`, into `[-1, 1]`.
    case centered

    /// The normalised value of one pixel byte.
    public func apply(_ byte: UInt8) -> Float {
        switch self {
        case .unit: return Float(byte) / 255
        case .mnistStandard: return (Float(byte) / 255 - 0.1307) / 0.3081
        case .raw: return Float(byte)
        case .centered: return Float(byte) / 127.5 - 1
        }
    }

    /// The normalised values of `bytes`, in order.
    public func apply(_ bytes: [UInt8]) -> [Float] {
        let table = (0...255).map { apply(UInt8($0)) }
        return [Float](unsafeUninitializedCapacity: bytes.count) { out, initialized in
            table.withUnsafeBufferPointer { table in
                bytes.withUnsafeBufferPointer { input in
                    for i in 0..<input.count { out[i] = table[Int(input[i])] }
                }
            }
            initialized = bytes.count
        }
    }
}
