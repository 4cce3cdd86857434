import Foundation

/// The reason in a file-system error, as one lower-case phrase from its `errno`
/// (`no space left on device`, `read-only file system`), or nil when `error` is of another kind.
///
/// Foundation's errors (`NSCocoaErrorDomain` with an underlying POSIX error) print their whole
/// user-info dictionary; this is what a person needs of them.
public func fileSystemReason(_ error: Error) -> String? {
    if let error = error as? FileWriteError { return errnoText(error.code) }
    let nsError = error as NSError
    if nsError.domain == NSPOSIXErrorDomain { return errnoText(Int32(nsError.code)) }
    guard nsError.domain == NSCocoaErrorDomain else { return nil }
    if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
        return errnoText(Int32(underlying.code))
    }
    switch CocoaError.Code(rawValue: nsError.code) {
    case .fileWriteOutOfSpace: return errnoText(ENOSPC)
    case .fileWriteVolumeReadOnly: return errnoText(EROFS)
    case .fileWriteNoPermission, .fileReadNoPermission: return errnoText(EACCES)
    case .fileNoSuchFile, .fileReadNoSuchFile: return errnoText(ENOENT)
    case .fileWriteFileExists: return errnoText(EEXIST)
    default: return nsError.localizedDescription
    }
}

/// The path a Foundation file-system error is about, when it names one.
public func fileSystemErrorPath(_ error: Error) -> String? {
    if let error = error as? FileWriteError { return error.path }
    let nsError = error as NSError
    guard nsError.domain == NSCocoaErrorDomain || nsError.domain == NSPOSIXErrorDomain else { return nil }
    return nsError.userInfo[NSFilePathErrorKey] as? String ?? (nsError.userInfo[NSURLErrorKey] as? URL)?.path
}

/// `error` as one line: a file-system error as `path: cannot be written: reason` (or `cannot be
/// read`, or just the reason when Foundation does not say which; see ``fileSystemReason(_:)``),
/// any other error as its description with line breaks turned into spaces.
public func oneLineDescription(_ error: Error) -> String {
    var text = String(describing: error)
    if let reason = fileSystemReason(error) {
        // Foundation's file error codes: reading 256..<512, writing 512..<768.
        let nsError = error as NSError
        let operation = nsError.domain != NSCocoaErrorDomain ? ""
            : (512..<768).contains(nsError.code) ? "cannot be written: " : (256..<512).contains(nsError.code) ? "cannot be read: " : ""
        text = fileSystemErrorPath(error).map { "\($0): \(operation)\(reason)" } ?? reason
    }
    return text.replacingOccurrences(of: "\r\n", with: " ").replacingOccurrences(of: "\n", with: " ")
}
