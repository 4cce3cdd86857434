import Foundation
import ModelIO

/// Writes `text` as UTF-8 to `path` atomically (a reader sees the old file or the new one),
/// refusing to write over any of `inputs`.
///
/// Reports, plots, JUnit results and baselines are all written this way.
public func writeText(_ text: String, to path: String, protecting inputs: [String] = []) throws {
    try writeAtomically(to: path, protecting: inputs) { temporary in
        try writeNewFile(Array(text.utf8), to: temporary)
    }
}
