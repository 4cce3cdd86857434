import CHDF5

/// An open dataset: an n-dimensional array of numbers or strings.
///
/// Its shape, element type and storage layout are read when it is opened; its elements only
/// by ``read(as:)`` or ``readStrings()``, which first check the allocation against the file's
/// ``HDF5Limits`` and, for contiguous storage, against the size of the file.
///
/// ```swift
/// let kernel = try file.root.dataset("model_weights/dense/dense/kernel:0")
/// print(kernel.shape, kernel.elementType)    // [784, 128] float32
/// let values = try kernel.read(as: Float.self)
/// ```
public final class HDF5Dataset: HDF5Object {
    /// How the elements are laid out in the file.
    public enum Layout: String, Equatable, Sendable {
        /// One block at a known offset.
        case contiguous
        /// Fixed-size chunks, possibly compressed.
        case chunked
        /// Inside the object header (small datasets).
        case compact
        /// Mapped from other datasets, possibly in other files (never read by this wrapper).
        case virtual
    }

    /// The dimensions; empty for a scalar.
    public let shape: [Int]
    /// The number of elements: the product of ``shape`` (1 for a scalar).
    public let elementCount: Int
    /// The element type stored in the file.
    public let elementType: HDF5ElementType
    /// How the elements are laid out in the file.
    public let layout: Layout
    /// The names of the filters applied to the chunks (`"deflate"`, `"shuffle"`), in order.
    public let filters: [String]
    /// Whether the elements live in external raw files (never read by this wrapper).
    public let usesExternalStorage: Bool

    init(context: HDF5Context, id: hid_t, path: String) throws {
        let handle = HDF5Handle(id, release: H5Dclose)
        let space = H5Dget_space(id)
        guard space >= 0 else {
            throw context.error(.readFailed, path, "cannot read dataspace", hdf5Detail: true)
        }
        defer { H5Sclose(space) }
        let extent = try HDF5Extent(spaceID: space, context: context, object: path)
        shape = extent.shape
        elementCount = extent.elementCount
        let type = H5Dget_type(id)
        guard type >= 0 else { throw context.error(.readFailed, path, "cannot read datatype", hdf5Detail: true) }
        defer { H5Tclose(type) }
        elementType = HDF5ElementType(typeID: type)
        let properties = H5Dget_create_plist(id)
        guard properties >= 0 else {
            throw context.error(.readFailed, path, "cannot read creation properties", hdf5Detail: true)
        }
        defer { H5Pclose(properties) }
        switch H5Pget_layout(properties) {
        case H5D_CONTIGUOUS: layout = .contiguous
        case H5D_CHUNKED: layout = .chunked
        case H5D_COMPACT: layout = .compact
        case H5D_VIRTUAL: layout = .virtual
        default: throw context.error(.unsupported, path, "unknown storage layout")
        }
        var filters: [String] = []
        let filterCount = H5Pget_nfilters(properties)
        if filterCount > 0 {
            for index in 0..<UInt32(filterCount) {
                var flags: UInt32 = 0
                var valueCount = 0
                var nameBuffer = [CChar](repeating: 0, count: 64)
                var config: UInt32 = 0
                let filter = H5Pget_filter2(
                    properties, index, &flags, &valueCount, nil, nameBuffer.count, &nameBuffer, &config)
                let name = String(decoding: nameBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                filters.append(name.isEmpty ? "filter \(filter)" : name)
            }
        }
        self.filters = filters
        usesExternalStorage = H5Pget_external_count(properties) > 0
        super.init(context: context, handle: handle, path: path, kind: .dataset)
    }

    /// The bytes the elements occupy in the file (after compression); 0 when not yet written.
    public var storageBytes: Int {
        guard handle.isOpen else { return 0 }
        return Int(clamping: H5Dget_storage_size(handle.id))
    }

    /// Reads all elements in row-major order, converted by HDF5 to `T`.
    ///
    /// An int32 dataset reads as `Float`, a float16 dataset as `Float` or `Float16`.
    /// Throws ``HDF5Error/Kind/typeMismatch`` for string datasets and
    /// ``HDF5Error/Kind/tooLarge``, before allocating, when the result would exceed
    /// ``HDF5Limits/maxDatasetBytes`` or a contiguous dataset claims more bytes than the file has.
    public func read<T: HDF5Scalar>(as type: T.Type = T.self) throws -> [T] {
        try withSource { try $0.readNumbers(as: type) }
    }

    /// Reads all elements of a string dataset (fixed- or variable-length).
    public func readStrings() throws -> [String] {
        try withSource { try $0.readStrings() }
    }

    /// Overwrites all elements with `values` (row-major), converted by HDF5 to the stored type.
    ///
    /// The file must be open for writing and `values.count` must equal ``elementCount``.
    public func write<T: HDF5Scalar>(_ values: [T]) throws {
        let id = try liveID()
        guard values.count == elementCount else {
            throw context.error(
                .invalidArgument, path, "dataset holds \(elementCount) elements but \(values.count) values were given")
        }
        guard elementType.isNumeric else {
            throw context.error(.typeMismatch, path, "cannot write \(T.self) values to a \(elementType) dataset")
        }
        try HDF5Writer.writeNumbers(values, context: context, object: path, what: "dataset") { memoryType, buffer in
            H5Dwrite(id, memoryType, compress_H5S_ALL(), compress_H5S_ALL(), compress_H5P_DEFAULT(), buffer)
        }
    }

    private func withSource<R>(_ body: (HDF5ReadSource) throws -> R) throws -> R {
        let id = try liveID()
        guard layout != .virtual else {
            throw context.error(.unsupported, path, "virtual datasets are not supported")
        }
        guard !usesExternalStorage else {
            throw context.error(.unsupported, path, "datasets stored in external files are not supported")
        }
        let space = H5Dget_space(id)
        guard space >= 0 else { throw context.error(.readFailed, path, "cannot read dataspace", hdf5Detail: true) }
        defer { H5Sclose(space) }
        let type = H5Dget_type(id)
        guard type >= 0 else { throw context.error(.readFailed, path, "cannot read datatype", hdf5Detail: true) }
        defer { H5Tclose(type) }
        let storage: HDF5ReadSource.Storage
        switch layout {
        case .contiguous:
            let offset = H5Dget_offset(id)
            storage = offset == compress_HADDR_UNDEF() ? .unbounded : .contiguous(offset: UInt64(offset))
        case .compact: storage = .inHeader
        case .chunked, .virtual: storage = .unbounded
        }
        let source = HDF5ReadSource(
            context: context, object: path, what: "dataset", objectID: id, fileTypeID: type, spaceID: space,
            elementCount: elementCount, storage: storage,
            read: { memoryType, buffer in
                H5Dread(id, memoryType, compress_H5S_ALL(), compress_H5S_ALL(), compress_H5P_DEFAULT(), buffer)
            })
        return try body(source)
    }
}
