import Foundation
import ModelIO

/// The folder of cached stage results: one folder per cache key holding the stage's model file
/// and its ``StageRecord`` (`stage.json`).
///
/// Entries are written to a temporary folder and renamed into place, so an interrupted run
/// never leaves a half-written entry; an entry is found only when its record and model file are
/// both there. Recipes share entries: two recipes that start alike share their first stages.
///
/// ```text
/// .compress-cache/
///   3f9c0a17d2b4e851/   model.h5    stage.json
///   a0e4b3c2d1f60718/   model.dcz   stage.json
/// ```
public struct StageCache: Sendable {
    /// The cache folder (created on first store).
    public let directory: String

    public static let defaultDirectory = ".compress-cache"
    static let recordName = "stage.json"

    public init(directory: String = StageCache.defaultDirectory) {
        self.directory = directory
    }

    /// The folder of the entry for `key`.
    public func entryPath(_ key: String) -> String {
        URL(fileURLWithPath: directory).appendingPathComponent(key).path
    }

    /// The path of the entry's model file.
    public func artifactPath(_ record: StageRecord) -> String {
        URL(fileURLWithPath: entryPath(record.key)).appendingPathComponent(record.artifact).path
    }

    /// The record of the entry for `key`, when the entry is complete.
    public func lookup(_ key: String) -> StageRecord? {
        let folder = URL(fileURLWithPath: entryPath(key))
        guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent(StageCache.recordName).path),
              let record = try? JSONDecoder().decode(StageRecord.self, from: data), record.key == key,
              FileManager.default.fileExists(atPath: folder.appendingPathComponent(record.artifact).path) else { return nil }
        return record
    }

    /// A fresh, empty folder to build the entry for `key` in, removed if a signal ends the process
    /// (``TemporaryFiles``); work folders left by runs that were killed are removed first.
    func makeWorkFolder(for key: String) throws -> String {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        TemporaryFiles.removeStale(in: directory)
        let path = URL(fileURLWithPath: directory).appendingPathComponent(TemporaryFiles.name(for: key)).path
        TemporaryFiles.register(path)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        return path
    }

    /// Removes a work folder that will not become an entry.
    func discardWorkFolder(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
        TemporaryFiles.unregister(path)
    }

    /// Writes `record` into `workFolder` (which holds the artifact) and moves the folder into
    /// place as the entry for `record.key`, replacing an older entry.
    func store(_ record: StageRecord, from workFolder: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let recordPath = URL(fileURLWithPath: workFolder).appendingPathComponent(StageCache.recordName).path
        try writeText(String(decoding: try encoder.encode(record), as: UTF8.self) + "\n", to: recordPath)
        let target = entryPath(record.key)
        if FileManager.default.fileExists(atPath: target) {
            try FileManager.default.removeItem(atPath: target)
        }
        guard rename(workFolder, target) == 0 else {
            throw ModelFileError(file: target, "cannot be written: \(errnoText(errno))")
        }
        TemporaryFiles.unregister(workFolder)
    }
}
