import CHDF5

/// An open attribute of a group or dataset: small named metadata such as Keras's
/// `model_config` JSON string or its `layer_names` list.
///
/// ```swift
/// let names = try file.root.group("model_weights").attribute("layer_names").readStrings()
/// let config = try file.root.attribute("model_config").readString()
/// ```
public final class HDF5Attribute {
    let context: HDF5Context
    let handle: HDF5Handle

    /// The attribute's name.
    public let name: String
    /// The path of the object the attribute is attached to.
    public let objectPath: String
    /// The dimensions; empty for a scalar.
    public let shape: [Int]
    /// The number of elements: 1 for a scalar.
    public let elementCount: Int
    /// The stored element type.
    public let elementType: HDF5ElementType

    init(context: HDF5Context, id: hid_t, name: String, objectPath: String) throws {
        self.context = context
        self.handle = HDF5Handle(id, release: H5Aclose)
        self.name = name
        self.objectPath = objectPath
        let space = H5Aget_space(id)
        guard space >= 0 else {
            throw context.error(.readFailed, objectPath, "attribute \"\(name)\": cannot read dataspace", hdf5Detail: true)
        }
        defer { H5Sclose(space) }
        let extent = try HDF5Extent(spaceID: space, context: context, object: objectPath)
        shape = extent.shape
        elementCount = extent.elementCount
        let type = H5Aget_type(id)
        guard type >= 0 else {
            throw context.error(.readFailed, objectPath, "attribute \"\(name)\": cannot read type", hdf5Detail: true)
        }
        defer { H5Tclose(type) }
        elementType = HDF5ElementType(typeID: type)
    }

    /// Reads all elements, converted by HDF5 to `T` (row-major order).
    ///
    /// Throws ``HDF5Error/Kind/typeMismatch`` for string attributes and
    /// ``HDF5Error/Kind/tooLarge`` when the attribute exceeds the file's limits.
    public func read<T: HDF5Scalar>(as type: T.Type = T.self) throws -> [T] {
        try withSource { try $0.readNumbers(as: type) }
    }

    /// Reads all elements of a string attribute, fixed- or variable-length.
    ///
    /// Fixed-length strings end at the first NUL (numpy's `S` dtype pads with NULs). An empty
    /// attribute of any type reads as `[]`, as h5py stores an empty list.
    public func readStrings() throws -> [String] {
        try withSource { try $0.readStrings() }
    }

    /// Reads an attribute holding exactly one string (a scalar or a one-element array).
    public func readString() throws -> String {
        let strings = try readStrings()
        guard strings.count == 1 else {
            throw context.error(
                .typeMismatch, objectPath, "attribute \"\(name)\" holds \(strings.count) strings, expected one")
        }
        return strings[0]
    }

    /// Closes the attribute now instead of when it is released.
    public func close() {
        handle.close()
    }

    private func withSource<R>(_ body: (HDF5ReadSource) throws -> R) throws -> R {
        HDF5Library.silenceErrors()
        guard handle.isOpen else { throw context.error(.closed, objectPath, "attribute \"\(name)\" already closed") }
        let id = handle.id
        let what = "attribute \"\(name)\""
        let space = H5Aget_space(id)
        guard space >= 0 else { throw context.error(.readFailed, objectPath, "\(what): cannot read dataspace", hdf5Detail: true) }
        defer { H5Sclose(space) }
        let type = H5Aget_type(id)
        guard type >= 0 else { throw context.error(.readFailed, objectPath, "\(what): cannot read type", hdf5Detail: true) }
        defer { H5Tclose(type) }
        let source = HDF5ReadSource(
            context: context, object: objectPath, what: what, objectID: id, fileTypeID: type,
            spaceID: space, elementCount: elementCount, storage: .inHeader,
            read: { memoryType, buffer in H5Aread(id, memoryType, buffer) })
        return try body(source)
    }
}
