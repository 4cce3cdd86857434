import CHDF5

/// What a link in a group leads to.
public enum HDF5ObjectKind: String, Equatable, Sendable {
    /// A group (``HDF5Group``).
    case group
    /// A dataset (``HDF5Dataset``).
    case dataset
    /// A named datatype, or a soft or external link (which this wrapper does not follow).
    case other
}

/// An open group, dataset or other object of an HDF5 file; its handle is closed when the
/// object is released.
///
/// Groups and datasets are the subclasses ``HDF5Group`` and ``HDF5Dataset``. Every object can
/// carry attributes; see `HDF5Object+Attributes.swift`.
///
/// An object keeps its file open in HDF5 even after ``HDF5File/close()`` until the object is
/// released too.
public class HDF5Object {
    let context: HDF5Context
    let handle: HDF5Handle

    /// The absolute path inside the file, such as `/model_weights/dense`; `/` for the root group.
    public let path: String

    /// What this object is.
    public let kind: HDF5ObjectKind

    init(context: HDF5Context, handle: HDF5Handle, path: String, kind: HDF5ObjectKind) {
        self.context = context
        self.handle = handle
        self.path = path
        self.kind = kind
    }

    /// The last component of ``path``; `/` for the root group.
    public var name: String {
        path == "/" ? "/" : String(path.split(separator: "/").last ?? Substring(path))
    }

    /// The path of the file this object belongs to, as it was opened.
    public var filePath: String { context.filePath }

    /// The limits reads from this object obey.
    public var limits: HDF5Limits { context.limits }

    /// Closes this object's handle now instead of when it is released. Later use throws
    /// ``HDF5Error/Kind/closed``.
    public func close() {
        handle.close()
    }

    /// The open identifier, or a `closed` error; also silences HDF5's error printer for this thread.
    func liveID() throws -> hid_t {
        HDF5Library.silenceErrors()
        guard handle.isOpen else { throw context.error(.closed, path, "already closed") }
        return handle.id
    }
}
