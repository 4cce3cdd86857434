import CHDF5

/// Process-wide HDF5 plumbing: silencing the error printer and reading the error stack.
enum HDF5Library {
    /// Switches off HDF5's automatic error printer for the calling thread.
    ///
    /// The library is built thread-safe, and then every thread has its own error stack with the
    /// printer switched on, so this is called at the start of every public operation rather than
    /// once per process. It is cheap.
    static func silenceErrors() {
        _ = compress_H5_silence_errors()
    }

    /// Whether the calling thread's automatic error printer is off (used by tests).
    static func isErrorPrinterSilenced() -> Bool {
        var function: H5E_auto2_t? = nil
        var data: UnsafeMutableRawPointer? = nil
        guard H5Eget_auto2(compress_H5E_DEFAULT(), &function, &data) >= 0 else { return false }
        return function == nil
    }

    /// The most specific message on the calling thread's HDF5 error stack, if any.
    ///
    /// HDF5 clears the stack when an API call starts, so this must be read right after the call
    /// that failed, before any other HDF5 call.
    static func lastErrorDetail() -> String? {
        final class Box { var message: String? }
        let box = Box()
        _ = withExtendedLifetime(box) {
            H5Ewalk2(compress_H5E_DEFAULT(), H5E_WALK_UPWARD, { _, entry, data in
                guard let entry, let data else { return 0 }
                let box = Unmanaged<Box>.fromOpaque(data).takeUnretainedValue()
                if box.message == nil, let description = entry.pointee.desc {
                    box.message = String(cString: description)
                }
                return 0
            }, Unmanaged.passUnretained(box).toOpaque())
        }
        guard let message = box.message?.trimmingWhitespace(), !message.isEmpty else { return nil }
        return message
    }
}

/// What every object of one open file shares: where errors point and what reads may allocate.
struct HDF5Context: Sendable {
    let filePath: String
    let limits: HDF5Limits

    /// An error about `object`; when `hdf5Detail` is set, HDF5's own reason is appended.
    func error(
        _ kind: HDF5Error.Kind, _ object: String?, _ message: String, hdf5Detail: Bool = false
    ) -> HDF5Error {
        var text = message
        if hdf5Detail, let detail = HDF5Library.lastErrorDetail() {
            text += " (\(detail))"
        }
        return HDF5Error(kind, file: filePath, object: object, message: text)
    }
}

/// An HDF5 identifier that is closed exactly once: by ``close()`` or when the handle is released.
final class HDF5Handle {
    private(set) var id: hid_t
    private let release: (hid_t) -> herr_t

    init(_ id: hid_t, release: @escaping (hid_t) -> herr_t) {
        self.id = id
        self.release = release
    }

    var isOpen: Bool { id >= 0 }

    func close() {
        guard id >= 0 else { return }
        _ = release(id)
        id = -1
    }

    deinit { close() }
}

extension String {
    func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }

    /// Joins a child name onto an absolute group path.
    func appendingHDF5Component(_ name: String) -> String {
        if name.hasPrefix("/") { return name }
        return self == "/" ? "/" + name : self + "/" + name
    }
}
