import Foundation
import NN

/// The most bytes the parameters of a model read from a file may take as float32, checked
/// from the architecture before anything is allocated (docs/LIMITS.md).
///
/// The default, 4 GiB (a billion parameters; VGG-16 has 138 million), can be changed with the
/// environment variable `COMPRESS_MAX_DENSE_BYTES` (a byte count). Peak memory is a small
/// multiple of this: weights, masks, codebook assignments and the copies a pass makes.
public enum DenseSizeLimit {
    /// The environment variable that overrides ``defaultBytes``.
    public static let environmentVariable = "COMPRESS_MAX_DENSE_BYTES"
    /// 4 GiB.
    public static let defaultBytes = 4 << 30

    /// The limit in force: `COMPRESS_MAX_DENSE_BYTES` when set, else ``defaultBytes``.
    ///
    /// - Throws: ``ModelFileError`` when the variable is set but not a positive whole number.
    public static func current() throws -> Int {
        guard let text = ProcessInfo.processInfo.environment[environmentVariable] else { return defaultBytes }
        guard let bytes = Int(text), bytes > 0 else {
            throw ModelFileError(file: environmentVariable, "must be a positive whole number of bytes, got '\(text.escapingControlCharacters)'")
        }
        return bytes
    }

    /// Throws unless `parameterCount` float32 parameters fit the limit in force.
    public static func check(parameterCount: Int, file: String) throws {
        let limit = try current()
        let (bytes, overflow) = parameterCount.multipliedReportingOverflow(by: MemoryLayout<Float>.size)
        guard !overflow, bytes <= limit else {
            throw ModelFileError(file: file, field: "architecture",
                                 "\(parameterCount) parameters need \(bytes) bytes as float32, more than the limit of \(limit) (set \(environmentVariable) to raise it)")
        }
    }
}
