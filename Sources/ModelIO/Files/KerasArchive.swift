import Foundation

/// Why the model file at `path` cannot be read because it is a Keras 3 `.keras` archive (a zip
/// file), or nil when it is not one. Only a regular file is opened.
///
/// This is the one place that tells `.keras` archives apart; reading them is planned.
public func kerasArchiveProblem(path: String) -> String? {
    guard case .regular = FileStatus(path: path), let handle = FileHandle(forReadingAtPath: path) else { return nil }
    defer { try? handle.close() }
    guard let head = try? handle.read(upToCount: 4), [UInt8](head) == [0x50, 0x4B, 0x03, 0x04] else { return nil }
    return "is a Keras 3 .keras archive (zip), which compress cannot read yet (support is planned); "
        + "save the model as a legacy HDF5 file with model.save('model.h5') and pass that"
}
