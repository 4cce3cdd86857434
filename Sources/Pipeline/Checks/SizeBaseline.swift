import Foundation
import ModelIO

/// The recorded sizes `compress check --baseline` compares files against: a JSON file
///
/// ```json
/// {
///   "files" : {
///     "models/lenet300.czip" : 27931,
///     "models/lenet5.czip" : 41820
///   }
/// }
/// ```
///
/// Keys are file paths as given on the command line, without a leading `./` (see
/// ``SizeBaseline/key(for:)``), so a CI job that runs from the repository root always finds its
/// entries; values are sizes in bytes. Keys are written sorted, so the file diffs well.
public struct SizeBaseline: Codable, Equatable, Sendable {
    /// Size in bytes by file key.
    public var files: [String: Int]

    public init(files: [String: Int] = [:]) {
        self.files = files
    }

    /// The key of `path`: the path as given, without leading `./`.
    public static func key(for path: String) -> String {
        var key = Substring(path)
        while key.hasPrefix("./") {
            key = key.dropFirst(2)
        }
        return String(key)
    }

    /// The recorded size of the file at `path`, if any.
    public func bytes(for path: String) -> Int? {
        files[SizeBaseline.key(for: path)]
    }

    /// Reads a baseline file; an unreadable file or one that is not in this format is an error
    /// naming the file.
    public static func load(path: String) throws -> SizeBaseline {
        try requireRegularFile(path)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ModelFileError(file: path, FileManager.default.fileExists(atPath: path) ? "cannot be read" : "no such file")
        }
        let baseline: SizeBaseline
        do {
            baseline = try JSONDecoder().decode(SizeBaseline.self, from: data)
        } catch {
            throw ModelFileError(file: path, #"is not a size baseline: expected {"files": {"path": bytes, ...}}"#)
        }
        if let (key, bytes) = baseline.files.first(where: { $0.value < 0 }) {
            throw ModelFileError(file: path, field: "files.\(key)", "a size must be at least 0, got \(bytes)")
        }
        return baseline
    }

    /// The baseline as pretty JSON with sorted keys and a final newline.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self) + Data("\n".utf8)
    }

    /// Writes the baseline to `path` atomically: a reader sees the old file or the new one.
    public func save(to path: String) throws {
        try writeText(String(decoding: try encoded(), as: UTF8.self), to: path)
    }
}
