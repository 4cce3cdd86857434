import Foundation

/// One array in NumPy's `.npy` format, as `np.save` writes it and `.npz` archives hold it.
///
/// The file is the magic `\x93NUMPY`, a version (1.0, 2.0 or 3.0), the length of a header, and
/// the header: a Python dict literal such as `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 28, 28), }`.
/// The elements follow in C (row-major) order. Little-endian (or byte-sized) integers and floats
/// are read; big-endian data, Fortran order, and object, string, record or complex arrays are
/// refused with a ``DataError`` that says so. The data must be exactly what the header's shape
/// describes, so a lying header allocates nothing beyond the bytes really present.
///
/// ```swift
/// let x = try NumPyArray(bytes: Array(try Data(contentsOf: url)), file: url.path)
/// print(x.shape, x.elementType)   // [60000, 28, 28] uint8
/// ```
public struct NumPyArray: Sendable {
    /// The element types read: NumPy's `descr` codes `u1`…`f8`.
    public enum ElementType: String, Sendable, CaseIterable, CustomStringConvertible {
        case uint8 = "u1", int8 = "i1", uint16 = "u2", int16 = "i2", uint32 = "u4", int32 = "i4"
        case uint64 = "u8", int64 = "i8", float32 = "f4", float64 = "f8", bool = "b1"

        /// The size of one element in bytes.
        public var byteWidth: Int { Int(rawValue.dropFirst())! }
        /// Whether the elements are floating-point numbers.
        public var isFloat: Bool { self == .float32 || self == .float64 }
        /// NumPy's name, e.g. `float32`.
        public var description: String {
            switch self {
            case .bool: return "bool"
            case .float32, .float64: return "float\(8 * byteWidth)"
            default: return (rawValue.first == "u" ? "uint" : "int") + String(8 * byteWidth)
            }
        }
    }

    /// The default limit on a NumPy file or archive read as data, and on one array in it: 4 GiB.
    public static let defaultByteLimit = 1 << 32

    /// The file (or `archive: member`) the array came from, as named in errors.
    public let file: String
    public let elementType: ElementType
    /// The extent of each axis, outermost first; empty for a scalar.
    public let shape: [Int]
    /// The raw little-endian elements, `shape.reduce(1, *) * elementType.byteWidth` bytes.
    private let data: ArraySlice<UInt8>

    /// The number of elements.
    public var count: Int { shape.reduce(1, *) }

    /// Creates an array in memory from its little-endian element bytes, e.g. to write it with ``encoded()``.
    public init(shape: [Int], elementType: ElementType, littleEndianBytes: [UInt8], file: String = "<memory>") {
        precondition(shape.allSatisfy { $0 >= 0 } && shape.reduce(elementType.byteWidth, *) == littleEndianBytes.count,
                     "NumPyArray: shape \(shape) of \(elementType) does not match \(littleEndianBytes.count) bytes")
        self.file = file
        self.elementType = elementType
        self.shape = shape
        data = littleEndianBytes[...]
    }

    /// An array of float32 values.
    public init(shape: [Int], floats: [Float]) {
        self.init(shape: shape, elementType: .float32, littleEndianBytes: floats.flatMap { value in
            (0..<4).map { UInt8(truncatingIfNeeded: value.bitPattern >> (8 * $0)) }
        })
    }

    /// An array of int64 values.
    public init(shape: [Int], integers: [Int64]) {
        self.init(shape: shape, elementType: .int64, littleEndianBytes: integers.flatMap { value in
            (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
        })
    }

    /// The array in `.npy` format 1.0, as `np.save` writes it: C order, the header padded to 64 bytes.
    public func encoded() -> [UInt8] {
        let order = elementType.byteWidth == 1 ? "|" : "<"
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(order)\(elementType.rawValue)', 'fortran_order': False, 'shape': \(shapeText), }"
        header += String(repeating: " ", count: 63 - (10 + header.utf8.count) % 64) + "\n"
        let length = header.utf8.count
        return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)] + Array(header.utf8) + Array(data)
    }

    /// Parses `.npy` bytes.
    ///
    /// - Throws: ``DataError`` naming `file`: not a `.npy` file, an unreadable header, an unsupported
    ///   type or layout, or data that does not match the header's shape.
    public init(bytes: [UInt8], file: String) throws {
        self.file = file
        let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)
        guard bytes.count >= 10, bytes.starts(with: magic) else {
            throw DataError.unreadable(file: file, reason: "not a NumPy .npy array (no \\x93NUMPY magic)")
        }
        let major = bytes[6]
        let headerStart: Int, headerLength: Int
        switch major {
        case 1:
            headerStart = 10
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        case 2, 3:
            guard bytes.count >= 12 else { throw DataError.truncated(file: file, expectedBytes: 12, actualBytes: bytes.count) }
            headerStart = 12
            headerLength = (8..<12).reduce(0) { $0 | Int(bytes[$1]) << (8 * ($1 - 8)) }
        default:
            throw DataError.unsupportedDataType(file: file, field: "format version", found: "\(major).\(bytes[7])",
                                                supported: "1.0, 2.0 and 3.0")
        }
        guard headerLength <= bytes.count - headerStart else {
            throw DataError.truncated(file: file, expectedBytes: headerStart + headerLength, actualBytes: bytes.count)
        }
        let header = try NumPyHeader(String(decoding: bytes[headerStart ..< headerStart + headerLength], as: UTF8.self),
                                     file: file)
        guard !header.fortranOrder else {
            throw DataError.unsupportedDataType(file: file, field: "layout", found: "Fortran order",
                                                supported: "C order (np.ascontiguousarray before np.save)")
        }
        let descr = header.descr
        let order = descr.first
        guard let type = ElementType(rawValue: String(descr.dropFirst())), order == "<" || order == "|" || order == "=" else {
            let found = order == ">" ? "big-endian \(descr)" : "'\(descr)'"
            throw DataError.unsupportedDataType(file: file, field: "dtype", found: found,
                                                supported: "little-endian uint8, int8-int64, uint16-uint64, float32, float64, bool")
        }
        elementType = type
        shape = header.shape
        let dataStart = headerStart + headerLength
        var expected = type.byteWidth
        for extent in shape {
            let (product, overflow) = expected.multipliedReportingOverflow(by: extent)
            guard !overflow, product <= bytes.count else {
                throw DataError.truncated(file: file, expectedBytes: overflow ? Int.max : dataStart + product,
                                          actualBytes: bytes.count)
            }
            expected = product
        }
        let actual = bytes.count - dataStart
        if actual < expected { throw DataError.truncated(file: file, expectedBytes: dataStart + expected, actualBytes: bytes.count) }
        if actual > expected { throw DataError.trailingBytes(file: file, expectedBytes: dataStart + expected) }
        data = bytes[dataStart...]
    }

    /// The elements as bytes; only for ``ElementType/uint8`` arrays.
    public func bytes() -> [UInt8] {
        precondition(elementType == .uint8, "NumPyArray: bytes() of a \(elementType) array")
        return Array(data)
    }

    /// The elements as floats (float64 rounded to the nearest float32; integers converted).
    public func floats() -> [Float] {
        switch elementType {
        case .float32:
            // The host is little-endian, as the data: a copy of the bytes (which need not be aligned).
            return [Float](unsafeUninitializedCapacity: count) { out, initialized in
                data.withUnsafeBytes { raw in
                    if let base = raw.baseAddress { UnsafeMutableRawPointer(out.baseAddress!).copyMemory(from: base, byteCount: raw.count) }
                }
                initialized = count
            }
        case .uint8:
            return data.map { Float($0) }
        default:
            return mapElements { Float($0) }
        }
    }

    /// The elements as doubles; 64-bit integers beyond 2^53 are rounded.
    public func doubles() -> [Double] {
        mapElements { $0 }
    }

    /// Each element, read as a double, through `transform`.
    private func mapElements<T>(_ transform: (Double) -> T) -> [T] {
        let width = elementType.byteWidth
        return data.withUnsafeBytes { raw in
            (0..<count).map { i in
                var bits: UInt64 = 0
                for b in 0..<width { bits |= UInt64(raw[i * width + b]) << (8 * b) }
                return transform(NumPyArray.value(bits: bits, type: elementType))
            }
        }
    }

    /// One element from its little-endian bits.
    private static func value(bits: UInt64, type: ElementType) -> Double {
        switch type {
        case .uint8, .uint16, .uint32, .uint64, .bool: return Double(bits)
        case .int8: return Double(Int8(truncatingIfNeeded: bits))
        case .int16: return Double(Int16(truncatingIfNeeded: bits))
        case .int32: return Double(Int32(truncatingIfNeeded: bits))
        case .int64: return Double(Int64(bitPattern: bits))
        case .float32: return Double(Float(bitPattern: UInt32(truncatingIfNeeded: bits)))
        case .float64: return Double(bitPattern: bits)
        }
    }
}

/// The three keys of a `.npy` header dict, parsed from its Python literal.
private struct NumPyHeader {
    var descr = ""
    var fortranOrder = false
    var shape: [Int] = []

    init(_ text: String, file: String) throws {
        func bad(_ what: String) -> DataError {
            .unreadable(file: file, reason: "unreadable .npy header (\(what)): \(text.prefix(120))")
        }
        guard let descr = NumPyHeader.value(of: "descr", in: text), descr.count >= 2,
              descr.first == "'" || descr.first == "\"" else {
            // A list here is a record (structured) dtype.
            throw DataError.unsupportedDataType(file: file, field: "dtype",
                                                found: NumPyHeader.value(of: "descr", in: text).map { String($0.prefix(40)) } ?? "none",
                                                supported: "a plain numeric dtype such as '<f4' or '|u1'")
        }
        self.descr = String(descr.dropFirst().prefix { $0 != "'" && $0 != "\"" })
        guard let order = NumPyHeader.value(of: "fortran_order", in: text) else { throw bad("no fortran_order") }
        switch order.prefix(while: { $0.isLetter }) {
        case "False": fortranOrder = false
        case "True": fortranOrder = true
        default: throw bad("fortran_order is neither True nor False")
        }
        guard let shapeText = NumPyHeader.value(of: "shape", in: text), shapeText.first == "(",
              let close = shapeText.firstIndex(of: ")") else { throw bad("no shape tuple") }
        let items = shapeText[shapeText.index(after: shapeText.startIndex) ..< close]
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        for item in items {
            guard let extent = Int(item.hasSuffix("L") ? String(item.dropLast()) : item), extent >= 0 else {
                throw bad("shape entry '\(item.prefix(20))'")
            }
            shape.append(extent)
        }
    }

    /// The text after `'key':` up to the end of the dict, spaces skipped.
    private static func value(of key: String, in text: String) -> Substring? {
        for quote in ["'", "\""] {
            if let range = text.range(of: "\(quote)\(key)\(quote)") {
                let rest = text[range.upperBound...].drop { $0 == " " }
                guard rest.first == ":" else { return nil }
                return rest.dropFirst().drop { $0 == " " }
            }
        }
        return nil
    }
}
