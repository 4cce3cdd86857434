import Foundation

/// Writes a file atomically: `body` writes a temporary file beside `path`, which then replaces
/// `path` in one rename, so a reader never sees half a file and a failure leaves `path` untouched.
///
/// - Parameters:
///   - path: the file to create or replace.
///   - inputs: files the command reads; writing over one of them is refused.
///   - body: writes the whole content to the temporary path it is given.
public func writeAtomically(to path: String, protecting inputs: [String] = [], _ body: (String) throws -> Void) throws {
    let target = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath()
    for input in inputs where URL(fileURLWithPath: input).standardizedFileURL.resolvingSymlinksInPath() == target {
        throw ModelFileError(file: path, "is also an input; choose another output path so the input is not overwritten")
    }
    let directory = target.deletingLastPathComponent()
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
        throw ModelFileError(file: path, "its folder \(directory.path) does not exist")
    }
    let temporary = directory.appendingPathComponent(".\(target.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).\(UInt32.random(in: 0...UInt32.max)).tmp")
    do {
        try body(temporary.path)
        guard rename(temporary.path, target.path) == 0 else {
            throw ModelFileError(file: path, "cannot be written: \(String(cString: strerror(errno)))")
        }
    } catch {
        try? FileManager.default.removeItem(at: temporary)
        throw error
    }
}
