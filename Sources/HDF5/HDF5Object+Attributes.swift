import CHDF5

extension HDF5Object {
    /// The names of this object's attributes, in name order.
    public func attributeNames() throws -> [String] {
        let id = try liveID()
        final class Names { var values: [String] = [] }
        let names = Names()
        var index: hsize_t = 0
        let status = withExtendedLifetime(names) {
            H5Aiterate2(id, H5_INDEX_NAME, H5_ITER_INC, &index, { _, name, _, data in
                guard let name, let data else { return -1 }
                Unmanaged<Names>.fromOpaque(data).takeUnretainedValue().values.append(String(cString: name))
                return 0
            }, Unmanaged.passUnretained(names).toOpaque())
        }
        guard status >= 0 else {
            throw context.error(.readFailed, path, "cannot list attributes", hdf5Detail: true)
        }
        return names.values
    }

    /// Whether this object has an attribute called `name`.
    public func hasAttribute(_ name: String) throws -> Bool {
        let id = try liveID()
        let exists = H5Aexists(id, name)
        guard exists >= 0 else {
            throw context.error(.readFailed, path, "cannot look up attribute \"\(name)\"", hdf5Detail: true)
        }
        return exists > 0
    }

    /// Opens the attribute called `name`.
    ///
    /// ```swift
    /// let config = try file.root.attribute("model_config").readString()
    /// ```
    public func attribute(_ name: String) throws -> HDF5Attribute {
        guard try hasAttribute(name) else {
            throw context.error(.notFound, path, "no attribute \"\(name)\"")
        }
        let attribute = H5Aopen(handle.id, name, compress_H5P_DEFAULT())
        guard attribute >= 0 else {
            throw context.error(.readFailed, path, "cannot open attribute \"\(name)\"", hdf5Detail: true)
        }
        return try HDF5Attribute(context: context, id: attribute, name: name, objectPath: path)
    }

    /// Stores one string as a scalar variable-length UTF-8 attribute (what h5py writes for a
    /// Python `str`), replacing any attribute of that name.
    ///
    /// Only a reference lives in the object header, so the string may be of any length.
    public func setAttribute(_ name: String, string: String) throws {
        let type = HDF5Writer.makeVariableLengthStringType()
        guard type >= 0 else { throw context.error(.writeFailed, path, "cannot make a string type") }
        defer { H5Tclose(type) }
        try writeAttribute(name, fileType: type, shape: []) { attribute in
            string.withCString { characters in
                var pointer: UnsafePointer<CChar>? = characters
                return H5Awrite(attribute, type, &pointer)
            }
        }
    }

    /// Stores strings as a one-dimensional array of fixed-length, null-padded byte strings
    /// (numpy's `S` dtype, as Keras writes `layer_names` and `weight_names`), replacing any
    /// attribute of that name. The element size is the longest string's UTF-8 length.
    ///
    /// The array lives in the object header, which holds at most 64 KiB unless the file was
    /// created with ``HDF5File/Format/largeAttributes``.
    public func setAttribute(_ name: String, strings: [String]) throws {
        let (bytes, size) = HDF5Writer.packFixedLength(strings)
        let type = HDF5Writer.makeFixedLengthStringType(size: size)
        guard type >= 0 else { throw context.error(.writeFailed, path, "cannot make a string type") }
        defer { H5Tclose(type) }
        try writeAttribute(name, fileType: type, shape: [strings.count]) { attribute in
            if strings.isEmpty { return 0 }
            return bytes.withUnsafeBytes { H5Awrite(attribute, type, $0.baseAddress!) }
        }
    }

    /// Stores numbers as an attribute of `T`'s standard little-endian type, replacing any
    /// attribute of that name.
    ///
    /// - Parameters:
    ///   - name: The attribute name.
    ///   - values: The elements in row-major order.
    ///   - shape: The dimensions; `nil` means one dimension of `values.count`, `[]` a scalar.
    public func setAttribute<T: HDF5Scalar>(_ name: String, values: [T], shape: [Int]? = nil) throws {
        let shape = shape ?? [values.count]
        try HDF5Extent.validate(shape: shape, count: values.count, context: context, object: path)
        let type = T.hdf5ElementType.makeTypeID(inFile: true)
        guard type >= 0 else { throw context.error(.writeFailed, path, "cannot make the file type for \(T.self)") }
        defer { H5Tclose(type) }
        try writeAttribute(name, fileType: type, shape: shape) { attribute in
            try HDF5Writer.writeNumbers(
                values, context: context, object: path, what: "attribute \"\(name)\""
            ) { memoryType, buffer in H5Awrite(attribute, memoryType, buffer) }
            return 0
        }
    }

    /// Removes the attribute called `name`; throws ``HDF5Error/Kind/notFound`` when there is none.
    public func deleteAttribute(_ name: String) throws {
        guard try hasAttribute(name) else {
            throw context.error(.notFound, path, "no attribute \"\(name)\"")
        }
        guard H5Adelete(handle.id, name) >= 0 else {
            throw context.error(.writeFailed, path, "cannot delete attribute \"\(name)\"", hdf5Detail: true)
        }
    }

    /// Creates (replacing) an attribute and fills it with `write`.
    private func writeAttribute(
        _ name: String, fileType: hid_t, shape: [Int], write: (_ attribute: hid_t) throws -> herr_t
    ) throws {
        if try hasAttribute(name) {
            try deleteAttribute(name)
        }
        let id = handle.id
        let space = HDF5Extent.makeSpace(shape: shape)
        guard space >= 0 else {
            throw context.error(.writeFailed, path, "cannot make a dataspace for attribute \"\(name)\"", hdf5Detail: true)
        }
        defer { H5Sclose(space) }
        let attribute = H5Acreate2(id, name, fileType, space, compress_H5P_DEFAULT(), compress_H5P_DEFAULT())
        guard attribute >= 0 else {
            throw context.error(.writeFailed, path, "cannot create attribute \"\(name)\"", hdf5Detail: true)
        }
        defer { H5Aclose(attribute) }
        guard try write(attribute) >= 0 else {
            throw context.error(.writeFailed, path, "cannot write attribute \"\(name)\"", hdf5Detail: true)
        }
    }
}
