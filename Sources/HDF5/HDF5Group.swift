import CHDF5

/// An open group: a directory of named links to groups and datasets.
///
/// Paths given to ``group(_:)``, ``dataset(_:)`` and ``kind(of:)`` are relative to this
/// group and may contain `/` (`"dense/dense/kernel:0"`); a leading `/` makes them absolute.
///
/// ```swift
/// let file = try HDF5File.open("model.h5")
/// let weights = try file.root.group("model_weights")
/// for layer in try weights.attribute("layer_names").readStrings() {
///     print(layer, try weights.group(layer).childNames())
/// }
/// ```
public final class HDF5Group: HDF5Object {
    init(context: HDF5Context, id: hid_t, path: String) {
        super.init(context: context, handle: HDF5Handle(id, release: H5Gclose), path: path, kind: .group)
    }

    /// A link in this group, as listed by HDF5.
    struct Link {
        let name: String
        let isHard: Bool
        let address: haddr_t
    }

    /// The links of this group in name order.
    func links() throws -> [Link] {
        let id = try liveID()
        final class Links { var values: [Link] = [] }
        let links = Links()
        var index: hsize_t = 0
        let status = withExtendedLifetime(links) {
            H5Literate(id, H5_INDEX_NAME, H5_ITER_INC, &index, { _, name, info, data in
                guard let name, let info, let data else { return -1 }
                let isHard = info.pointee.type == H5L_TYPE_HARD
                let link = Link(name: String(cString: name), isHard: isHard, address: isHard ? info.pointee.u.address : 0)
                Unmanaged<Links>.fromOpaque(data).takeUnretainedValue().values.append(link)
                return 0
            }, Unmanaged.passUnretained(links).toOpaque())
        }
        guard status >= 0 else {
            throw context.error(.readFailed, path, "cannot list group members", hdf5Detail: true)
        }
        return links.values
    }

    /// The names of this group's members, in name order (HDF5's name index).
    ///
    /// Keras does not rely on this order: it lists layers in the `layer_names` attribute and
    /// weights in `weight_names`.
    public func childNames() throws -> [String] {
        try links().map(\.name)
    }

    /// Whether `path` (relative to this group) leads to an object or link.
    public func contains(_ path: String) -> Bool {
        (try? kind(of: path)) != nil
    }

    /// What `path` (relative to this group) leads to; soft and external links are reported as
    /// ``HDF5ObjectKind/other`` and not followed. Throws ``HDF5Error/Kind/notFound`` when
    /// nothing is there.
    public func kind(of path: String) throws -> HDF5ObjectKind {
        let id = try liveID()
        let target = normalized(self.path.appendingHDF5Component(path))
        // H5Lexists needs every intermediate link to exist, so check the path one step at a time.
        let components = path.split(separator: "/", omittingEmptySubsequences: true)
        guard !components.isEmpty else {
            guard path.hasPrefix("/") else {
                throw context.error(.invalidArgument, self.path, "invalid object path \"\(path)\"")
            }
            return .group
        }
        var prefix = path.hasPrefix("/") ? "/" : ""
        for (position, component) in components.enumerated() {
            prefix += (position == 0 ? "" : "/") + component
            let exists = H5Lexists(id, prefix, compress_H5P_DEFAULT())
            guard exists >= 0 else {
                throw context.error(.readFailed, target, "cannot look up link", hdf5Detail: true)
            }
            guard exists > 0 else { throw context.error(.notFound, target, "no such object") }
            var link = H5L_info_t()
            guard H5Lget_info(id, prefix, &link, compress_H5P_DEFAULT()) >= 0 else {
                throw context.error(.readFailed, target, "cannot look up link", hdf5Detail: true)
            }
            if link.type != H5L_TYPE_HARD {
                guard position == components.count - 1 else {
                    throw context.error(.unsupported, target, "path goes through a soft or external link")
                }
                return .other
            }
        }
        var info = H5O_info_t()
        guard H5Oget_info_by_name2(id, prefix, &info, UInt32(H5O_INFO_BASIC), compress_H5P_DEFAULT()) >= 0 else {
            throw context.error(.readFailed, target, "cannot read object header", hdf5Detail: true)
        }
        switch info.type {
        case H5O_TYPE_GROUP: return .group
        case H5O_TYPE_DATASET: return .dataset
        default: return .other
        }
    }

    /// Opens the group at `path` (relative to this group).
    ///
    /// Throws ``HDF5Error/Kind/notFound`` when nothing is there and
    /// ``HDF5Error/Kind/typeMismatch`` when it is not a group.
    public func group(_ path: String) throws -> HDF5Group {
        let target = normalized(self.path.appendingHDF5Component(path))
        guard try kind(of: path) == .group else { throw context.error(.typeMismatch, target, "not a group") }
        let id = H5Gopen2(handle.id, path, compress_H5P_DEFAULT())
        guard id >= 0 else { throw context.error(.readFailed, target, "cannot open group", hdf5Detail: true) }
        return HDF5Group(context: context, id: id, path: target)
    }

    /// Opens the dataset at `path` (relative to this group).
    ///
    /// Throws ``HDF5Error/Kind/notFound`` when nothing is there and
    /// ``HDF5Error/Kind/typeMismatch`` when it is not a dataset.
    public func dataset(_ path: String) throws -> HDF5Dataset {
        let target = normalized(self.path.appendingHDF5Component(path))
        guard try kind(of: path) == .dataset else { throw context.error(.typeMismatch, target, "not a dataset") }
        let id = H5Dopen2(handle.id, path, compress_H5P_DEFAULT())
        guard id >= 0 else { throw context.error(.readFailed, target, "cannot open dataset", hdf5Detail: true) }
        return try HDF5Dataset(context: context, id: id, path: target)
    }

    /// Creates a group called `name` in this group. Intermediate groups of a path such as
    /// `"model_weights/dense"` must already exist.
    @discardableResult
    public func createGroup(_ name: String) throws -> HDF5Group {
        let id = try liveID()
        let target = normalized(path.appendingHDF5Component(name))
        let creation = compress_untimed_creation_plist(compress_H5P_GROUP_CREATE())
        defer { H5Pclose(creation) }
        let group = H5Gcreate2(id, name, compress_H5P_DEFAULT(), creation, compress_H5P_DEFAULT())
        guard group >= 0 else { throw context.error(.writeFailed, target, "cannot create group", hdf5Detail: true) }
        return HDF5Group(context: context, id: group, path: target)
    }

    /// Opens the group called `name`, creating it if it does not exist.
    @discardableResult
    public func groupCreatingIfNeeded(_ name: String) throws -> HDF5Group {
        contains(name) ? try group(name) : try createGroup(name)
    }

    /// Creates a contiguous dataset called `name` holding `values`.
    ///
    /// ```swift
    /// try layer.createDataset("kernel:0", values: weights, shape: [784, 128])
    /// try layer.createDataset("kernel:0", values: weights, shape: [784, 128], storedAs: .float16)
    /// ```
    ///
    /// - Parameters:
    ///   - name: The dataset name (or a path whose groups exist).
    ///   - values: The elements in row-major order.
    ///   - shape: The dimensions; their product must equal `values.count`; `[]` is a scalar.
    ///   - storedAs: The element type in the file, converted by HDF5 on write; defaults to `T`'s
    ///     own type. float16 is stored as h5py stores numpy's `float16`.
    @discardableResult
    public func createDataset<T: HDF5Scalar>(
        _ name: String, values: [T], shape: [Int], storedAs: HDF5ElementType? = nil
    ) throws -> HDF5Dataset {
        let id = try liveID()
        let target = normalized(path.appendingHDF5Component(name))
        try HDF5Extent.validate(shape: shape, count: values.count, context: context, object: target)
        let stored = storedAs ?? T.hdf5ElementType
        guard stored.isNumeric else {
            throw context.error(.invalidArgument, target, "cannot store numbers as \(stored)")
        }
        let fileType = stored.makeTypeID(inFile: true)
        guard fileType >= 0 else { throw context.error(.writeFailed, target, "cannot make the file type \(stored)") }
        defer { H5Tclose(fileType) }
        let space = HDF5Extent.makeSpace(shape: shape)
        guard space >= 0 else { throw context.error(.writeFailed, target, "cannot make a dataspace", hdf5Detail: true) }
        defer { H5Sclose(space) }
        let creation = compress_untimed_creation_plist(compress_H5P_DATASET_CREATE())
        defer { H5Pclose(creation) }
        let dataset = H5Dcreate2(id, name, fileType, space, compress_H5P_DEFAULT(), creation, compress_H5P_DEFAULT())
        guard dataset >= 0 else { throw context.error(.writeFailed, target, "cannot create dataset", hdf5Detail: true) }
        let result = try HDF5Dataset(context: context, id: dataset, path: target)
        try result.write(values)
        return result
    }

    /// Creates a one-dimensional dataset of fixed-length, null-padded byte strings (numpy's
    /// `S` dtype).
    @discardableResult
    public func createDataset(_ name: String, strings: [String]) throws -> HDF5Dataset {
        let id = try liveID()
        let target = normalized(path.appendingHDF5Component(name))
        let (bytes, size) = HDF5Writer.packFixedLength(strings)
        let type = HDF5Writer.makeFixedLengthStringType(size: size)
        guard type >= 0 else { throw context.error(.writeFailed, target, "cannot make a string type") }
        defer { H5Tclose(type) }
        let space = HDF5Extent.makeSpace(shape: [strings.count])
        guard space >= 0 else { throw context.error(.writeFailed, target, "cannot make a dataspace", hdf5Detail: true) }
        defer { H5Sclose(space) }
        let creation = compress_untimed_creation_plist(compress_H5P_DATASET_CREATE())
        defer { H5Pclose(creation) }
        let dataset = H5Dcreate2(id, name, type, space, compress_H5P_DEFAULT(), creation, compress_H5P_DEFAULT())
        guard dataset >= 0 else { throw context.error(.writeFailed, target, "cannot create dataset", hdf5Detail: true) }
        let result = try HDF5Dataset(context: context, id: dataset, path: target)
        if !strings.isEmpty {
            let status = bytes.withUnsafeBytes {
                H5Dwrite(dataset, type, compress_H5S_ALL(), compress_H5S_ALL(), compress_H5P_DEFAULT(), $0.baseAddress!)
            }
            guard status >= 0 else {
                throw context.error(.writeFailed, target, "cannot write dataset", hdf5Detail: true)
            }
        }
        return result
    }

    /// Visits every object below this group, depth first: each group before its members,
    /// members in name order.
    ///
    /// Each object is visited once even if several hard links lead to it; soft and external
    /// links are skipped, not followed. The visited objects are open only during the call.
    ///
    /// ```swift
    /// try file.root.walk { object in
    ///     let depth = object.path.split(separator: "/").count
    ///     if let dataset = object as? HDF5Dataset {
    ///         print(String(repeating: "  ", count: depth), dataset.name, dataset.elementType, dataset.shape)
    ///     }
    /// }
    /// ```
    public func walk(_ visit: (HDF5Object) throws -> Void) throws {
        var seen: Set<haddr_t> = []
        var info = H5O_info_t()
        if H5Oget_info2(try liveID(), &info, UInt32(H5O_INFO_BASIC)) >= 0 {
            seen.insert(info.addr)
        }
        // An explicit stack, so that deeply nested files cannot overflow the call stack.
        var pending: [(parent: HDF5Group, link: Link)] = try links().reversed().map { (self, $0) }
        while let (parent, link) = pending.popLast() {
            guard link.isHard, seen.insert(link.address).inserted else { continue }
            let object = try parent.openMember(link.name)
            try visit(object)
            if let group = object as? HDF5Group {
                pending += try group.links().reversed().map { (group, $0) }
            }
        }
    }

    /// Opens a member reached by a hard link, as the matching subclass.
    private func openMember(_ name: String) throws -> HDF5Object {
        let target = path.appendingHDF5Component(name)
        let id = H5Oopen(try liveID(), name, compress_H5P_DEFAULT())
        guard id >= 0 else { throw context.error(.readFailed, target, "cannot open object", hdf5Detail: true) }
        switch H5Iget_type(id) {
        case H5I_GROUP:
            return HDF5Group(context: context, id: id, path: target)
        case H5I_DATASET:
            return try HDF5Dataset(context: context, id: id, path: target)
        default:
            return HDF5Object(context: context, handle: HDF5Handle(id, release: H5Oclose), path: target, kind: .other)
        }
    }

    /// Collapses repeated slashes and drops a trailing one.
    private func normalized(_ path: String) -> String {
        "/" + path.split(separator: "/", omittingEmptySubsequences: true).joined(separator: "/")
    }
}
