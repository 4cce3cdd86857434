import CHDF5

/// The shape of a dataspace, counted with overflow checks.
struct HDF5Extent {
    /// Dimensions; empty for scalars and for empty (null) dataspaces.
    let shape: [Int]
    /// Product of the dimensions: 1 for a scalar, 0 for a null dataspace.
    let elementCount: Int

    init(spaceID: hid_t, context: HDF5Context, object: String) throws {
        switch H5Sget_simple_extent_type(spaceID) {
        case H5S_SCALAR:
            (shape, elementCount) = ([], 1)
        case H5S_NULL:
            (shape, elementCount) = ([], 0)
        case H5S_SIMPLE:
            let rank = H5Sget_simple_extent_ndims(spaceID)
            guard rank >= 0, rank <= 32 else {
                throw context.error(.readFailed, object, "cannot read dataspace", hdf5Detail: true)
            }
            var dims = [hsize_t](repeating: 0, count: Int(rank))
            guard H5Sget_simple_extent_dims(spaceID, &dims, nil) >= 0 else {
                throw context.error(.readFailed, object, "cannot read dataspace", hdf5Detail: true)
            }
            var count = 1
            var shape: [Int] = []
            for dim in dims {
                guard dim <= hsize_t(Int.max) else {
                    throw context.error(.tooLarge, object, "dimension \(dim) is too large")
                }
                let (product, overflow) = count.multipliedReportingOverflow(by: Int(dim))
                guard !overflow else {
                    throw context.error(.tooLarge, object, "shape \(dims) has too many elements to count")
                }
                count = product
                shape.append(Int(dim))
            }
            (self.shape, elementCount) = (shape, count)
        default:
            throw context.error(.readFailed, object, "cannot read dataspace", hdf5Detail: true)
        }
    }

    /// A new dataspace for `shape` (scalar when empty); the caller closes it with `H5Sclose`.
    static func makeSpace(shape: [Int]) -> hid_t {
        if shape.isEmpty { return H5Screate(H5S_SCALAR) }
        let dims = shape.map { hsize_t($0) }
        return H5Screate_simple(Int32(dims.count), dims, nil)
    }

    /// The element count of a shape to be written, checking it matches `count`.
    static func validate(shape: [Int], count: Int, context: HDF5Context, object: String) throws {
        guard shape.count <= 32, shape.allSatisfy({ $0 >= 0 }) else {
            throw context.error(.invalidArgument, object, "invalid shape \(shape)")
        }
        var product = 1
        for dim in shape {
            let (next, overflow) = product.multipliedReportingOverflow(by: dim)
            guard !overflow else { throw context.error(.invalidArgument, object, "shape \(shape) is too large") }
            product = next
        }
        guard product == count else {
            throw context.error(
                .invalidArgument, object, "shape \(shape) holds \(product) elements but \(count) values were given")
        }
    }
}

/// A dataset or attribute about to be read: everything the allocation guard and the
/// conversion need, with the HDF5 read call as a closure.
struct HDF5ReadSource {
    /// Where the stored bytes live, which decides what the file size can prove.
    enum Storage {
        /// Contiguous data at a known file offset: offset + stored bytes must fit in the file.
        case contiguous(offset: UInt64)
        /// Data inside the object header (attributes, compact datasets): must fit in the file.
        case inHeader
        /// Chunked (possibly compressed) or not yet allocated: only the byte limit applies,
        /// since compression and unallocated chunks make the file size no bound.
        case unbounded
    }

    let context: HDF5Context
    let object: String
    /// "dataset" or `attribute "name"`, for messages.
    let what: String
    let objectID: hid_t
    let fileTypeID: hid_t
    let spaceID: hid_t
    let elementCount: Int
    let storage: Storage
    let read: (_ memoryType: hid_t, _ buffer: UnsafeMutableRawPointer) -> herr_t

    /// Refuses the read before anything is allocated when it needs more than the limit or
    /// claims more stored bytes than the file holds.
    func checkAllocation(memoryElementSize: Int) throws {
        let limit = context.limits.maxDatasetBytes
        let (memoryBytes, overflow) = elementCount.multipliedReportingOverflow(by: memoryElementSize)
        guard !overflow, memoryBytes <= limit else {
            let needed = overflow ? "more than \(Int.max) bytes" : Self.format(bytes: memoryBytes)
            throw context.error(
                .tooLarge, object, "\(what) needs \(needed), more than the limit of \(Self.format(bytes: limit))")
        }
        let fileTypeSize = max(1, H5Tget_size(fileTypeID))
        let (storedBytes, storedOverflow) = elementCount.multipliedReportingOverflow(by: fileTypeSize)
        let start: UInt64
        switch storage {
        case .unbounded: return
        case .inHeader: start = 0
        case .contiguous(let offset): start = offset
        }
        let fileSize = try self.fileSize()
        let (end, endOverflow) = start.addingReportingOverflow(UInt64(storedOverflow ? Int.max : storedBytes))
        guard !storedOverflow, !endOverflow, end <= fileSize else {
            throw context.error(
                .tooLarge, object,
                "\(what) claims \(elementCount) elements of \(fileTypeSize) bytes but the file holds only \(fileSize) bytes")
        }
    }

    private func fileSize() throws -> UInt64 {
        let fileID = H5Iget_file_id(objectID)
        guard fileID >= 0 else {
            throw context.error(.readFailed, object, "cannot determine the file size", hdf5Detail: true)
        }
        defer { H5Fclose(fileID) }
        var size: hsize_t = 0
        guard H5Fget_filesize(fileID, &size) >= 0 else {
            throw context.error(.readFailed, object, "cannot determine the file size", hdf5Detail: true)
        }
        return size
    }

    /// Reads every element, converted by HDF5 to `T`.
    func readNumbers<T: HDF5Scalar>(as _: T.Type) throws -> [T] {
        let stored = HDF5ElementType(typeID: fileTypeID)
        guard stored.isNumeric else {
            throw context.error(.typeMismatch, object, "cannot read \(stored) \(what) as \(T.self)")
        }
        try checkAllocation(memoryElementSize: MemoryLayout<T>.stride)
        if elementCount == 0 { return [] }
        let memoryType = T.hdf5ElementType.makeTypeID(inFile: false)
        guard memoryType >= 0 else {
            throw context.error(.readFailed, object, "cannot make the memory type for \(T.self)", hdf5Detail: true)
        }
        defer { H5Tclose(memoryType) }
        var status: herr_t = -1
        var failure: HDF5Error?
        let values = [T](unsafeUninitializedCapacity: elementCount) { buffer, initialized in
            status = read(memoryType, UnsafeMutableRawPointer(buffer.baseAddress!))
            if status < 0 {
                failure = context.error(.readFailed, object, "cannot read \(what)", hdf5Detail: true)
                initialized = 0
            } else {
                initialized = elementCount
            }
        }
        if let failure { throw failure }
        return values
    }

    /// Reads every element of a string dataset or attribute (fixed- or variable-length).
    ///
    /// An empty dataset or attribute of any type reads as `[]`, which is how h5py stores an
    /// empty Python list.
    func readStrings() throws -> [String] {
        if elementCount == 0 { return [] }
        let stored = HDF5ElementType(typeID: fileTypeID)
        guard stored == .string else {
            throw context.error(.typeMismatch, object, "cannot read \(stored) \(what) as strings")
        }
        if H5Tis_variable_str(fileTypeID) > 0 {
            return try readVariableLengthStrings()
        }
        return try readFixedLengthStrings()
    }

    private func readVariableLengthStrings() throws -> [String] {
        try checkAllocation(memoryElementSize: MemoryLayout<UnsafeMutablePointer<CChar>?>.stride)
        let memoryType = H5Tcopy(compress_H5T_C_S1())
        guard memoryType >= 0 else { throw context.error(.readFailed, object, "cannot make a string type") }
        defer { H5Tclose(memoryType) }
        _ = H5Tset_size(memoryType, compress_H5T_VARIABLE())
        _ = H5Tset_cset(memoryType, H5Tget_cset(fileTypeID))
        var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: elementCount)
        return try pointers.withUnsafeMutableBufferPointer { buffer in
            let raw = UnsafeMutableRawPointer(buffer.baseAddress!)
            guard read(memoryType, raw) >= 0 else {
                throw context.error(.readFailed, object, "cannot read \(what)", hdf5Detail: true)
            }
            defer { _ = H5Dvlen_reclaim(memoryType, spaceID, compress_H5P_DEFAULT(), raw) }
            return buffer.map { pointer in pointer.map { String(cString: $0) } ?? "" }
        }
    }

    private func readFixedLengthStrings() throws -> [String] {
        let size = H5Tget_size(fileTypeID)
        guard size > 0 else { throw context.error(.readFailed, object, "\(what) has an invalid string size") }
        try checkAllocation(memoryElementSize: size)
        let memoryType = H5Tcopy(fileTypeID)
        guard memoryType >= 0 else { throw context.error(.readFailed, object, "cannot make a string type") }
        defer { H5Tclose(memoryType) }
        let spacePadded = H5Tget_strpad(fileTypeID) == H5T_STR_SPACEPAD
        var bytes = [UInt8](repeating: 0, count: elementCount * size)
        let status = bytes.withUnsafeMutableBytes { read(memoryType, $0.baseAddress!) }
        guard status >= 0 else {
            throw context.error(.readFailed, object, "cannot read \(what)", hdf5Detail: true)
        }
        return (0..<elementCount).map { index in
            var element = bytes[(index * size)..<((index + 1) * size)]
            if let end = element.firstIndex(of: 0) { element = element[..<end] }
            if spacePadded {
                while element.last == UInt8(ascii: " ") { element = element.dropLast() }
            }
            return String(decoding: element, as: UTF8.self)
        }
    }

    static func format(bytes: Int) -> String {
        let units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        if unit == 0 { return "\(bytes) bytes" }
        let rounded = (value * 10).rounded() / 10
        return "\(rounded) \(units[unit])"
    }
}

/// Writes numbers and strings through a caller-supplied HDF5 write call.
enum HDF5Writer {
    /// Writes `values` with `T`'s memory type through `write`.
    static func writeNumbers<T: HDF5Scalar>(
        _ values: [T], context: HDF5Context, object: String, what: String,
        write: (_ memoryType: hid_t, _ buffer: UnsafeRawPointer) -> herr_t
    ) throws {
        if values.isEmpty { return }
        let memoryType = T.hdf5ElementType.makeTypeID(inFile: false)
        guard memoryType >= 0 else {
            throw context.error(.writeFailed, object, "cannot make the memory type for \(T.self)", hdf5Detail: true)
        }
        defer { H5Tclose(memoryType) }
        let status = values.withUnsafeBytes { write(memoryType, $0.baseAddress!) }
        guard status >= 0 else {
            throw context.error(.writeFailed, object, "cannot write \(what)", hdf5Detail: true)
        }
    }

    /// A new variable-length UTF-8 string type, as h5py writes a Python `str`.
    static func makeVariableLengthStringType() -> hid_t {
        let type = H5Tcopy(compress_H5T_C_S1())
        guard type >= 0 else { return -1 }
        guard H5Tset_size(type, compress_H5T_VARIABLE()) >= 0, H5Tset_cset(type, H5T_CSET_UTF8) >= 0 else {
            H5Tclose(type)
            return -1
        }
        return type
    }

    /// A new fixed-length, null-padded ASCII string type of `size` bytes: numpy's `S` dtype.
    static func makeFixedLengthStringType(size: Int) -> hid_t {
        let type = H5Tcopy(compress_H5T_C_S1())
        guard type >= 0 else { return -1 }
        guard H5Tset_size(type, max(1, size)) >= 0, H5Tset_strpad(type, H5T_STR_NULLPAD) >= 0,
            H5Tset_cset(type, H5T_CSET_ASCII) >= 0
        else {
            H5Tclose(type)
            return -1
        }
        return type
    }

    /// Packs strings into one buffer of `size`-byte null-padded elements.
    static func packFixedLength(_ strings: [String]) -> (bytes: [UInt8], size: Int) {
        let encoded = strings.map { Array($0.utf8) }
        let size = max(1, encoded.map(\.count).max() ?? 1)
        var bytes = [UInt8](repeating: 0, count: size * encoded.count)
        for (index, element) in encoded.enumerated() {
            bytes.replaceSubrange((index * size)..<(index * size + element.count), with: element)
        }
        return (bytes, size)
    }
}
