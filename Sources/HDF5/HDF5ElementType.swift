import CHDF5

/// The type of the elements of a dataset or attribute, as stored in the file.
///
/// Byte order is not part of it: HDF5 converts big-endian data on read.
public enum HDF5ElementType: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// IEEE floating point of 16, 32 or 64 bits.
    case float16, float32, float64
    /// Signed two's-complement integers of 8, 16, 32 or 64 bits.
    case int8, int16, int32, int64
    /// Unsigned integers of 8, 16, 32 or 64 bits.
    case uint8, uint16, uint32, uint64
    /// Fixed- or variable-length strings.
    case string
    /// Anything else (compound, enum, bfloat16, ...), with a short description.
    case other(String)

    /// Whether HDF5 can convert these elements to and from the Swift number types.
    public var isNumeric: Bool {
        switch self {
        case .string, .other: false
        default: true
        }
    }

    /// Bytes per element of the numeric types; `nil` for strings and other types.
    public var byteSize: Int? {
        switch self {
        case .int8, .uint8: 1
        case .float16, .int16, .uint16: 2
        case .float32, .int32, .uint32: 4
        case .float64, .int64, .uint64: 8
        case .string, .other: nil
        }
    }

    /// The numpy-style name: `float32`, `int8`, `string`.
    public var description: String {
        switch self {
        case .float16: "float16"
        case .float32: "float32"
        case .float64: "float64"
        case .int8: "int8"
        case .int16: "int16"
        case .int32: "int32"
        case .int64: "int64"
        case .uint8: "uint8"
        case .uint16: "uint16"
        case .uint32: "uint32"
        case .uint64: "uint64"
        case .string: "string"
        case .other(let text): text
        }
    }
}

extension HDF5ElementType {
    /// Classifies an HDF5 datatype.
    init(typeID: hid_t) {
        let size = H5Tget_size(typeID)
        switch H5Tget_class(typeID) {
        case H5T_FLOAT:
            var signPosition = 0, exponentPosition = 0, exponentSize = 0
            var mantissaPosition = 0, mantissaSize = 0
            _ = H5Tget_fields(
                typeID, &signPosition, &exponentPosition, &exponentSize, &mantissaPosition, &mantissaSize)
            switch (size, exponentSize, mantissaSize) {
            case (2, 5, 10): self = .float16
            case (4, 8, 23): self = .float32
            case (8, 11, 52): self = .float64
            case (2, 8, 7): self = .other("bfloat16")
            default: self = .other("float\(size * 8) (e\(exponentSize)m\(mantissaSize))")
            }
        case H5T_INTEGER:
            let signed = H5Tget_sign(typeID) == H5T_SGN_2
            switch (size, signed) {
            case (1, true): self = .int8
            case (2, true): self = .int16
            case (4, true): self = .int32
            case (8, true): self = .int64
            case (1, false): self = .uint8
            case (2, false): self = .uint16
            case (4, false): self = .uint32
            case (8, false): self = .uint64
            default: self = .other("\(signed ? "int" : "uint")\(size * 8)")
            }
        case H5T_STRING: self = .string
        case H5T_COMPOUND: self = .other("compound")
        case H5T_ENUM: self = .other("enum")
        case H5T_ARRAY: self = .other("array")
        case H5T_VLEN: self = .other("vlen")
        case H5T_OPAQUE: self = .other("opaque")
        case H5T_REFERENCE: self = .other("reference")
        case H5T_BITFIELD: self = .other("bitfield")
        case H5T_TIME: self = .other("time")
        default: self = .other("unknown")
        }
    }

    /// A new datatype for these elements (the caller closes it with `H5Tclose`), or `-1` for
    /// strings and other types.
    ///
    /// Memory types are the native ones; file types are the little-endian standard ones that
    /// numpy and h5py write. float16 is built the way h5py builds it (IEEE binary16).
    func makeTypeID(inFile: Bool) -> hid_t {
        let predefined: hid_t
        switch self {
        case .float16:
            let type = H5Tcopy(compress_H5T_IEEE_F32LE())
            guard type >= 0 else { return -1 }
            guard H5Tset_fields(type, 15, 10, 5, 0, 10) >= 0, H5Tset_size(type, 2) >= 0,
                H5Tset_ebias(type, 15) >= 0
            else {
                H5Tclose(type)
                return -1
            }
            return type
        case .float32: predefined = inFile ? compress_H5T_IEEE_F32LE() : compress_H5T_NATIVE_FLOAT()
        case .float64: predefined = inFile ? compress_H5T_IEEE_F64LE() : compress_H5T_NATIVE_DOUBLE()
        case .int8: predefined = inFile ? compress_H5T_STD_I8LE() : compress_H5T_NATIVE_INT8()
        case .int16: predefined = inFile ? compress_H5T_STD_I16LE() : compress_H5T_NATIVE_INT16()
        case .int32: predefined = inFile ? compress_H5T_STD_I32LE() : compress_H5T_NATIVE_INT32()
        case .int64: predefined = inFile ? compress_H5T_STD_I64LE() : compress_H5T_NATIVE_INT64()
        case .uint8: predefined = inFile ? compress_H5T_STD_U8LE() : compress_H5T_NATIVE_UINT8()
        case .uint16: predefined = inFile ? compress_H5T_STD_U16LE() : compress_H5T_NATIVE_UINT16()
        case .uint32: predefined = inFile ? compress_H5T_STD_U32LE() : compress_H5T_NATIVE_UINT32()
        case .uint64: predefined = inFile ? compress_H5T_STD_U64LE() : compress_H5T_NATIVE_UINT64()
        case .string, .other: return -1
        }
        return H5Tcopy(predefined)
    }
}
