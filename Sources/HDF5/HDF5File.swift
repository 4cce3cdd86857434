import CHDF5
import Foundation

/// An open HDF5 file, such as a Keras `.h5` model.
///
/// The file is closed by ``close()`` or when the object is released. Objects opened from it
/// (groups, datasets, attributes) keep the file open inside HDF5 until they are released too.
/// Every failure is an ``HDF5Error`` naming the file; HDF5's own error printer is switched off.
///
/// ```swift
/// let file = try HDF5File.open("model.h5")
/// let config = try file.root.attribute("model_config").readString()
///
/// let output = try HDF5File.create("small.h5")
/// let layer = try output.root.createGroup("dense")
/// try layer.createDataset("kernel:0", values: kernel, shape: [784, 128])
/// output.close()
/// ```
public final class HDF5File {
    /// How an existing file is opened.
    public enum Mode: Sendable {
        /// Reading only; the default.
        case readOnly
        /// Reading and writing an existing file.
        case readWrite
    }

    /// The on-disk format of a new file.
    public enum Format: Sendable {
        /// HDF5's earliest format, as h5py writes by default: readable everywhere; an object's
        /// attributes must fit in its 64 KiB header. Variable-length strings (such as
        /// `model_config`) only keep a reference there; fixed-length arrays (`layer_names`) do not,
        /// which is why Keras splits long lists into `layer_names0`, `layer_names1`, ...
        case compatible
        /// The HDF5 1.8 format: attributes of any size; readable by HDF5 1.8 and later.
        case largeAttributes
    }

    /// The path as given to ``open(_:mode:limits:)`` or ``create(_:limits:format:)``.
    public let path: String
    /// Whether the file can be written.
    public let isWritable: Bool
    /// The limits reads from this file obey.
    public let limits: HDF5Limits
    /// The root group `/`.
    public let root: HDF5Group

    private let handle: HDF5Handle

    private init(path: String, id: hid_t, isWritable: Bool, limits: HDF5Limits) throws {
        let context = HDF5Context(filePath: path, limits: limits)
        handle = HDF5Handle(id, release: H5Fclose)
        let rootID = H5Gopen2(id, "/", compress_H5P_DEFAULT())
        guard rootID >= 0 else {
            throw context.error(.cannotOpen, "/", "cannot open the root group", hdf5Detail: true)
        }
        root = HDF5Group(context: context, id: rootID, path: "/")
        self.path = path
        self.isWritable = isWritable
        self.limits = limits
    }

    /// Opens an existing HDF5 file.
    ///
    /// Throws ``HDF5Error/Kind/fileNotFound`` for a missing file, ``HDF5Error/Kind/notHDF5``
    /// for a file without the HDF5 signature and ``HDF5Error/Kind/cannotOpen`` for a file HDF5
    /// cannot open (truncated, corrupt, unreadable, a directory).
    ///
    /// - Parameters:
    ///   - path: The file to open.
    ///   - mode: Read-only (the default) or read-write.
    ///   - limits: Bounds on what reads may allocate.
    public static func open(
        _ path: String, mode: Mode = .readOnly, limits: HDF5Limits = .default
    ) throws -> HDF5File {
        HDF5Library.silenceErrors()
        let context = HDF5Context(filePath: path, limits: limits)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw context.error(.fileNotFound, nil, "no such file")
        }
        guard !isDirectory.boolValue else { throw context.error(.cannotOpen, nil, "is a directory") }
        var status = stat()
        guard stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            throw context.error(.cannotOpen, nil, "is not a regular file")   // a FIFO would block H5Fis_hdf5
        }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw context.error(.cannotOpen, nil, "permission denied")
        }
        let signature = H5Fis_hdf5(path)
        guard signature >= 0 else { throw context.error(.cannotOpen, nil, "cannot read file", hdf5Detail: true) }
        guard signature > 0 else { throw context.error(.notHDF5, nil, "not an HDF5 file") }
        let flags = mode == .readOnly ? compress_H5F_ACC_RDONLY() : compress_H5F_ACC_RDWR()
        let id = H5Fopen(path, flags, compress_H5P_DEFAULT())
        guard id >= 0 else {
            throw context.error(.cannotOpen, nil, "cannot open HDF5 file", hdf5Detail: true)
        }
        return try HDF5File(path: path, id: id, isWritable: mode == .readWrite, limits: limits)
    }

    /// Creates a new HDF5 file open for writing, replacing any file at `path`.
    ///
    /// - Parameters:
    ///   - path: The file to create.
    ///   - limits: Bounds on what reads may allocate.
    ///   - format: ``Format/compatible`` (the default, like h5py) or ``Format/largeAttributes``.
    public static func create(
        _ path: String, limits: HDF5Limits = .default, format: Format = .compatible
    ) throws -> HDF5File {
        try create(path, inMemory: false, limits: limits, format: format)
    }

    /// Creates a new HDF5 file in memory; ``fileImage()`` gives its bytes, for the caller to write.
    ///
    /// Nothing goes to disk through HDF5. Outputs are made this way because HDF5 1.10 cannot
    /// recover from a failed write to disk: after a full disk makes `H5Fclose` fail, the library
    /// crashes at exit while closing the file again (`H5F__close_cb` in `H5_term_library`). A
    /// failed write of the bytes instead is an ordinary error.
    ///
    /// - Parameters:
    ///   - path: The name errors give the file.
    ///   - limits: Bounds on what reads may allocate.
    ///   - format: ``Format/compatible`` (the default, like h5py) or ``Format/largeAttributes``.
    public static func createInMemory(
        _ path: String, limits: HDF5Limits = .default, format: Format = .compatible
    ) throws -> HDF5File {
        try create(path, inMemory: true, limits: limits, format: format)
    }

    /// Creates the file on disk, or in memory with HDF5's core driver and no backing store.
    private static func create(_ path: String, inMemory: Bool, limits: HDF5Limits, format: Format) throws -> HDF5File {
        HDF5Library.silenceErrors()
        let context = HDF5Context(filePath: path, limits: limits)
        let access = H5Pcreate(compress_H5P_FILE_ACCESS())
        guard access >= 0 else { throw context.error(.cannotCreate, nil, "cannot create file", hdf5Detail: true) }
        defer { H5Pclose(access) }
        if inMemory {
            guard H5Pset_fapl_core(access, 1 << 20, false) >= 0 else {
                throw context.error(.cannotCreate, nil, "cannot create a file in memory", hdf5Detail: true)
            }
        }
        if format == .largeAttributes {
            guard H5Pset_libver_bounds(access, H5F_LIBVER_V18, H5F_LIBVER_V18) >= 0 else {
                throw context.error(.cannotCreate, nil, "cannot select the file format", hdf5Detail: true)
            }
        }
        let creation = compress_untimed_creation_plist(compress_H5P_FILE_CREATE())
        defer { H5Pclose(creation) }
        let id = H5Fcreate(path, compress_H5F_ACC_TRUNC(), creation, access)
        guard id >= 0 else { throw context.error(.cannotCreate, nil, "cannot create file", hdf5Detail: true) }
        return try HDF5File(path: path, id: id, isWritable: true, limits: limits)
    }

    /// The bytes of the whole file as it would be on disk, everything flushed.
    public func fileImage() throws -> [UInt8] {
        let id = try liveID()
        guard H5Fflush(id, H5F_SCOPE_GLOBAL) >= 0 else {
            throw root.context.error(.writeFailed, nil, "cannot flush file", hdf5Detail: true)
        }
        let size = H5Fget_file_image(id, nil, 0)
        guard size >= 0 else { throw root.context.error(.readFailed, nil, "cannot take the file's image", hdf5Detail: true) }
        var bytes = [UInt8](repeating: 0, count: size)
        let copied = bytes.withUnsafeMutableBytes { H5Fget_file_image(id, $0.baseAddress, size) }
        guard copied == size else { throw root.context.error(.readFailed, nil, "cannot take the file's image", hdf5Detail: true) }
        return bytes
    }

    /// The size of the file in bytes, as HDF5 sees it (including data not yet flushed).
    public func byteSize() throws -> Int {
        let id = try liveID()
        var size: hsize_t = 0
        guard H5Fget_filesize(id, &size) >= 0 else {
            throw root.context.error(.readFailed, nil, "cannot determine the file size", hdf5Detail: true)
        }
        return Int(clamping: size)
    }

    /// Writes everything buffered to disk.
    public func flush() throws {
        let id = try liveID()
        guard H5Fflush(id, H5F_SCOPE_GLOBAL) >= 0 else {
            throw root.context.error(.writeFailed, nil, "cannot flush file", hdf5Detail: true)
        }
    }

    /// Flushes a writable file, then closes the root group and the file. Objects still held
    /// elsewhere keep the file open in HDF5 until they are released. Calling it again does nothing.
    public func close() {
        if isWritable, handle.isOpen {
            HDF5Library.silenceErrors()
            _ = H5Fflush(handle.id, H5F_SCOPE_LOCAL)
        }
        root.close()
        handle.close()
    }

    private func liveID() throws -> hid_t {
        HDF5Library.silenceErrors()
        guard handle.isOpen else { throw root.context.error(.closed, nil, "file already closed") }
        return handle.id
    }
}
