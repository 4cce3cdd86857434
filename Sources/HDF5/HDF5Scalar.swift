/// A Swift number type that datasets and attributes can be read into and written from.
///
/// HDF5 converts between the stored type and the requested one, so an int32 dataset can be
/// read as `Float` and a float16 dataset as `Float`. Conforming types: `Float16`, `Float`,
/// `Double`, `Int8`, `Int16`, `Int32`, `Int64`, `Int` (as int64), `UInt8`, `UInt16`,
/// `UInt32`, `UInt64`.
///
/// ```swift
/// let kernel: [Float] = try dataset.read(as: Float.self)
/// ```
public protocol HDF5Scalar: BitwiseCopyable, Sendable {
    /// The HDF5 element type with exactly this Swift type's memory layout.
    static var hdf5ElementType: HDF5ElementType { get }
}

#if !(os(macOS) && arch(x86_64))
@available(macOS 11.0, iOS 14.0, tvOS 14.0, watchOS 7.0, *)
extension Float16: HDF5Scalar { public static var hdf5ElementType: HDF5ElementType { .float16 } }
#endif
extension Float: HDF5Scalar { public static var hdf5ElementType: HDF5ElementType { .float32 } }
extension Double: HDF5Scalar { public static var hdf5ElementType: HDF5ElementType { .float64 } }
extension Int8: HDF5Scalar { public static var hdf5ElementType: HDF5ElementType { .int8 } }
extension Int16: HDF5Scalar { public static var hdf5ElementType: HDF5ElementType { .int16 } }
extension Int32: HDF5Scalar { public static var hdf5ElementType: HDF5ElementType { .int32 } }
extension Int64: HDF5Scalar { public static var hdf5ElementType: HDF5ElementType { .int64 } }
extension UInt8: HDF5Scalar { public static var hdf5ElementType: HDF5ElementType { .uint8 } }
extension UInt16: HDF5Scalar { public static var hdf5ElementType: HDF5ElementType { .uint16 } }
extension UInt32: HDF5Scalar { public static var hdf5ElementType: HDF5ElementType { .uint32 } }
extension UInt64: HDF5Scalar { public static var hdf5ElementType: HDF5ElementType { .uint64 } }
extension Int: HDF5Scalar {
    public static var hdf5ElementType: HDF5ElementType {
        MemoryLayout<Int>.size == 8 ? .int64 : .int32
    }
}
