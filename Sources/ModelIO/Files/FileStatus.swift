import Foundation

/// The device and inode of a file: two paths name the same file exactly when these are equal.
public struct FileIdentity: Hashable, Sendable {
    public var device: UInt64
    public var inode: UInt64
}

/// What is at a path, as `stat(2)` sees it after following symbolic links.
///
/// Asking never opens the path, so a FIFO cannot block and a device cannot be read.
///
/// ```swift
/// if case .special(let kind) = FileStatus(path: "/dev/null") { print(kind) }   // a character device
/// ```
public enum FileStatus: Equatable, Sendable {
    /// A regular file (perhaps reached through symbolic links).
    case regular(FileIdentity, bytes: Int)
    case directory(FileIdentity)
    /// A FIFO, a device or a socket: `kind` names it (`a FIFO`, `a character device`, ...).
    case special(kind: String)
    /// Nothing there, or a folder on the way is missing.
    case missing
    /// A symbolic link whose target does not exist.
    case danglingSymlink
    /// Symbolic links that lead back to themselves.
    case symlinkLoop
    /// `stat` failed otherwise (permission denied, a name too long, ...); `reason` says why.
    case inaccessible(reason: String)

    public init(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else {
            let code = errno
            var link = stat()
            switch code {
            case ELOOP: self = .symlinkLoop
            case ENOENT where lstat(path, &link) == 0 && (link.st_mode & S_IFMT) == S_IFLNK: self = .danglingSymlink
            case ENOENT, ENOTDIR: self = .missing
            default: self = .inaccessible(reason: errnoText(code))
            }
            return
        }
        let identity = FileIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
        switch info.st_mode & S_IFMT {
        case S_IFREG where isPseudoFile(path): self = .special(kind: "a /proc or /sys pseudo-file (its size is not its content)")
        case S_IFREG: self = .regular(identity, bytes: Int(info.st_size))
        case S_IFDIR: self = .directory(identity)
        case S_IFIFO: self = .special(kind: "a FIFO")
        case S_IFCHR: self = .special(kind: "a character device")
        case S_IFBLK: self = .special(kind: "a block device")
        case S_IFSOCK: self = .special(kind: "a socket")
        default: self = .special(kind: "not a regular file")
        }
    }

    /// The file's identity when something exists there.
    public var identity: FileIdentity? {
        switch self {
        case let .regular(identity, _), let .directory(identity): return identity
        default: return nil
        }
    }

    /// Why a file the tool reads cannot be this: nil for a regular file.
    public var problemAsInput: String? {
        switch self {
        case .regular: return nil
        case .directory: return "is a directory, not a file"
        case let .special(kind): return "is \(kind), not a regular file"
        case .missing: return "no such file"
        case .danglingSymlink: return "is a symbolic link to a file that does not exist"
        case .symlinkLoop: return "is a symbolic link loop"
        case let .inaccessible(reason): return "cannot be read: \(reason)"
        }
    }
}

/// Whether `path` resolves into `/proc` or `/sys`, whose files claim sizes (often 0) unrelated to
/// what reading them gives. (Swift's Glibc module has no `statfs` to ask for the file system.)
private func isPseudoFile(_ path: String) -> Bool {
    guard let real = realpath(path, nil) else { return false }
    defer { free(real) }
    let resolved = String(cString: real)
    return ["/proc/", "/sys/"].contains { resolved.hasPrefix($0) }
}

/// `strerror` of `code` starting in lower case, as it reads inside a sentence: `no space left on device`.
public func errnoText(_ code: Int32) -> String {
    let text = String(cString: strerror(code))
    return text.prefix(1).lowercased() + text.dropFirst()
}

/// Checks that `path` is a regular file (after following symbolic links) before anything opens it.
///
/// Opening a FIFO blocks and a device never ends, so every file the tool reads passes here first.
/// - Throws: ``ModelFileError`` naming the path and what it is instead.
public func requireRegularFile(_ path: String) throws {
    guard !path.isEmpty else { throw ModelFileError(file: path, "the input path is empty") }
    if let problem = FileStatus(path: path).problemAsInput { throw ModelFileError(file: path, problem) }
}

/// Checks that `path` is a regular file (``requireRegularFile(_:)``) and not a Keras 3 `.keras`
/// archive (``kerasArchiveProblem(path:)``), before a model is read from it.
public func requireModelFile(_ path: String) throws {
    try requireRegularFile(path)
    if let problem = kerasArchiveProblem(path: path) { throw ModelFileError(file: path, problem) }
}
