import Foundation

/// Writes a file atomically: `body` writes a temporary file beside `path`, which then replaces
/// `path` in one rename, so a reader never sees half a file and a failure leaves `path` untouched.
///
/// Before anything is written, `path` is checked as ``RunFiles`` checks an output: it must be a
/// regular file or not exist, in an existing folder, and must not be any of `inputs`. A symbolic link to a regular file
/// stays a link: the file it points to is replaced. Temporary files of earlier runs that were
/// killed are removed first, and this one is removed if a signal ends the process
/// (``TemporaryFiles``). A file-system error from `body` (a full disk, a read-only folder) is
/// reported as `path: cannot be written: no space left on device`.
///
/// - Parameters:
///   - path: the file to create or replace.
///   - inputs: files the command reads; writing over one of them is refused.
///   - body: writes the whole content to the temporary path it is given.
public func writeAtomically(to path: String, protecting inputs: [String] = [], _ body: (String) throws -> Void) throws {
    try RunFiles.checkOutput(path, protecting: inputs)
    let target = URL(fileURLWithPath: resolvedPath(path))
    let directory = target.deletingLastPathComponent()
    TemporaryFiles.removeStale(in: directory.path, base: target.lastPathComponent)
    let temporary = directory.appendingPathComponent(TemporaryFiles.name(for: target.lastPathComponent)).path
    TemporaryFiles.register(temporary)
    defer { TemporaryFiles.unregister(temporary) }
    do {
        try body(temporary)
        guard rename(temporary, target.path) == 0 else {
            throw ModelFileError(file: path, "cannot be written: \(errnoText(errno))")
        }
    } catch {
        try? FileManager.default.removeItem(atPath: temporary)
        if let reason = fileSystemReason(error) { throw ModelFileError(file: path, "cannot be written: \(reason)") }
        throw error
    }
}

/// Creates `path` (which must not exist) holding `bytes`; used for the temporary file of
/// ``writeAtomically(to:protecting:_:)``. Errors carry the `errno` (``FileWriteError``).
public func writeNewFile(_ bytes: [UInt8], to path: String) throws {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
    guard descriptor >= 0 else { throw FileWriteError(path: path, code: errno) }
    var written = 0
    let failure: Int32? = bytes.withUnsafeBytes { buffer in
        while written < buffer.count {
            let count = write(descriptor, buffer.baseAddress.map { $0 + written }, buffer.count - written)
            if count < 0 {
                if errno == EINTR { continue }
                return errno
            }
            written += count
        }
        return nil
    }
    let closed = close(descriptor) == 0 ? nil : errno
    if let code = failure ?? closed { throw FileWriteError(path: path, code: code) }
}

/// A system call on `path` failed with `code` (an `errno`).
public struct FileWriteError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var code: Int32

    public var description: String { "\(path): cannot be written: \(errnoText(code))" }
}
